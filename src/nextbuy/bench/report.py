"""The bench's outputs: the results table, the issue's targets checked, JSON and Markdown."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import orjson
from rich.table import Table

from nextbuy.bench.phases import FD_RETURN_S, PhaseResult
from nextbuy.bench.probe import COLD_PATH_CALLS
from nextbuy.bench.runner import BenchReport
from nextbuy.bench.stack import ENGINE_BULKHEAD_LIMIT

COLUMNS = (
    ("scenario", "name"),
    ("client", "client"),
    ("requests", "requests"),
    ("errors", "errors"),
    ("p50 ms", "p50_ms"),
    ("p95 ms", "p95_ms"),
    ("p99 ms", "p99_ms"),
    ("mean ms", "mean_ms"),
    ("rps", "rps"),
    ("≤200 ms %", "within_200ms_pct"),
    ("degraded %", "degraded_pct"),
    ("calls/req", "upstream_calls_per_request"),
)
FAULT_SCENARIOS = ("upstream_killed_orders", "upstream_hung_profiles", "upstream_slow_catalog")

CLEAR_WITHIN_S = 10.0
BULKHEAD_LIMIT = ENGINE_BULKHEAD_LIMIT


@dataclass(frozen=True, slots=True)
class TargetCheck:
    target: str
    measured: str
    met: bool | None
    """None when the run did not include what the target needs, or was too short to show it."""
    not_judged: str = ""
    """Why ``met`` is None although the rows exist (e.g. a --quick fault window of 0.3 s)."""

    @property
    def verdict(self) -> str:
        if self.met is None and self.not_judged:
            return f"not judged: {self.not_judged}"
        return {True: "met", False: "NOT met", None: "not measured"}[self.met]


def rows(report: BenchReport) -> list[dict[str, Any]]:
    return [phase.row() for phase in report.phases]


def write_json(report: BenchReport, path: Path) -> None:
    """``{"scenarios": [...]}`` with exactly the documented keys per row."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(orjson.dumps({"scenarios": rows(report)}, option=orjson.OPT_INDENT_2))


def write_details(report: BenchReport, path: Path) -> None:
    """Everything else: fault timelines, recovery times, probes, targets, options."""
    path.parent.mkdir(parents=True, exist_ok=True)
    details = {
        "options": {
            "rate_per_s": report.options.rate_per_s,
            "duration_s": report.options.duration_s,
            "capacity_s": report.options.capacity_s,
            "capacity_concurrency": report.options.capacity_concurrency,
            "arrivals": report.options.arrivals,
            "shop": asdict(report.options.shop),
            "latency": asdict(report.options.latency),
        },
        "probes": [asdict(p) for p in report.probes],
        "phases": [phase.details() for phase in report.phases],
        "targets": [asdict(t) | {"verdict": t.verdict} for t in check_targets(report)],
        "skipped": report.skipped,
    }
    path.write_bytes(orjson.dumps(details, option=orjson.OPT_INDENT_2))


def results_table(report: BenchReport) -> Table:
    table = Table(*(title for title, _ in COLUMNS), "recovery s", title="nextbuy bench")
    for phase in report.phases:
        row = phase.row()
        cells = [_cell(row[key]) for _, key in COLUMNS]
        table.add_row(*cells, _recovery(phase))
    return table


def targets_table(checks: Iterable[TargetCheck]) -> Table:
    table = Table("target (issue 5)", "measured", "verdict", title="targets")
    for check in checks:
        colour = {True: "green", False: "red", None: "yellow"}[check.met]
        table.add_row(check.target, check.measured, f"[{colour}]{check.verdict}[/{colour}]")
    return table


def markdown(report: BenchReport) -> str:
    """Both tables as Markdown, for docs/benchmarks.md."""
    header = [title for title, _ in COLUMNS] + ["degraded clears after (s)"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for phase in report.phases:
        row = phase.row()
        cells = [_cell(row[key]) for _, key in COLUMNS]
        cells.append(_recovery(phase))
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "| target | measured | verdict |", "|---|---|---|"]
    lines += [f"| {c.target} | {c.measured} | {c.verdict} |" for c in check_targets(report)]
    return "\n".join(lines) + "\n"


