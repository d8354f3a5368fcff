"""``/healthz``, ``/readyz`` and ``/metrics``: what orchestrators and Prometheus call."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from nextbuy.core.health import LIVENESS_BODY, check_readiness
from nextbuy.core.metrics import PROMETHEUS_CONTENT_TYPE, HttpMetrics
from nextbuy.orders.domain.history import OrderHistory


def operations_router(history: OrderHistory, metrics: HttpMetrics) -> Router:
    """Health and metrics endpoints bound to this app's storage and registry."""
    router = Router(tags=["operations"])

    @router.get("/healthz", response=dict[str, str], summary="Liveness")
    def healthz(request: HttpRequest) -> dict[str, str]:
        """The process is up and serving HTTP."""
        return LIVENESS_BODY

    @router.get("/readyz", response={200: dict[str, Any], 503: dict[str, Any]}, summary="Readiness")
    def readyz(request: HttpRequest) -> Status[dict[str, Any]]:
        """The database answers (503 naming the failed check otherwise)."""
        report = check_readiness({"database": history.check_storage})
        return Status(report.status_code, report.to_dict())

    @router.get("/metrics", summary="Prometheus metrics")
    def prometheus_metrics(request: HttpRequest) -> HttpResponse:
        """Prometheus text exposition of this service's metrics."""
        return HttpResponse(metrics.render(), content_type=PROMETHEUS_CONTENT_TYPE)

    return router
