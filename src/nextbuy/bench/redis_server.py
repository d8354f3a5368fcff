"""A redis-server of the bench's own: started on a free port, killed by pid, flushed by a raw
RESP command (the bench needs no Redis client library for that)."""

from __future__ import annotations

import asyncio
import shutil
import time
from pathlib import Path

from nextbuy.bench.processes import BenchProcessError, ProcessSet

NAME = "redis"


def redis_server_binary() -> str | None:
    return shutil.which("redis-server")


def start_redis(processes: ProcessSet, binary: str, port: int, workdir: Path) -> None:
    """Start redis-server with no persistence: a restart comes back empty, like a crash does."""
    workdir.mkdir(parents=True, exist_ok=True)
    argv = [
        binary,
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(workdir),
        "--daemonize",
        "no",
    ]
    processes.start(NAME, argv, {})


async def redis_command(port: int, *words: str, timeout_s: float = 1.0) -> bytes:
    """Send one inline command and return the first reply line (``+PONG``, ``+OK``, …)."""
    reader, writer = await asyncio.wait_for(
        asyncio.open_connection("127.0.0.1", port), timeout=timeout_s
    )
    try:
        writer.write((" ".join(words) + "\r\n").encode())
        await writer.drain()
        return await asyncio.wait_for(reader.readline(), timeout=timeout_s)
    finally:
        writer.close()


async def wait_redis(port: int, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if (await redis_command(port, "PING")).startswith(b"+PONG"):
                return
        except (OSError, TimeoutError):
            pass
        await asyncio.sleep(0.05)
    raise BenchProcessError(f"redis-server on port {port} did not answer PING")
