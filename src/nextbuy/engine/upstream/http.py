"""One guarded JSON call: timeout, status check, size cap, every failure an UpstreamError."""

from __future__ import annotations

from typing import Any

import aiohttp

from nextbuy.core.http_client import read_json
from nextbuy.engine.domain.errors import UpstreamError


class UpstreamHttp:
    """Calls to one upstream service (``source`` names it in degraded responses)."""

    def __init__(
        self, session: aiohttp.ClientSession, base_url: str, source: str, *, max_body_bytes: int
    ) -> None:
        self.session = session
        self.base_url = base_url.rstrip("/")
        self.source = source
        self.max_body_bytes = max_body_bytes

    async def get(
        self, path: str, *, params: dict[str, str] | None = None, timeout_s: float = 5.0
    ) -> Any:
        return await self._call("GET", path, params=params, json=None, timeout_s=timeout_s)

    async def post(self, path: str, body: Any, *, timeout_s: float = 5.0) -> Any:
        return await self._call("POST", path, params=None, json=body, timeout_s=timeout_s)

    async def _call(
        self, method: str, path: str, *, params: dict[str, str] | None, json: Any, timeout_s: float
    ) -> Any:
        timeout = aiohttp.ClientTimeout(total=timeout_s)
        url = f"{self.base_url}{path}"
        try:
            async with self.session.request(
                method, url, params=params, json=json, timeout=timeout
            ) as response:
                if response.status == 404:
                    return None
                if response.status >= 400:
                    raise UpstreamError(self.source, f"HTTP {response.status} from {method} {path}")
                return await read_json(response, max_bytes=self.max_body_bytes)
        except (aiohttp.ClientError, TimeoutError) as error:
            raise UpstreamError(
                self.source, f"{type(error).__name__} on {method} {path}"
            ) from error
        except ValueError as error:  # malformed or oversized body
            raise UpstreamError(self.source, f"bad body from {method} {path}: {error}") from error
