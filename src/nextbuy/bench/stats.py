"""Figures from one run of the load generator: percentiles, rates, and recovery after a fault."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from nextbuy.bench.loadgen import OTHER_SOURCE_BIT, SOURCE_BITS, BoolArray, LoadResult

BUDGET_S = 0.200
"""The answer budget every target is measured against."""


@dataclass(frozen=True, slots=True)
class Summary:
    """One scenario row, in the units of ``--json``."""

    requests: int
    errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    rps: float
    within_200ms_pct: float
    degraded_pct: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def summarise(result: LoadResult) -> Summary:
    """Percentiles over every request (errors included, at the time they failed).

    Percentiles are nearest-rank ("higher"), as an HDR histogram reports them: the p99 is a
    latency that 1% of requests really met or exceeded, never an interpolation between two.
    """
    n = len(result)
    if n == 0:
        return Summary(0, 0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    latency = np.nan_to_num(result.latency_s, nan=np.inf)
    ok = result.status == 200
    p50, p95, p99 = np.percentile(latency, [50, 95, 99], method="higher") * 1000
    finished = result.scheduled_s + latency
    span = float(np.max(finished[np.isfinite(finished)], initial=0.0) - result.scheduled_s.min())
    return Summary(
        requests=n,
        errors=int(n - ok.sum()),
        p50_ms=_round(p50),
        p95_ms=_round(p95),
        p99_ms=_round(p99),
        mean_ms=_round(float(np.mean(latency[np.isfinite(latency)])) * 1000),
        rps=_round(ok.sum() / span if span > 0 else 0.0),
        within_200ms_pct=_round(100 * float(np.mean(ok & (latency <= BUDGET_S)))),
        degraded_pct=_round(100 * float(result.degraded[ok].mean()) if ok.any() else 0.0),
    )


def degraded_mask(result: LoadResult, source: str | None = None) -> BoolArray:
    """Which answers were degraded (because of ``source``, when one is given)."""
    if source is None:
        return result.degraded
    bit = SOURCE_BITS.get(source, OTHER_SOURCE_BIT)
    mask: BoolArray = (result.sources & bit) != 0
    return mask


CLEAN_TAIL_S, CLEAN_TAIL_ANSWERS = 1.0, 3
"""An engine counts as cleared once this long and this many answers came back undegraded."""


@dataclass(frozen=True, slots=True)
class Clearing:
    """When answers stopped being degraded after a fault ended."""

    after_s: float | None
    """Seconds from recovery to the last degraded answer; None if they never stopped."""
    observed_s: float
    """How long the run went on after recovery (a verdict needs enough of it)."""
    relative: bool = False
    """Judged as "back to the pre-fault share" because answers were degraded before the fault."""


STRICT_BELOW_PCT = 5.0
"""Below this pre-fault share, cleared means no degraded answer at all."""
RELATIVE_MARGIN_PCT, BIN_S = 10.0, 1.0


def degraded_clearing(
    result: LoadResult,
    recovered_at_s: float,
    end_s: float,
    source: str | None = None,
    *,
    baseline_pct: float | None = None,
) -> Clearing:
    """How long after ``recovered_at_s`` answers still came back degraded.

    Measured to the scheduled start of the last degraded request sent after recovery, so it is
    the time until the engine had noticed, not the time the load generator took to see it. It
    counts as cleared only if at least ``CLEAN_TAIL_ANSWERS`` answers over ``CLEAN_TAIL_S``
    followed it undegraded: a run that ends right after recovery has not shown a clearing. With
    a ``source``, only answers degraded because of that source count (an engine may be degraded
    for reasons the fault did not cause).

    When the engine was already degraded by that source before the fault (``baseline_pct`` ≥
    5%: cold users whose history takes longer than the deadline on a loaded machine), "no
    degraded answer" never comes; the fault's effect is then over at the start of the first
    1 s bin from which every bin's share is within 10 points of the baseline.
    """
    observed = _round(max(0.0, end_s - recovered_at_s))
    answered = (result.scheduled_s >= recovered_at_s) & (result.status == 200)
    degraded = answered & degraded_mask(result, source)
    if baseline_pct is not None and baseline_pct >= STRICT_BELOW_PCT:
        return Clearing(
            _relative_clearing(result, degraded, answered, recovered_at_s, end_s, baseline_pct),
            observed,
            relative=True,
        )
    last = float(result.scheduled_s[degraded].max()) if degraded.any() else recovered_at_s
    clean = answered & (result.scheduled_s > last)
    cleared = clean.sum() >= CLEAN_TAIL_ANSWERS and end_s - last >= CLEAN_TAIL_S
    return Clearing(_round(last - recovered_at_s) if cleared else None, observed)


def _relative_clearing(
    result: LoadResult,
    degraded: BoolArray,
    answered: BoolArray,
    start_s: float,
    end_s: float,
    baseline_pct: float,
) -> float | None:
    bins = int((end_s - start_s) // BIN_S)
    index = ((result.scheduled_s - start_s) // BIN_S).astype(np.int64)
    high = []
    for b in range(bins):
        in_bin = answered & (index == b)
        share = 100 * float(degraded[in_bin].sum()) / max(1, int(in_bin.sum()))
        high.append(in_bin.any() and share > baseline_pct + RELATIVE_MARGIN_PCT)
    last_high = max((b for b, h in enumerate(high) if h), default=-1)
    if bins - (last_high + 1) < 2:  # two clean seconds at least, as in the strict rule
        return None
    return _round((last_high + 1) * BIN_S)


def degraded_after_recovery_s(
    result: LoadResult, recovered_at_s: float, source: str | None = None
) -> float:
    """Seconds from ``recovered_at_s`` to the last degraded answer after it (0 if none was)."""
    after = (result.scheduled_s >= recovered_at_s) & degraded_mask(result, source)
    if not after.any():
        return 0.0
    return _round(float(result.scheduled_s[after].max()) - recovered_at_s)


def degraded_share_between(
    result: LoadResult,
    start_s: float,
    end_s: float,
    source: str | None = None,
    *,
    min_answers: int = 1,
) -> float | None:
    """Percentage of the answered requests scheduled in ``[start_s, end_s)`` that were degraded
    (because of ``source``, when given); None when fewer than ``min_answers`` were."""
    window = (result.scheduled_s >= start_s) & (result.scheduled_s < end_s) & (result.status == 200)
    if window.sum() < max(1, min_answers):
        return None
    return _round(100 * float(degraded_mask(result, source)[window].mean()))


def status_counts(result: LoadResult) -> dict[str, int]:
    """How many requests ended with each status (0 = connection error, -1 timeout, -2 bad body)."""
    values, counts = np.unique(result.status, return_counts=True)
    return {str(int(v)): int(c) for v, c in zip(values, counts, strict=True)}


def _round(value: float) -> float:
    return round(float(value), 3)
