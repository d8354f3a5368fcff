"""FastAPI/Starlette wiring shared by the FastAPI services (catalog, inventory, engine).

``install_common`` adds, in one place: problem-JSON error handlers, a body-size limit that
answers 413 before the body is read, request metrics keyed by route template, and the
``/healthz``, ``/readyz`` and ``/metrics`` endpoints.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from nextbuy.core.errors import (
    NextbuyError,
    Problem,
    field_errors_from_pydantic,
    validation_problem,
)
from nextbuy.core.health import LIVENESS_BODY, ReadinessCheck, check_readiness
from nextbuy.core.metrics import PROMETHEUS_CONTENT_TYPE, HttpMetrics
from nextbuy.core.serialization import dumps_json
from nextbuy.core.settings import ServiceSettings


class OrjsonResponse(JSONResponse):
    """JSON rendered with orjson; FastAPI's own ``ORJSONResponse`` is deprecated (it warns)."""

    def render(self, content: Any) -> bytes:
        return dumps_json(content)


def problem_response(problem: Problem, headers: Mapping[str, str] | None = None) -> JSONResponse:
    return OrjsonResponse(problem.to_dict(), status_code=problem.status, headers=headers)


def install_common(
    app: FastAPI,
    *,
    metrics: HttpMetrics,
    readiness: Mapping[str, ReadinessCheck],
    max_body_bytes: int,
) -> None:
    """Give ``app`` the behaviour every Nextbuy FastAPI service shares."""
    _install_error_handlers(app)
    app.add_middleware(BodySizeLimit, max_body_bytes=max_body_bytes)
    app.add_middleware(RequestMetrics, metrics=metrics)

    @app.get("/healthz", tags=["operations"], summary="Liveness")
    async def healthz() -> dict[str, str]:
        """The process is up and serving HTTP."""
        return LIVENESS_BODY

    @app.get("/readyz", tags=["operations"], summary="Readiness")
    def readyz() -> Response:
        """Every dependency this service needs is reachable."""
        report = check_readiness(readiness)
        return OrjsonResponse(report.to_dict(), status_code=report.status_code)

    @app.get("/metrics", tags=["operations"], summary="Prometheus metrics")
    def prometheus_metrics() -> Response:
        """Prometheus text exposition of this service's metrics."""
        return Response(metrics.render(), media_type=PROMETHEUS_CONTENT_TYPE)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(NextbuyError)
    async def on_nextbuy_error(_request: Request, exc: NextbuyError) -> Response:
        return problem_response(Problem.from_error(exc))

    @app.exception_handler(RequestValidationError)
    async def on_validation_error(_request: Request, exc: RequestValidationError) -> Response:
        errors = field_errors_from_pydantic(exc.errors())
        body_unparseable = any(e.field.startswith("body") and "JSON" in e.message for e in errors)
        return problem_response(validation_problem(errors, 400 if body_unparseable else 422))

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(_request: Request, exc: StarletteHTTPException) -> Response:
        title = {404: "Not found", 405: "Method not allowed"}.get(exc.status_code, "HTTP error")
        kind = title.lower().replace(" ", "_")
        return problem_response(Problem(exc.status_code, kind, title, str(exc.detail)))


class BodySizeLimit:
    """Answer 413 when a body is larger than the limit, by header or by counting the stream."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            await self._reject(scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_body_bytes:
                raise _BodyTooLargeError
            return message

        try:
            await self.app(scope, counting_receive, send)
        except _BodyTooLargeError:
            await self._reject(scope, receive, send)

    async def _reject(self, scope: Scope, receive: Receive, send: Send) -> None:
        detail = f"request body is larger than {self.max_body_bytes} bytes"
        problem = Problem(413, "payload_too_large", "Payload too large", detail)
        await problem_response(problem)(scope, receive, send)


class _BodyTooLargeError(Exception):
    pass


class RequestMetrics:
    """Count and time every request by its route template (never the raw path: bounded labels)."""

    def __init__(self, app: ASGIApp, *, metrics: HttpMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            route: Any = scope.get("route")
            template = getattr(route, "path", "unmatched")
            self.metrics.observe(
                method=scope["method"],
                route=template,
                status=status,
                seconds=time.perf_counter() - started,
            )


def serve_asgi(app: FastAPI, settings: ServiceSettings) -> None:
    """Serve ``app`` with uvicorn the way every FastAPI service runs: one worker, our logs.

    One worker per process: scale with more processes (or pods) behind the gateway; uvicorn's
    own access log is off because the metrics middleware counts every request.
    """
    import uvicorn

    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        workers=1,
        log_config=None,
        access_log=False,
    )
