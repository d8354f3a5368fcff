"""The one way services make HTTP calls to each other: a pooled, keep-alive aiohttp session.

aiohttp rather than httpx: fanning out to four upstreams at 32 concurrent requests on this
machine, aiohttp spent ~0.35 ms CPU per call against httpx's ~1.4 ms (see docs/decisions).
"""

from __future__ import annotations

from typing import Any

import aiohttp
import orjson

from nextbuy.core.serialization import dumps_json


def _dumps(value: Any) -> str:
    return dumps_json(value).decode()


def create_session(
    *,
    total_timeout_s: float = 5.0,
    connections_per_host: int = 32,
    headers: dict[str, str] | None = None,
) -> aiohttp.ClientSession:
    """A session with bounded pools per upstream host and orjson bodies. Close it on shutdown."""
    connector = aiohttp.TCPConnector(
        limit=connections_per_host * 8,
        limit_per_host=connections_per_host,
        keepalive_timeout=30,
        ttl_dns_cache=300,
    )
    return aiohttp.ClientSession(
        connector=connector,
        timeout=aiohttp.ClientTimeout(total=total_timeout_s),
        json_serialize=_dumps,
        headers={"Accept": "application/json", **(headers or {})},
        raise_for_status=False,
    )


async def read_json(response: aiohttp.ClientResponse, *, max_bytes: int) -> Any:
    """Read a JSON body, refusing one larger than ``max_bytes`` (a misbehaving upstream)."""
    declared = response.content_length
    if declared is not None and declared > max_bytes:
        raise ValueError(f"upstream body of {declared} bytes is larger than {max_bytes}")
    # StreamReader.read(n) returns what has arrived so far, not n bytes: read to the end.
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > max_bytes:
            raise ValueError(f"upstream body larger than {max_bytes} bytes")
        chunks.append(chunk)
    return orjson.loads(b"".join(chunks))
