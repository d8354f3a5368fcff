"""Flask wiring for the profiles service: the same errors, health and metrics as the rest."""

from __future__ import annotations

import time
from collections.abc import Mapping

from flask import Flask, Response, g, request
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

from nextbuy.core.errors import (
    NextbuyError,
    Problem,
    field_errors_from_pydantic,
    validation_problem,
)
from nextbuy.core.health import LIVENESS_BODY, ReadinessCheck, check_readiness
from nextbuy.core.metrics import PROMETHEUS_CONTENT_TYPE, HttpMetrics
from nextbuy.core.serialization import dumps_json


def json_response(body: object, status: int = 200) -> Response:
    """Serialise with orjson (datetimes, pydantic models) into a Flask response."""
    return Response(dumps_json(body), status=status, mimetype="application/json")


def problem_response(problem: Problem) -> Response:
    return json_response(problem.to_dict(), problem.status)


def install_common(
    app: Flask,
    *,
    metrics: HttpMetrics,
    readiness: Mapping[str, ReadinessCheck],
    max_body_bytes: int,
) -> None:
    """Give ``app`` the behaviour every Nextbuy service shares."""
    app.config["MAX_CONTENT_LENGTH"] = max_body_bytes
    _install_error_handlers(app)

    @app.before_request
    def _start_timer() -> None:
        g.nextbuy_started = time.perf_counter()

    @app.after_request
    def _record(response: Response) -> Response:
        started = g.get("nextbuy_started", time.perf_counter())
        route = request.url_rule.rule if request.url_rule else "unmatched"
        metrics.observe(
            method=request.method,
            route=route,
            status=response.status_code,
            seconds=time.perf_counter() - started,
        )
        return response

    @app.get("/healthz")
    def healthz() -> Response:
        """The process is up and serving HTTP."""
        return json_response(LIVENESS_BODY)

    @app.get("/readyz")
    def readyz() -> Response:
        """Every dependency this service needs is reachable."""
        report = check_readiness(readiness)
        return json_response(report.to_dict(), report.status_code)

    @app.get("/metrics")
    def prometheus_metrics() -> Response:
        """Prometheus text exposition of this service's metrics."""
        return Response(metrics.render(), mimetype=PROMETHEUS_CONTENT_TYPE)


def _install_error_handlers(app: Flask) -> None:
    @app.errorhandler(NextbuyError)
    def on_nextbuy_error(exc: NextbuyError) -> Response:
        return problem_response(Problem.from_error(exc))

    @app.errorhandler(ValidationError)
    def on_validation_error(exc: ValidationError) -> Response:
        errors = field_errors_from_pydantic(exc.errors(include_url=False))
        return problem_response(validation_problem(errors))

    @app.errorhandler(HTTPException)
    def on_http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        title = exc.name or "HTTP error"
        kind = title.lower().replace(" ", "_")
        return problem_response(Problem(status, kind, title, exc.description or title))
