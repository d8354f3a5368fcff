"""Django middleware every request passes: body-size limit, JSON 405s and request metrics.

Django instantiates middleware by dotted path, so what they need comes from two settings
the composition root sets: ``NEXTBUY_MAX_BODY_BYTES`` and ``NEXTBUY_HTTP_METRICS``.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from nextbuy.core.errors import Problem
from nextbuy.core.metrics import HttpMetrics
from nextbuy.orders.api.problems import problem_response

GetResponse = Callable[[HttpRequest], HttpResponse]


class BodySizeLimitMiddleware:
    """Answer 413 in problem JSON before reading a body longer than the limit.

    Django's own ``DATA_UPLOAD_MAX_MEMORY_SIZE`` would answer a 400 HTML page, and only once
    the view reads the body.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        self.max_body_bytes = int(settings.NEXTBUY_MAX_BODY_BYTES)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        declared = str(request.META.get("CONTENT_LENGTH") or "")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            detail = f"request body is larger than {self.max_body_bytes} bytes"
            return problem_response(Problem(413, "payload_too_large", "Payload too large", detail))
        return self.get_response(request)


class MethodNotAllowedMiddleware:
    """Ninja answers a wrong method with a bare text 405; answer with problem JSON instead."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 405 or "json" in response.get("Content-Type", ""):
            return response
        allowed = response.get("Allow", "")
        detail = f"{request.method} is not allowed here; allowed: {allowed or 'none'}"
        problem = problem_response(Problem(405, "method_not_allowed", "Method not allowed", detail))
        if allowed:
            problem["Allow"] = allowed
        return problem


class RequestMetricsMiddleware:
    """Count and time every request by its route template (bounded labels, never raw paths)."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        self.metrics: HttpMetrics = settings.NEXTBUY_HTTP_METRICS

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = request.resolver_match
        route = f"/{match.route}" if match is not None and match.route else "unmatched"
        self.metrics.observe(
            method=request.method or "",
            route=route,
            status=response.status_code,
            seconds=time.perf_counter() - started,
        )
        return response
