"""The last-resort error handler: an unexpected failure is logged and answered in JSON."""

from __future__ import annotations

import logging

from flask import Flask, Response, request

from nextbuy.core.errors import Problem
from nextbuy.core.web.flask import problem_response

logger = logging.getLogger(__name__)


def install_unexpected_error_handler(app: Flask) -> None:
    """Answer any exception no other handler claims with a 500 problem body, never HTML."""

    @app.errorhandler(Exception)
    def on_unexpected_error(exc: Exception) -> Response:
        # Flask prefers the more specific handlers (NextbuyError, HTTPException, pydantic's),
        # so only genuine bugs and outages arrive here.
        logger.exception("unhandled error", extra={"path": request.path})
        return problem_response(
            Problem(500, "internal_error", "Internal error", "the request could not be completed")
        )
