"""``nextbuy bench``: naive and optimised data planes under open-loop load and injected faults.

Starts its own services, proxies, engines and redis-server on free ports in a throwaway
``NEXTBUY_HOME``, and stops every one of them by pid when it ends. Heavy imports happen inside
the command so ``nextbuy --help`` stays fast.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from nextbuy.cli.bench_events_command import bench_events
from nextbuy.cli.root import app, console

if TYPE_CHECKING:
    from nextbuy.bench.runner import BenchOptions, BenchReport

ARRIVALS = ("poisson", "uniform")
CLIENTS: tuple[Literal["naive", "optimized"], ...] = ("naive", "optimized")


bench_app = typer.Typer(
    help="Benchmarks: the data plane (default), events (`nextbuy bench events`).",
    invoke_without_command=True,
)
app.add_typer(bench_app, name="bench")
bench_app.command("events")(bench_events)


@bench_app.callback()
def bench(
    ctx: typer.Context,
    quick: Annotated[
        bool, typer.Option(help="Every scenario briefly on a small shop (a smoke check)")
    ] = False,
    rate: Annotated[float, typer.Option(min=1, help="Open-loop arrival rate R, requests/s")] = 30,
    duration: Annotated[
        float,
        typer.Option(
            min=1,
            help="Seconds per scenario and client; faults run from 1/3 to 2/3, so 40 s leaves "
            "13 s after recovery to see the degraded flag clear (≤ 10 s)",
        ),
    ] = 40,
    scenario: Annotated[
        list[str] | None, typer.Option(help="Run only this scenario (repeatable)")
    ] = None,
    out: Annotated[Path, typer.Option(help="Folder for PNG plots and details.json")] = Path(
        "bench-results"
    ),
    json_path: Annotated[Path | None, typer.Option("--json", help="Write the results")] = None,
    users: Annotated[int, typer.Option(min=50, help="Users in the bench shop")] = 3000,
    capacity_seconds: Annotated[
        float, typer.Option(min=1, help="Seconds per closed-loop capacity run")
    ] = 10,
    arrivals: Annotated[str, typer.Option(help="poisson | uniform")] = "poisson",
    keep_home: Annotated[bool, typer.Option(help="Keep the bench's data and logs")] = False,
    client: Annotated[
        list[str] | None, typer.Option(help="Run only this client: naive | optimized (repeatable)")
    ] = None,
) -> None:
    """Benchmark the engine's data planes: warm, cold, upstream faults, hedging, Redis, ceiling."""
    if ctx.invoked_subcommand is not None:
        return  # `nextbuy bench events` and friends: their own command runs
    if arrivals not in ARRIVALS:
        raise typer.BadParameter(f"choose from {', '.join(ARRIVALS)}", param_hint="--arrivals")
    options = _options(quick, rate, duration, scenario, users, capacity_seconds, arrivals)
    if client:
        unknown = sorted(set(client) - set(CLIENTS))
        if unknown:
            raise typer.BadParameter(f"choose from {', '.join(CLIENTS)}", param_hint="--client")
        options = replace(options, clients=tuple(c for c in CLIENTS if c in client))
    home = Path(tempfile.mkdtemp(prefix="nextbuy-bench-"))
    console.print(f"Bench data and logs: {home}")
    started = time.monotonic()
    report = _run(options, home)
    _print_and_write(report, out, json_path)
    if keep_home:
        console.print(f"Kept {home}")
    else:
        shutil.rmtree(home, ignore_errors=True)
    console.print(f"Bench done in {time.monotonic() - started:.1f} s")


def _options(
    quick: bool,
    rate: float,
    duration: float,
    scenarios: list[str] | None,
    users: int,
    capacity_seconds: float,
    arrivals: str,
) -> BenchOptions:
    from nextbuy.bench.runner import BenchOptions
    from nextbuy.bench.scenarios import select_scenarios
    from nextbuy.bench.shop import ShopSize

    try:
        chosen = select_scenarios(scenarios)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--scenario") from error
    options = BenchOptions(
        rate_per_s=rate,
        duration_s=duration,
        capacity_s=capacity_seconds,
        scenarios=chosen,
        shop=ShopSize(users=users),
        arrivals="uniform" if arrivals == "uniform" else "poisson",
    )
    return options.quick() if quick else options


