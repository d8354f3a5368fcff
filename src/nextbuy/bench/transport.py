"""Which wire format and transport for the engine's bulk paths — measured, not assumed.

Two questions, each answered on the same payload (one change-feed page of 1,000 products):
1. codec: decode + validate with orjson against msgpack (what the engine does per page);
2. transport: that page fetched over aiohttp (HTTP/1.1 keep-alive) against gRPC (HTTP/2,
   grpcio's asyncio API, a generic bytes handler so no code generation skews it). The server
   runs in its own process, so the client's CPU per call is the client's alone.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import msgpack
import orjson

from nextbuy.bench.event_platform import free_port
from nextbuy.contracts.catalog import ProductPublic
from nextbuy.contracts.common import Page

PAGE = Page[ProductPublic]
METHOD = "/nextbuy.bench.Feed/Page"


def sample_page(size: int = 1000) -> dict[str, Any]:
    now = datetime(2026, 1, 1, tzinfo=UTC).isoformat()
    return {
        "items": [
            {
                "id": f"p{i:06d}",
                "sku": f"SKU-{i:06d}",
                "title": f"Brand Adjective Noun item {i}",
                "description": "A useful product for everyday life, made to last. " * 3,
                "category_path": ["Home", "Kitchen"],
                "brand": "Acme",
                "price": 19.99,
                "currency": "EUR",
                "image_url": None,
                "attributes": {"colour": "blue", "size": "M"},
                "active": True,
                "created_at": now,
                "updated_at": now,
            }
            for i in range(size)
        ],
        "next_cursor": "abc",
    }


@dataclass(frozen=True)
class Measurement:
    name: str
    calls: int
    wall_ms_per_call: float
    cpu_ms_per_call: float
    bytes_per_call: int

    @property
    def calls_per_s(self) -> float:
        return 1000 / self.wall_ms_per_call if self.wall_ms_per_call else float("inf")


def measure_codecs(page: dict[str, Any], repeat: int = 100) -> list[Measurement]:
    """Decode + validate one page, both ways (CPU only, no network)."""
    payloads: dict[str, tuple[bytes, Callable[[bytes], Any]]] = {
        "orjson decode + validate": (orjson.dumps(page), orjson.loads),
        "msgpack decode + validate": (msgpack.packb(page), msgpack.unpackb),
    }
    results = []
    for name, (body, decode) in payloads.items():
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(repeat):
            PAGE.model_validate(decode(body))
        results.append(
            Measurement(
                name,
                repeat,
                (time.perf_counter() - wall) * 1000 / repeat,
                (time.process_time() - cpu) * 1000 / repeat,
                len(body),
            )
        )
    return results


def _serve_http(port: int, body: bytes) -> None:
    from aiohttp import web

    async def page(_request: web.Request) -> web.Response:
        return web.Response(body=body, content_type="application/json")

    app = web.Application()
    app.router.add_get("/page", page)
    web.run_app(app, host="127.0.0.1", port=port, print=None, handle_signals=True)


def _serve_grpc(port: int, body: bytes) -> None:
    import grpc

    async def main() -> None:
        async def page(_request: bytes, _context: Any) -> bytes:
            return body

        handler = grpc.method_handlers_generic_handler(
            "nextbuy.bench.Feed", {"Page": grpc.unary_unary_rpc_method_handler(page)}
        )
        server = grpc.aio.server()
        server.add_generic_rpc_handlers((handler,))
        server.add_insecure_port(f"127.0.0.1:{port}")
        await server.start()
        await server.wait_for_termination()

    asyncio.run(main())


async def _timed(
    name: str, call: Callable[[], Awaitable[int]], calls: int, in_flight: int
) -> Measurement:
    for _ in range(20):  # warm the connection and the server
        await call()
    gate = asyncio.Semaphore(in_flight)
    sizes: list[int] = []

    async def one() -> None:
        async with gate:
            sizes.append(await call())

    wall, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(one() for _ in range(calls)))
    return Measurement(
        name,
        calls,
        (time.perf_counter() - wall) * 1000 / calls,
        (time.process_time() - cpu) * 1000 / calls,
        sizes[0],
    )


async def _until_listening(port: int, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            _reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.1)
            continue
        writer.close()
        await writer.wait_closed()
        return
    raise RuntimeError(f"the benchmark server on port {port} did not start")


async def measure_transports(
    body: bytes, calls: int = 300, in_flight: int = 8
) -> list[Measurement]:
    """The same page fetched over aiohttp and over gRPC, each from a server process of its own."""
    results = []
    for serve, measure in ((_serve_http, _measure_http), (_serve_grpc, _measure_grpc)):
        port = free_port()
        server = multiprocessing.get_context("spawn").Process(
            target=serve, args=(port, body), daemon=True
        )
        server.start()
        try:
            await _until_listening(port)
            results.append(await measure(port, calls, in_flight))
        finally:
            server.terminate()
            server.join(5)
    return results


async def _measure_http(port: int, calls: int, in_flight: int) -> Measurement:
    import aiohttp

    async with aiohttp.ClientSession() as session:

        async def fetch() -> int:
            async with session.get(f"http://127.0.0.1:{port}/page") as reply:
                return len(await reply.read())

        return await _timed(f"aiohttp HTTP/1.1, {in_flight} in flight", fetch, calls, in_flight)


async def _measure_grpc(port: int, calls: int, in_flight: int) -> Measurement:
    import grpc

    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        stub = channel.unary_unary(METHOD)

        async def fetch() -> int:
            return len(await stub(b""))

        return await _timed(f"gRPC HTTP/2, {in_flight} in flight", fetch, calls, in_flight)