def _recovery(phase: PhaseResult) -> str:
    """Seconds until answers stopped being degraded by the fault; ">N" if not by the end."""
    clearing = phase.clearing
    if clearing is None:
        return ""
    return (
        f"{clearing.after_s:.1f}" if clearing.after_s is not None else f">{clearing.observed_s:.1f}"
    )


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) >= 10 else f"{value:.3g}"
    return str(value)


def _find(report: BenchReport, name: str, client: str) -> PhaseResult | None:
    return next((p for p in report.phases if p.name == name and p.client == client), None)


def check_targets(report: BenchReport) -> list[TargetCheck]:
    """The data-plane issue's targets, each judged from this run's figures only."""
    checks = [_warm_speedup(report), _cold_p50(report), _warm_calls(report)]
    checks += [_fault(report, name) for name in FAULT_SCENARIOS]
    checks.append(_hung_bounds(report))
    checks += [_hedging(report), _throughput(report)]
    return checks


def _warm_speedup(report: BenchReport) -> TargetCheck:
    naive, optimized = _find(report, "warm", "naive"), _find(report, "warm", "optimized")
    target = "warm: optimised mean latency ≥ 30× lower than naive"
    if naive is None or optimized is None:
        return TargetCheck(target, "—", None)
    ratio = naive.summary.mean_ms / max(optimized.summary.mean_ms, 1e-9)
    measured = f"{naive.summary.mean_ms:.1f} / {optimized.summary.mean_ms:.1f} ms = {ratio:.1f}×"
    return TargetCheck(target, measured, ratio >= 30)


def _cold_p50(report: BenchReport) -> TargetCheck:
    cold = _find(report, "cold", "optimized")
    per_user = [p for p in report.probes if p.call in COLD_PATH_CALLS]
    target = "cold: optimised p50 ≤ 1.3× the slowest single upstream call (p50)"
    if cold is None or not per_user:
        return TargetCheck(target, "—", None)
    slowest = max(per_user, key=lambda p: p.p50_ms)
    limit = 1.3 * slowest.p50_ms
    measured = f"{cold.summary.p50_ms:.1f} ms vs 1.3 × {slowest.p50_ms:.1f} ms ({slowest.call})"
    return TargetCheck(target, measured, cold.summary.p50_ms <= limit)


def _warm_calls(report: BenchReport) -> TargetCheck:
    warm = _find(report, "warm", "optimized")
    target = "warm: upstream calls per request ≤ 0.05"
    if warm is None:
        return TargetCheck(target, "—", None)
    return TargetCheck(target, f"{warm.calls_per_request:.3f}", warm.calls_per_request <= 0.05)


def _fault(report: BenchReport, name: str) -> TargetCheck:
    """S2/S3/S4 as the issue states them, for the optimised engine.

    0 errors and every answer within 200 ms over the whole run; every answer degraded by the
    faulted source from the fault (plus the time it takes to notice) until it is back; and no
    answer degraded by it later than 10 s after it is back. A part the run was too short to
    show is "not judged", which only a failed part overrides.
    """
    phase = _find(report, name, "optimized")
    target = (
        f"{name}: 0 errors, 100% ≤ 200 ms, degraded while down, clears ≤ 10 s after (optimised)"
    )
    if phase is None:
        return TargetCheck(target, "—", None)
    summary = phase.summary
    during = phase.degraded_during_fault_pct
    clearing = phase.clearing
    after = None if clearing is None else clearing.after_s
    observed = 0.0 if clearing is None else clearing.observed_s
    if after is not None:
        clears = f"clears {after:.1f} s after"
        if clearing is not None and clearing.relative:
            clears += " (back to the pre-fault share)"
    else:
        clears = f"not cleared {observed:.1f} s after"
    measured = (
        f"{summary.errors} errors, {summary.within_200ms_pct:.2f}% ≤ 200 ms, "
        f"degraded by {phase.fault_source or 'any source'} {_pct(during)} while down "
        f"(from +{phase.degraded_grace_s:.0f} s; {_pct(phase.degraded_before_fault_pct)} before), "
        f"{clears}; breaker open {_secs(phase.breaker_opened_after_s)} after the fault"
    )
    parts: list[bool | None] = [
        summary.errors == 0,
        summary.within_200ms_pct >= 100.0,
        None if during is None else during >= 100.0,
        after <= CLEAR_WITHIN_S
        if after is not None
        else (False if observed > CLEAR_WITHIN_S + 1 else None),
    ]
    short = (
        "fault window too short for the degraded flag"
        if report.options.quick_mode
        else ("run too short for the degraded flag")
    )
    return _combine(target, measured, parts, short)


