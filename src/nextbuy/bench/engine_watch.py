"""Samples the engines' own ``/metrics`` while a phase runs: what S3 checks from the inside.

Upstream calls in flight per source (and the peak since the engine started) show whether the
bulkhead bounds the calls a hung upstream holds; ``process_open_fds`` shows whether the
connections it held are released after it resumes. Only a few lines of the exposition are
read, with a regex: the proxies share this event loop, and a full parse would delay them.

In phases with a fault, each scrape also counts the connections clients hold open to the
engine (read from the kernel's socket table, the client side of each). Those descriptors are
the clients' choice, not the engine's: the load generator's pool grows while a hung upstream
slows answers and, reusing its connections in turn, keeps every one alive afterwards. S3 asks
whether the engine lets go of what *it* held, so it is judged on the descriptors net of them
(ADR 0025). Reading the table walks every bucket of the kernel's connection hash (4.5 ms per
file with 24 GiB of RAM, longer with the TIME_WAIT rows a naive phase leaves), so it is read in
a worker thread, never on the proxies' loop (ADR 0025, addendum).
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import aiohttp

from nextbuy.bench.stack import BenchStack

SAMPLE_EVERY_S = 0.5
_LINE = re.compile(
    rb"^(nextbuy_engine_upstream_in_flight(?:_peak)?|nextbuy_engine_breaker_open)"
    rb"\{source=\"(\w+)\"\} ([0-9.e+]+)$"
    rb"|^(process_open_fds) ([0-9.e+]+)$",
    re.MULTILINE,
)
_GC = re.compile(
    rb'^nextbuy_gc_pause_seconds_(sum|count|bucket)\{generation="(\d)"(?:,le="0\.05")?\} '
    rb"([0-9.e+]+)$",
    re.MULTILINE,
)
_LAG = re.compile(rb"^nextbuy_engine_event_loop_lag_seconds ([0-9.e+-]+)$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class EngineSample:
    """One scrape, ``at_s`` seconds from the phase's start."""

    at_s: float
    open_fds: int | None
    in_flight: dict[str, int] = field(default_factory=dict)
    in_flight_peak: dict[str, int] = field(default_factory=dict)
    breaker_open: dict[str, int] = field(default_factory=dict)
    """1 per breaker (``profiles``, ``catalog_feed``…) that is open or half-open."""
    gc_seconds: dict[str, float] = field(default_factory=dict)
    """Seconds spent collecting since the engine started, by generation (a counter)."""
    gc_collections: dict[str, int] = field(default_factory=dict)
    gc_over_50ms: dict[str, int] = field(default_factory=dict)
    """Collections that stopped the engine for more than 50 ms, by generation (a counter)."""
    loop_lag_s: float | None = None
    """The most the engine's event loop was late over the second before the scrape."""
    client_connections: int | None = None
    """Established connections clients hold open to the engine (None: no socket table here)."""

    @property
    def own_fds(self) -> int | None:
        """Open descriptors less the clients' connections: what the engine itself holds."""
        if self.open_fds is None or self.client_connections is None:
            return self.open_fds
        return self.open_fds - self.client_connections


def parse_metrics(at_s: float, text: bytes) -> EngineSample:
    fds: int | None = None
    in_flight: dict[str, int] = {}
    peak: dict[str, int] = {}
    breakers: dict[str, int] = {}
    for match in _LINE.finditer(text):
        if match.group(4):
            fds = int(float(match.group(5)))
            continue
        name = match.group(1)
        target = (
            breakers if name.endswith(b"_open") else peak if name.endswith(b"_peak") else in_flight
        )
        target[match.group(2).decode()] = int(float(match.group(3)))
    gc_seconds: dict[str, float] = {}
    gc_collections: dict[str, int] = {}
    within_50ms: dict[str, int] = {}
    for match in _GC.finditer(text):
        kind, generation, value = match.group(1), match.group(2).decode(), float(match.group(3))
        if kind == b"sum":
            gc_seconds[generation] = value
        elif kind == b"count":
            gc_collections[generation] = int(value)
        else:
            within_50ms[generation] = int(value)
    over = {g: n - within_50ms.get(g, n) for g, n in gc_collections.items()}
    lag = _LAG.search(text)
    return EngineSample(
        at_s,
        fds,
        in_flight,
        peak,
        breakers,
        gc_seconds,
        gc_collections,
        over,
        float(lag.group(1)) if lag else None,
    )


class EngineWatch:
    """Scrapes each engine every ``SAMPLE_EVERY_S`` until cancelled; failed scrapes are skipped."""

    def __init__(
        self, stack: BenchStack, engines: list[str], t0: float, *, count_clients: bool
    ) -> None:
        self.urls = {engine: f"{stack.engine_url(engine)}/metrics" for engine in engines}
        self.ports = {engine: stack.ports[f"engine_{engine}"] for engine in engines}
        self.t0 = t0
        self.count_clients = count_clients
        """Only the fault phases' descriptor checks need the count, and it costs kernel time."""
        self.samples: dict[str, list[EngineSample]] = {engine: [] for engine in engines}

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        timeout = aiohttp.ClientTimeout(total=2 * SAMPLE_EVERY_S)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while True:
                await asyncio.gather(*(self._scrape(session, e, loop) for e in self.urls))
                await asyncio.sleep(SAMPLE_EVERY_S)

    async def _scrape(
        self, session: aiohttp.ClientSession, engine: str, loop: asyncio.AbstractEventLoop
    ) -> None:
        at = loop.time() - self.t0
        try:
            async with session.get(self.urls[engine]) as response:
                text = await response.read()
        except (aiohttp.ClientError, TimeoutError):
            return  # an engine too busy to answer a scrape is what the load figures show
        sample = parse_metrics(at, text)
        if self.count_clients:
            # In a thread: the kernel's walk of its hash table releases the GIL, not the loop.
            clients = await asyncio.to_thread(client_connections, self.ports[engine])
            sample = replace(sample, client_connections=clients)
        self.samples[engine].append(sample)


_SOCKET_TABLES = (Path("/proc/net/tcp"), Path("/proc/net/tcp6"))
_ESTABLISHED = "01"


def client_connections(port: int, tables: tuple[Path, ...] = _SOCKET_TABLES) -> int | None:
    """Established TCP connections to ``port`` on this host, counted at their client end.

    Linux only (None elsewhere). Every client here is on loopback, so each of its connections
    appears twice in the table; the row whose *remote* port is ``port`` is the client's.
    """
    # A row is "sl: local_address rem_address st ..." with addresses as hex ip:port, so
    # ":PORT 01 " occurs only as an established row's remote end (a local end is followed by
    # the remote address, never by " 01 "). One str.count per table, not a parse of every row.
    client_end = f":{port:04X} {_ESTABLISHED} "
    count, found = 0, False
    for table in tables:
        try:
            count += table.read_text().count(client_end)
        except OSError:
            continue
        found = True
    return count if found else None