def _run(options: BenchOptions, home: Path) -> BenchReport:
    from nextbuy.bench._loop import run_fast
    from nextbuy.bench.processes import BenchProcessError
    from nextbuy.bench.runner import BenchRunner

    columns = (
        TextColumn("{task.description:<44}"),
        BarColumn(),
        TextColumn("{task.fields[detail]}"),
        TimeElapsedColumn(),
    )
    # Four redraws a second, not rich's ten: each one holds the proxies' event loop.
    with Progress(*columns, console=console, refresh_per_second=4) as progress:
        try:
            return run_fast(BenchRunner(options, home, _RichProgress(progress)).run())
        except BenchProcessError as error:
            console.print(f"[red]Bench failed:[/red] {error}\nLogs kept in {home}/logs")
            raise typer.Exit(1) from error


def _print_and_write(report: BenchReport, out: Path, json_path: Path | None) -> None:
    from nextbuy.bench.plots import write_plots
    from nextbuy.bench.report import (
        check_targets,
        markdown,
        results_table,
        targets_table,
        write_details,
        write_json,
    )

    # Piped output gets a wide table rather than the 80-column default.
    wide = console if console.is_terminal else Console(width=170, file=console.file)
    wide.print(results_table(report))
    wide.print(targets_table(check_targets(report)))
    for skipped in report.skipped:
        console.print(f"[yellow]skipped[/yellow] {skipped}")
    # A 1 s run has nothing to plot, and matplotlib's import and ten PNGs cost a --quick run
    # several seconds of its 60.
    plots = [] if report.options.quick_mode else write_plots(report.phases, out)
    write_details(report, out / "details.json")
    (out / "summary.md").write_text(markdown(report))
    console.print(f"Plots, details.json and summary.md: {out} ({len(plots)} PNG)")
    if json_path is not None:
        write_json(report, json_path)
        console.print(f"Results: {json_path}")


class _RichProgress:
    """The runner's progress callbacks drawn as rich progress bars."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.setup = progress.add_task("setting up", total=None, detail="")
        self.seeding: dict[str, TaskID] = {}
        self.current_phase: tuple[TaskID, str] | None = None
        self.started = time.monotonic()

    def step(self, text: str) -> None:
        self.progress.update(self.setup, detail=text)
        self._log(text)

    def _log(self, text: str) -> None:
        # Live bars are not drawn when output is piped: leave a plain line per step instead.
        if not self.progress.console.is_terminal:
            elapsed = time.monotonic() - self.started
            self.progress.console.print(f"{elapsed:6.1f} s  {text}", markup=False)

    def seeded(self, kind: str, count: int) -> None:
        if kind not in self.seeding:
            self.seeding[kind] = self.progress.add_task(f"seeding {kind}", total=None, detail="")
        task = self.seeding[kind]
        self.progress.advance(task, count)
        # By id, not position: ``progress.tasks`` is a list, and finished bars are removed.
        done = next(int(t.completed) for t in self.progress.tasks if t.id == task)
        self.progress.update(task, detail=f"{done:,} records")

    def phase(self, name: str, duration_s: float) -> Callable[[float], None]:
        # One bar per phase in progress: the proxies share this process, and redrawing every
        # finished phase's bar took 6.5 ms per refresh with 22 of them (1.3 ms with two).
        for seeding in self.seeding.values():
            self.progress.remove_task(seeding)  # seeding is over once phases run
        self.seeding.clear()
        if self.current_phase is not None:
            task_id, finished = self.current_phase
            if self.progress.console.is_terminal:
                self.progress.console.print(f"done {finished}", markup=False, highlight=False)
            self.progress.remove_task(task_id)
        task = self.progress.add_task(escape(name), total=duration_s, detail="")
        self.current_phase = (task, name)
        self._log(f"running {name}")

        def tick(elapsed: float) -> None:
            shown = min(elapsed, duration_s)
            draining = " (waiting for the last answers)" if elapsed >= duration_s else ""
            self.progress.update(
                task, completed=shown, detail=f"{shown:.0f}/{duration_s:.0f} s{draining}"
            )

        return tick
