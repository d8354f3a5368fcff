"""Every error becomes the one problem-JSON body: Ninja's, Django's and ours.

Ninja locates an invalid field as ``(source, body parameter name, *path)`` for bodies and
``(source, name)`` for query and path parameters; the body parameter's name is ours, not the
client's, so it is dropped: ``("body", "payload", "lines", 0, "quantity")`` becomes
``body.lines.0.quantity``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

from nextbuy.core.errors import FieldError, NextbuyError, Problem, validation_problem
from nextbuy.core.serialization import dumps_json

logger = logging.getLogger(__name__)

JSON_CONTENT_TYPE = "application/json; charset=utf-8"


def problem_response(problem: Problem) -> HttpResponse:
    """The problem as a JSON response with its status."""
    return HttpResponse(
        dumps_json(problem.to_dict()), status=problem.status, content_type=JSON_CONTENT_TYPE
    )


def field_name(loc: Sequence[Any]) -> str:
    """The dotted client-facing name of the field at Ninja's ``loc``."""
    parts = list(loc)
    if len(parts) > 1 and parts[0] == "body":
        del parts[1]
    return ".".join(str(part) for part in parts)


def install_problem_handlers(api: NinjaAPI) -> None:
    """Make every exception raised in an operation answer with problem JSON."""
    api.add_exception_handler(NextbuyError, _handler(_on_nextbuy_error))
    api.add_exception_handler(ValidationError, _handler(_on_validation_error))
    api.add_exception_handler(HttpError, _handler(_on_http_error))
    api.add_exception_handler(Http404, _handler(_on_not_found))
    api.add_exception_handler(Exception, _handler(_on_unexpected_error))


ErrorT = TypeVar("ErrorT", bound=Exception)


def _handler(handler: Callable[[HttpRequest, ErrorT], HttpResponse]) -> Any:
    """Ninja types a handler's argument as "the exception or its class"; it is always an
    instance, so the handlers below take the instance type."""
    return handler


def _on_nextbuy_error(_request: HttpRequest, exc: NextbuyError) -> HttpResponse:
    return problem_response(Problem.from_error(exc))


def _on_validation_error(_request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [FieldError(field_name(e.get("loc", ())), str(e.get("msg"))) for e in exc.errors]
    return problem_response(validation_problem(errors))


def _on_http_error(_request: HttpRequest, exc: HttpError) -> HttpResponse:
    # Ninja raises HttpError(400) only when the body cannot be parsed as JSON.
    if exc.status_code == 400:
        return problem_response(
            Problem(
                400,
                "bad_request",
                "Bad request",
                "request body is not valid JSON",
                (FieldError("body", "malformed JSON"),),
            )
        )
    title = "HTTP error"
    return problem_response(Problem(exc.status_code, "http_error", title, str(exc)))


def _on_not_found(request: HttpRequest, _exc: Exception) -> HttpResponse:
    return not_found(request, _exc)


def _on_unexpected_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("unhandled error", extra={"path": request.path, "method": request.method})
    return server_error(request)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's ``handler404``: unknown URLs answer in the same JSON as everything else."""
    detail = f"no resource at {request.path}"
    return problem_response(Problem(404, "not_found", "Not found", detail))


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's ``handler400`` (e.g. a request Django itself refuses as suspicious)."""
    return problem_response(Problem(400, "bad_request", "Bad request", "the request was refused"))


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's ``handler500``: no HTML page and no stack trace leaks to the client."""
    detail = "the server failed to handle this request; it has been logged"
    return problem_response(Problem(500, "internal_error", "Internal error", detail))
