"""The S3 check reads the engine's own metrics: in-flight calls, their peak, open descriptors."""

from __future__ import annotations

import asyncio
import socket
import sys
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pytest
from aiohttp import web
from prometheus_client import CollectorRegistry, generate_latest

from nextbuy.bench.engine_watch import (
    EngineSample,
    EngineWatch,
    client_connections,
    parse_metrics,
)
from nextbuy.bench.report import check_targets
from nextbuy.bench.runner import BenchOptions, BenchReport
from nextbuy.engine.observability import EngineMetrics
from tests.bench.test_bench_report import make_phase


def test_reads_in_flight_calls_and_descriptors_from_a_real_engine_registry() -> None:
    registry = CollectorRegistry()
    metrics = EngineMetrics(registry)
    metrics.in_flight.labels("profiles").set(3)
    metrics.in_flight_peak.labels("profiles").set(10)
    metrics.in_flight.labels("orders").set(1)
    sample = parse_metrics(2.5, generate_latest(registry))
    assert sample.in_flight == {"profiles": 3, "orders": 1}
    assert sample.in_flight_peak == {"profiles": 10}
    assert sample.open_fds is not None
    assert sample.open_fds > 0


def hung_phase(peak: int, fds_after: list[int]) -> BenchReport:
    phase = make_phase("upstream_hung_profiles", "optimized", [20.0] * 100, 0)
    phase.events = {"fault": 3.0, "recovery_started": 6.0, "recovered": 6.0}
    before = [EngineSample(t / 2, 40, {"profiles": 1}, {"profiles": 2}) for t in range(6)]
    during = [EngineSample(3 + t / 2, 60, {"profiles": peak}, {"profiles": peak}) for t in range(6)]
    after = [EngineSample(6 + t, n, {}, {"profiles": peak}) for t, n in enumerate(fds_after)]
    phase.engine_samples = before + during + after
    return BenchReport([phase], [], Path("."), BenchOptions())


def s3(report: BenchReport) -> bool | None:
    (check,) = [c for c in check_targets(report) if "in-flight calls to profiles" in c.target]
    return check.met


def test_s3_wants_in_flight_within_the_bulkhead_and_descriptors_back_within_10_s() -> None:
    assert s3(hung_phase(10, [60, 55, 42, 41] + [40] * 8)) is True
    assert s3(hung_phase(12, [40] * 12)) is False  # more calls than slots
    assert s3(hung_phase(10, [60] * 12)) is False  # still holding the hung connections
    assert s3(hung_phase(10, [60, 60])) is None  # the run ended too soon to say


def with_clients(report: BenchReport, before: int, after: int) -> BenchReport:
    """Clients hold ``before`` connections until the fault, ``after`` from then on."""
    (phase,) = report.phases
    phase.engine_samples = [
        replace(s, client_connections=before if s.at_s < 3.0 else after)
        for s in phase.engine_samples
    ]
    return report


def test_s3_does_not_count_connections_the_clients_keep_open() -> None:
    # The load generator grew its pool from 7 to 13 while answers were slow and keeps it:
    # the engine's own descriptors (40 - 7 before, 46 - 13 after) are back.
    assert s3(with_clients(hung_phase(10, [60] + [46] * 11), before=7, after=13)) is True
    # Without the count the same scrapes read as descriptors held on to.
    assert s3(hung_phase(10, [60] + [46] * 11)) is False
    # The engine still holding 20 more of its own is caught whatever the clients hold.
    assert s3(with_clients(hung_phase(10, [60] + [60] * 11), before=7, after=7)) is False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/net/tcp (Linux)")
def test_counts_the_connections_clients_hold_open_to_a_port() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(3)]
        accepted = [server.accept()[0] for _ in clients]
        try:
            assert client_connections(port) == 3
            clients.pop().close()
            assert client_connections(port) == 2  # closed by the client: no longer held
        finally:
            for sock in clients + accepted:
                sock.close()


def test_no_socket_table_means_no_count(tmp_path: Path) -> None:
    assert client_connections(80, (tmp_path / "absent",)) is None


def test_reads_collector_pauses_and_loop_lag_from_a_real_engine_registry() -> None:
    registry = CollectorRegistry()
    metrics = EngineMetrics(registry)
    for seconds in (0.002, 0.03, 0.08, 0.12):
        metrics.on_gc_pause(2, seconds)
    metrics.on_gc_pause(0, 0.0004)
    metrics.loop_lag.set(0.07)
    sample = parse_metrics(1.0, generate_latest(registry))
    assert sample.gc_collections == {"0": 1, "2": 4}
    assert sample.gc_over_50ms == {"0": 0, "2": 2}
    assert abs(sample.gc_seconds["2"] - 0.232) < 1e-9
    assert sample.loop_lag_s == 0.07


def test_a_phase_reports_the_collections_made_during_it() -> None:
    phase = make_phase("cold", "optimized", [20.0] * 10, 0)
    phase.engine_samples = [
        EngineSample(
            0.0, 40, gc_seconds={"2": 1.0}, gc_collections={"2": 3}, gc_over_50ms={"2": 1}
        ),
        EngineSample(
            9.0, 40, gc_seconds={"2": 1.3}, gc_collections={"2": 5}, gc_over_50ms={"2": 2}
        ),
    ]
    assert phase.engine_gc == {"2": {"collections": 2, "seconds": 0.3, "over_50ms": 1}}


async def _watch_a_real_metrics_endpoint(*, count_clients: bool) -> list[EngineSample]:
    registry = CollectorRegistry()
    EngineMetrics(registry).in_flight.labels("profiles").set(2)

    async def metrics(_request: web.Request) -> web.Response:
        return web.Response(body=generate_latest(registry))

    app = web.Application()
    app.router.add_get("/metrics", metrics)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    stack = SimpleNamespace(
        engine_url=lambda _engine: f"http://127.0.0.1:{port}",
        ports={"engine_optimized": port},
    )
    watch = EngineWatch(stack, ["optimized"], 0.0, count_clients=count_clients)  # type: ignore[arg-type]
    watching = asyncio.create_task(watch.run())
    try:
        while len(watch.samples["optimized"]) < 2:
            await asyncio.sleep(0.05)
    finally:
        watching.cancel()
        await asyncio.gather(watching, return_exceptions=True)
        await runner.cleanup()
    return watch.samples["optimized"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/net/tcp (Linux)")
def test_fault_phases_count_client_connections_other_phases_do_not() -> None:
    counted = asyncio.run(_watch_a_real_metrics_endpoint(count_clients=True))
    assert all(s.in_flight == {"profiles": 2} for s in counted)
    # The watch's own keep-alive connection to /metrics is a client's connection too.
    assert all(s.client_connections is not None and s.client_connections >= 1 for s in counted)
    uncounted = asyncio.run(_watch_a_real_metrics_endpoint(count_clients=False))
    assert all(s.client_connections is None for s in uncounted)
    assert all(s.in_flight == {"profiles": 2} for s in uncounted)