def _hung_bounds(report: BenchReport) -> TargetCheck:
    """S3's inside view: in-flight calls to the hung upstream ≤ the bulkhead limit, and the
    engine's open file descriptors back to baseline ±10% within 10 s of SIGCONT."""
    phase = _find(report, "upstream_hung_profiles", "optimized")
    target = (
        f"upstream_hung_profiles: in-flight calls to profiles ≤ {BULKHEAD_LIMIT} (bulkhead); "
        "open FDs back to baseline ±10% ≤ 10 s after SIGCONT (engine /metrics, less the "
        "connections clients hold open to it)"
    )
    if phase is None or not phase.engine_samples:
        return TargetCheck(target, "—", None)
    peak, baseline, back = (
        phase.in_flight_peak,
        phase.open_fds_baseline,
        phase.open_fds_back_after_s,
    )
    last_fds = phase.engine_samples[-1].own_fds
    raw_baseline, raw_back = phase.raw_fds
    measured = (
        f"peak in flight {'—' if peak is None else peak}, "
        f"FDs {'—' if baseline is None else f'{baseline:.0f}'} before, "
        + (f"back {back:.1f} s after" if back is not None else f"{last_fds} at the last scrape")
        + f" (with clients' connections: {_fds_text(raw_baseline, raw_back)})"
    )
    fds_ok: bool | None = None
    if phase.open_fds_judged:
        fds_ok = back is not None and back <= FD_RETURN_S
    parts = [None if peak is None else peak <= BULKHEAD_LIMIT, fds_ok]
    short = "fault window too short" if report.options.quick_mode else "run too short"
    return _combine(target, measured, parts, short)


def _fds_text(baseline: float | None, back: float | None) -> str:
    before = "—" if baseline is None else f"{baseline:.0f}"
    return f"{before} before, " + ("not back" if back is None else f"back {back:.1f} s after")


def _combine(target: str, measured: str, parts: list[bool | None], short: str) -> TargetCheck:
    if any(part is False for part in parts):
        return TargetCheck(target, measured, False)
    if any(part is None for part in parts):
        return TargetCheck(target, measured, None, short)
    return TargetCheck(target, measured, True)


def _hedging(report: BenchReport) -> TargetCheck:
    off = _find(report, "slow_1pct_hedging_off", "optimized")
    on = _find(report, "slow_1pct_hedging_on", "optimized")
    target = "1% slow: hedging cuts p99 by ≥ 50% for ≤ 5% extra upstream calls"
    if off is None or on is None:
        return TargetCheck(target, "—", None)
    cut = 1 - on.summary.p99_ms / max(off.summary.p99_ms, 1e-9)
    extra = on.calls_per_request / max(off.calls_per_request, 1e-9) - 1
    measured = (
        f"p99 {off.summary.p99_ms:.1f} → {on.summary.p99_ms:.1f} ms ({cut:.0%} cut), "
        f"calls/req {off.calls_per_request:.3f} → {on.calls_per_request:.3f} ({extra:+.1%})"
    )
    return TargetCheck(target, measured, cut >= 0.5 and extra <= 0.05)


def _throughput(report: BenchReport) -> TargetCheck:
    warm = _find(report, "warm_capacity", "optimized")
    hello = _find(report, "ceiling_asgi_hello_capacity", "optimized")
    target = "warm throughput ≥ 35% of the raw ASGI hello rps (one worker each)"
    if warm is None or hello is None:
        return TargetCheck(target, "—", None)
    share = warm.summary.rps / max(hello.summary.rps, 1e-9)
    measured = f"{warm.summary.rps:,.0f} / {hello.summary.rps:,.0f} rps = {share:.0%}"
    return TargetCheck(target, measured, share >= 0.35)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def _secs(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} s"
