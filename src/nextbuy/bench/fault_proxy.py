"""A fault-injecting TCP proxy for HTTP/1.1 upstreams, switchable while it runs.

``tc netem`` is not available on the bench machines, so latency and failures are injected in
user space. The proxy understands just enough HTTP to work per request on keep-alive
connections: a client→server chunk that starts with a request method opens a request, and the
first response bytes after it are held back by that request's latency. It counts every request
that reaches it, which is how the bench counts upstream calls without trusting the engine.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
import struct
from collections import deque
from dataclasses import dataclass, replace
from typing import Any

REQUEST_METHODS = (b"GET ", b"POST ", b"PUT ", b"PATCH ", b"DELETE ", b"HEAD ", b"OPTIONS ")
CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True)
class Faults:
    """What the proxy does to each request; every field can change while it runs."""

    latency_ms: float = 20.0
    """Mean latency added to each response."""
    jitter_ms: float = 10.0
    """Latency is uniform in ``latency_ms ± jitter_ms`` (never below zero)."""
    added_ms: float = 0.0
    """Extra latency on every response (the slow-upstream scenario: +150 ms)."""
    slow_fraction: float = 0.0
    """Share of requests delayed by a further ``slow_extra_ms`` (the tail / hedging scenario)."""
    slow_extra_ms: float = 200.0
    reset_fraction: float = 0.0
    """Share of requests answered with a TCP reset instead of being forwarded."""
    black_hole: bool = False
    """Accept and read requests but never forward or answer them."""


NO_FAULTS = Faults(latency_ms=0.0, jitter_ms=0.0)


class FaultProxy:
    """Listens on ``listen_port`` and forwards to ``upstream_host:upstream_port`` with faults."""

    def __init__(
        self,
        name: str,
        upstream_port: int,
        *,
        upstream_host: str = "127.0.0.1",
        listen_port: int = 0,
        faults: Faults | None = None,
        seed: int = 0,
    ) -> None:
        self.name = name
        self.upstream = (upstream_host, upstream_port)
        self.baseline = faults if faults is not None else Faults()
        self.faults = self.baseline
        self.requests = 0
        """Requests that reached the proxy (forwarded, reset or swallowed alike)."""
        self.connections = 0
        self._listen_port = listen_port
        self._random = random.Random(seed)
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[Any]] = set()

    @property
    def port(self) -> int:
        if self._server is None:
            return self._listen_port
        return int(self._server.sockets[0].getsockname()[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self._server = await asyncio.start_server(
            self._serve, "127.0.0.1", self._listen_port, reuse_address=True
        )

    async def stop(self) -> None:
        """Stop listening and cut every open connection."""
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None

    def configure(self, **changes: Any) -> Faults:
        """Change some fault fields now (``configure(added_ms=150)``); returns the new faults."""
        self.faults = replace(self.faults, **changes)
        return self.faults

    def reset_faults(self) -> None:
        """Back to the baseline (the injected network latency, no failures)."""
        self.faults = self.baseline

    def chance(self, fraction: float) -> bool:
        """True for ``fraction`` of calls (seeded, so a run can be repeated)."""
        return fraction > 0 and self._random.random() < fraction

    def request_delay_s(self) -> float:
        """Draw one request's added latency from the current faults."""
        faults = self.faults
        spread = self._random.uniform(-faults.jitter_ms, faults.jitter_ms)
        delay_ms = max(0.0, faults.latency_ms + spread) + faults.added_ms
        if self.chance(faults.slow_fraction):
            delay_ms += faults.slow_extra_ms
        return delay_ms / 1000

    async def _serve(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self.connections += 1
        try:
            await _Connection(self, client_r, client_w).run()
        except (OSError, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:
            # Only stop() cancels a connection; ending quietly keeps asyncio's stream callback
            # from logging the cancellation as an error.
            pass
        finally:
            self._tasks.discard(task)
            _close(client_w)


class _Connection:
    """One client connection and, unless it is black-holed, its upstream connection."""

    def __init__(
        self, proxy: FaultProxy, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter
    ) -> None:
        self.proxy = proxy
        self.client_r, self.client_w = client_r, client_w
        self.delays: deque[float] = deque()
        self.swallowing = False

    async def run(self) -> None:
        if self.proxy.faults.black_hole:
            self.swallowing = True
            await self._client_to_upstream(None)
            return
        try:
            upstream_r, upstream_w = await asyncio.open_connection(*self.proxy.upstream)
        except OSError:
            # The upstream is down: the caller sees its connection reset, as it would directly.
            _reset(self.client_w)
            return
        try:
            pumps = [
                asyncio.create_task(self._client_to_upstream(upstream_w)),
                asyncio.create_task(self._upstream_to_client(upstream_r)),
            ]
            try:
                await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for pump in pumps:
                    pump.cancel()
                await asyncio.gather(*pumps, return_exceptions=True)
        finally:
            _close(upstream_w)

    async def _client_to_upstream(self, upstream_w: asyncio.StreamWriter | None) -> None:
        while chunk := await self.client_r.read(CHUNK):
            if chunk.startswith(REQUEST_METHODS) and not self._open_request(upstream_w):
                return
            if self.swallowing or upstream_w is None:
                continue  # black hole: read and drop, never answer
            upstream_w.write(chunk)
            await upstream_w.drain()

    def _open_request(self, upstream_w: asyncio.StreamWriter | None) -> bool:
        """Count a new request and decide its fate; False when the connection was reset."""
        proxy = self.proxy
        proxy.requests += 1
        faults = proxy.faults
        if faults.black_hole:
            self.swallowing = True
        if proxy.chance(faults.reset_fraction):
            _reset(self.client_w)
            if upstream_w is not None:
                _reset(upstream_w)
            return False
        self.delays.append(proxy.request_delay_s())
        return True

    async def _upstream_to_client(self, upstream_r: asyncio.StreamReader) -> None:
        while chunk := await upstream_r.read(CHUNK):
            if self.delays:
                delay = self.delays.popleft()
                if delay > 0:
                    await asyncio.sleep(delay)
            self.client_w.write(chunk)
            await self.client_w.drain()


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP RST (SO_LINGER 0), not a FIN: what a crashed peer looks like."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


def _close(writer: asyncio.StreamWriter) -> None:
    if not writer.transport.is_closing():
        writer.close()
