"""PNG latency plots: per scenario, the latency CDF and the latency over time, naive vs optimised.

Uses matplotlib's object API with the Agg canvas: no pyplot, no global figure state, no display.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from nextbuy.bench.phases import PhaseResult
from nextbuy.bench.stats import BUDGET_S

COLOURS = {"naive": "tab:red", "optimized": "tab:blue"}


def write_plots(phases: list[PhaseResult], out_dir: Path) -> list[Path]:
    """One PNG per scenario (capacity runs excluded); returns the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    by_scenario: dict[str, list[PhaseResult]] = defaultdict(list)
    for phase in phases:
        if not phase.name.endswith("_capacity"):
            by_scenario[phase.name].append(phase)
    written = []
    for name, group in by_scenario.items():
        path = out_dir / f"{name}.png"
        _scenario_figure(name, group).savefig(path, dpi=110)
        written.append(path)
    return written


def _scenario_figure(name: str, phases: list[PhaseResult]) -> Figure:
    figure = Figure(figsize=(12, 4.5), layout="constrained")
    FigureCanvasAgg(figure)
    cdf, timeline = figure.subplots(1, 2)
    for phase in phases:
        _plot_cdf(cdf, phase)
        _plot_timeline(timeline, phase)
    cdf.axvline(BUDGET_S * 1000, color="grey", linestyle=":", label="200 ms budget")
    cdf.set(xscale="log", xlabel="latency (ms, log)", ylabel="share of requests", ylim=(0, 1.01))
    cdf.set_title(f"{name}: latency CDF")
    cdf.legend(loc="lower right")
    timeline.axhline(BUDGET_S * 1000, color="grey", linestyle=":")
    timeline.set(yscale="log", xlabel="scheduled send time (s)", ylabel="latency (ms, log)")
    timeline.set_title("latency over time (× = degraded, shaded = fault)")
    _shade_fault(timeline, phases[0])
    return figure


def _plot_cdf(axes: Axes, phase: PhaseResult) -> None:
    latency = np.sort(phase.result.latency_s[np.isfinite(phase.result.latency_s)]) * 1000
    if latency.size == 0:
        return
    share = np.arange(1, latency.size + 1) / latency.size
    label = f"{phase.client} (p50 {phase.summary.p50_ms:.1f}, p99 {phase.summary.p99_ms:.1f} ms)"
    axes.plot(latency, share, color=COLOURS[phase.client], label=label)


def _plot_timeline(axes: Axes, phase: PhaseResult) -> None:
    result = phase.result
    latency = result.latency_s * 1000
    colour = COLOURS[phase.client]
    plain = ~result.degraded
    axes.scatter(result.scheduled_s[plain], latency[plain], s=3, color=colour, alpha=0.5)
    axes.scatter(
        result.scheduled_s[result.degraded],
        latency[result.degraded],
        s=10,
        color=colour,
        marker="x",
        alpha=0.8,
    )


def _shade_fault(axes: Axes, phase: PhaseResult) -> None:
    start, end = phase.events.get("fault"), phase.events.get("recovered")
    if start is not None and end is not None:
        axes.axvspan(start, end, color="orange", alpha=0.15)
