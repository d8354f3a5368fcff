"""Assertions on problem-JSON error bodies."""

from __future__ import annotations

from typing import Any, Protocol


class ResponseLike(Protocol):
    """What the assertions read from a test client's response."""

    @property
    def status_code(self) -> int: ...

    @property
    def text(self) -> str: ...

    def json(self) -> Any: ...


def assert_problem(response: ResponseLike, status: int, *fields: str) -> None:
    """The response is a problem body with ``status`` naming exactly ``fields`` (if given)."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status"] == status
    assert {"type", "title", "detail"} <= body.keys()
    if fields:
        assert sorted({e["field"] for e in body["errors"]}) == sorted(fields), body
