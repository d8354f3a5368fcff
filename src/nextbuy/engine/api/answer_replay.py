"""Repeated ``GET /v1/recommendations`` answered from the answer cache before FastAPI routes it.

With answers cached, FastAPI's parameter handling was the largest cost left on a warm request:
``solve_dependencies`` for the ten query parameters was a third of the engine's CPU (py-spy,
docs/benchmarks.md "Warm path CPU"). A cache key is the raw path and query string, and an
answer is stored only after FastAPI validated that query, so the same bytes again need no
second validation: this middleware looks them up first. Anything else — a new query, an
invalid one, an ``X-Request-Timeout-Ms`` header that is not a valid budget (FastAPI answers
422 for it), a cache miss — goes through the app as before, and that route stores what it
computes. A valid budget changes nothing about a cached answer: it only bounds computing one.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from nextbuy.engine.domain.answers import HotAnswers
from nextbuy.engine.observability import EngineMetrics

PATH = "/v1/recommendations"
TIMEOUT_HEADER = b"x-request-timeout-ms"
MAX_TIMEOUT_MS = 60_000
"""The route's bounds for the header (1 to 60,000 ms): anything else is FastAPI's to refuse."""


def answer_key(scope: MutableMapping[str, Any]) -> tuple[str, bytes]:
    """The whole request as the cache sees it: every parameter, filters and page included."""
    return (scope["path"], scope["query_string"])


class AnswerReplay:
    """ASGI middleware: a valid cached answer for these exact request bytes, or the app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._route: object | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != PATH or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        state = scope["app"].state
        answers: HotAnswers | None = getattr(state, "answers", None)
        cached = None
        if answers is not None and self._route is not None and _valid_timeout(scope):
            cached = answers.replay(answer_key(scope))
        if cached is None:
            await self.app(scope, receive, send)
            # The routed request names its route: kept for the metrics of replayed ones.
            self._route = scope.get("route", self._route)
            return
        scope["route"] = self._route  # counted under the route template, as if routed
        metrics: EngineMetrics = state.metrics
        for source in cached.degraded_sources:
            metrics.degraded.labels(source).inc()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(cached.body)).encode()),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": cached.body})


def _valid_timeout(scope: Scope) -> bool:
    """No timeout header, or one the route would accept."""
    values = [value for name, value in scope["headers"] if name == TIMEOUT_HEADER]
    if not values:
        return True
    if len(values) > 1 or not values[0].isdigit():
        return False
    return 1 <= int(values[0]) <= MAX_TIMEOUT_MS
