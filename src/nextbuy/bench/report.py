"""The bench's outputs: the results table, the issue's targets checked, JSON and Markdown."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import orjson
from rich.table import Table

from nextbuy.bench.phases import PhaseResult
from nextbuy.bench.runner import BenchReport

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
PER_USER_CALLS = ("profiles", "orders")


@dataclass(frozen=True, slots=True)
class TargetCheck:
    target: str
    measured: str
    met: bool | None
    """None when the run did not include what the target needs."""

    @property
    def verdict(self) -> str:
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
        recovery = phase.degraded_after_recovery_s
        cells = [_cell(row[key]) for _, key in COLUMNS]
        table.add_row(*cells, "" if recovery is None else f"{recovery:.1f}")
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
        recovery = phase.degraded_after_recovery_s
        cells = [_cell(row[key]) for _, key in COLUMNS]
        cells.append("" if recovery is None else f"{recovery:.1f}")
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "| target | measured | verdict |", "|---|---|---|"]
    lines += [f"| {c.target} | {c.measured} | {c.verdict} |" for c in check_targets(report)]
    return "\n".join(lines) + "\n"


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
    per_user = [p for p in report.probes if p.call.split()[0] in PER_USER_CALLS]
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
    phase = _find(report, name, "optimized")
    target = f"{name}: 0 errors, 100% ≤ 200 ms, degraded while down, clear ≤ 10 s after (optimised)"
    if phase is None:
        return TargetCheck(target, "—", None)
    summary = phase.summary
    during = phase.degraded_during_fault_pct
    after = phase.degraded_after_recovery_s
    measured = (
        f"{summary.errors} errors, {summary.within_200ms_pct:.2f}% ≤ 200 ms, "
        f"degraded by {phase.fault_source or 'any source'} {_pct(during)} while down "
        f"({_pct(phase.degraded_before_fault_pct)} before), clears {_secs(after)} after"
    )
    met = (
        summary.errors == 0
        and summary.within_200ms_pct >= 100.0
        and during is not None
        and during >= 99.0
        and after is not None
        and after <= 10.0
    )
    return TargetCheck(target, measured, met)


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
