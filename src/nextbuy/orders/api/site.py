"""The whole HTTP surface: the Ninja API at the root, the admin, and Django's error views."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.staticfiles.views import serve as serve_static_file
from django.http import HttpRequest, HttpResponse
from django.urls import path
from ninja import NinjaAPI
from ninja.parser import Parser
from ninja.renderers import BaseRenderer

from nextbuy.core.metrics import HttpMetrics
from nextbuy.core.serialization import dumps_json, loads_json
from nextbuy.orders.api import problems
from nextbuy.orders.api.operations import operations_router
from nextbuy.orders.api.routes import orders_router
from nextbuy.orders.domain.history import OrderHistory


class OrjsonRenderer(BaseRenderer):
    """Responses through the shared orjson encoder (RFC 3339 UTC timestamps)."""

    media_type = "application/json"

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> bytes:
        return dumps_json(data)


class OrjsonParser(Parser):
    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        return loads_json(request.body)


def build_api(history: OrderHistory, metrics: HttpMetrics) -> NinjaAPI:
    """The Ninja API: ``/v1`` operations, health, metrics, ``/openapi.json`` and ``/docs``."""
    api = NinjaAPI(
        title="Nextbuy Order History",
        version="1",
        description="Orders and their lines, per user and as a change feed.",
        renderer=OrjsonRenderer(),
        parser=OrjsonParser(),
        openapi_url="/openapi.json",
        docs_url="/docs",
        urls_namespace="orders-api",
    )
    problems.install_problem_handlers(api)
    api.add_router("", operations_router(history, metrics))
    api.add_router("", orders_router(history))
    return api


def build_urlconf(history: OrderHistory, metrics: HttpMetrics) -> dict[str, Any]:
    """The contents of the URLconf module (``ROOT_URLCONF``): routes and error views."""
    api = build_api(history, metrics)
    return {
        "urlpatterns": [
            path("admin/", admin.site.urls),
            path("static/<path:path>", serve_static),
            path("", api.urls),
        ],
        "handler400": problems.bad_request,
        "handler404": problems.not_found,
        "handler500": problems.server_error,
    }


def serve_static(request: HttpRequest, path: str) -> HttpResponse:
    """The admin's and the API docs' CSS and scripts, found in the installed apps.

    Django refuses this with DEBUG off unless ``insecure``: fine here, the files are the
    admin's own, the traffic is a few staff pages, and it keeps the service one process.
    """
    return serve_static_file(request, path, insecure=True)
