"""Small request helpers for the orders API tests."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:
    from django.http import HttpResponse
    from django.test import Client


def post_json(client: Client, path: str, body: Any) -> HttpResponse:
    return client.post(path, orjson.dumps(body), content_type="application/json")


def error_fields(response: HttpResponse) -> list[str]:
    """The ``field`` of every error in a problem body."""
    body = orjson.loads(response.content)
    assert set(body) >= {"type", "title", "status", "detail"}
    assert body["status"] == response.status_code
    return [error["field"] for error in body.get("errors", [])]


def page_through(client: Client, path: str, limit: int) -> tuple[list[str], int]:
    """Every id a client paging with ``next_cursor`` sees, and how many pages it took."""
    ids: list[str] = []
    pages = 0
    cursor: str | None = None
    while True:
        query = f"limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        separator = "&" if "?" in path else "?"
        response = client.get(f"{path}{separator}{query}")
        assert response.status_code == 200, response.content
        body = orjson.loads(response.content)
        ids += [item["id"] for item in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return ids, pages
