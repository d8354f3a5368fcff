"""``nextbuy evaluate``: every algorithm and ``implicit``'s baselines on one split of a dataset.

Reads a canonical dataset folder (docs/data-format.md), splits it, tunes each candidate on a
validation split carved from training, measures each once on the test split, and prints a table;
``--json`` writes the report, ``--plot`` a bar chart. Heavy imports happen inside the command so
``nextbuy --help`` stays fast.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from nextbuy.cli.root import app, console

if TYPE_CHECKING:
    from nextbuy.evaluation.report import EvaluationReport
    from nextbuy.evaluation.runner import AlgorithmResult
    from nextbuy.evaluation.suite import EvaluationOptions
    from nextbuy.recommend.events import EventLog
    from nextbuy.recommend.registry import SideInformation

PROTOCOLS = ("stratified", "temporal")


@app.command()
def evaluate(
    data: Annotated[Path, typer.Option("--data", help="Canonical dataset folder")],
    protocol: Annotated[str, typer.Option(help="stratified | temporal")] = "stratified",
    k: Annotated[int, typer.Option("--k", min=1, help="List length")] = 10,
    json_path: Annotated[Path | None, typer.Option("--json", help="Write the report")] = None,
    plot: Annotated[Path | None, typer.Option("--plot", help="Write a PNG chart")] = None,
    tune: Annotated[bool, typer.Option(help="Tune on a validation split of training")] = True,
    algorithms: Annotated[
        str | None, typer.Option(help="Comma-separated Nextbuy algorithms (default: all)")
    ] = None,
    baselines: Annotated[
        str | None, typer.Option(help="Comma-separated implicit baselines: als,bpr,item-knn")
    ] = None,
    seed: Annotated[int, typer.Option(help="Split seed")] = 42,
    relevant: Annotated[
        str | None, typer.Option(help="Event types that make a test item relevant (default: all)")
    ] = None,
) -> None:
    """Evaluate every algorithm against implicit's baselines on one split of a dataset."""
    if protocol not in PROTOCOLS:
        raise typer.BadParameter(f"choose from {', '.join(PROTOCOLS)}", param_hint="--protocol")
    from nextbuy.evaluation.candidates import BASELINE_DEFAULTS, NEXTBUY_DEFAULTS
    from nextbuy.evaluation.suite import EvaluationOptions

    _check_names(_split_names(algorithms), NEXTBUY_DEFAULTS, "--algorithms")
    _check_names(_split_names(baselines), BASELINE_DEFAULTS, "--baselines")
    options = EvaluationOptions(
        protocol=protocol,
        k=k,
        seed=seed,
        tune=tune,
        algorithms=_split_names(algorithms),
        baselines=_split_names(baselines),
        relevant_types=_split_names(relevant),
    )
    name, events, side = _read(data)
    report = _run(name, events, side, options)
    # Piped to a file the console is 80 columns wide, too narrow for thirteen columns.
    console.print(_table(report), width=None if console.is_terminal else 160)
    if json_path is not None:
        json_path.write_text(json.dumps(report.to_json(), indent=2) + "\n")
        console.print(f"report written to {json_path}")
    if plot is not None:
        _plot(report, plot)
        console.print(f"chart written to {plot}")


def _split_names(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [part.strip() for part in value.split(",") if part.strip()]


def _check_names(names: list[str] | None, known: Mapping[str, Any], option: str) -> None:
    unknown = sorted(set(names or []) - set(known))
    if unknown:
        message = f"unknown {', '.join(unknown)}; choose from {', '.join(known)}"
        raise typer.BadParameter(message, param_hint=option)


def _columns(table: Any) -> dict[str, Any]:
    """A pyarrow table as numpy columns (strings as objects, null as None)."""
    return {name: table.column(name).to_numpy(zero_copy_only=False) for name in table.column_names}


def _read(folder: Path) -> tuple[str, EventLog, SideInformation]:
    """The dataset's name, its events and the side information the algorithms can use."""
    from nextbuy.data.format import DatasetError, read_dataset
    from nextbuy.evaluation.inputs import events_from_columns, side_from_columns

    try:
        dataset = read_dataset(folder)
    except DatasetError as error:
        raise typer.BadParameter(str(error), param_hint="--data") from error
    users = _columns(dataset.users) if dataset.users is not None else None
    side = side_from_columns(_columns(dataset.products), users)
    return dataset.manifest.name, events_from_columns(_columns(dataset.events)), side


def _run(
    name: str, events: EventLog, side: SideInformation, options: EvaluationOptions
) -> EvaluationReport:
    from nextbuy.evaluation.suite import evaluate as run_evaluation

    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(f"evaluating {name}", total=None)

        def report_step(message: str) -> None:
            progress.console.print(f"[dim]{message}[/dim]")  # kept in logs, unlike the spinner
            progress.update(task, description=message)

        def report_result(result: AlgorithmResult) -> None:
            score = result.metrics.get(f"ndcg@{options.k}")
            shown = "failed: " + (result.error or "") if score is None else f"{score:.4f}"
            progress.console.print(
                f"  {result.algorithm:<22} ndcg@{options.k} {shown}  ({result.train_seconds:.2f}s)"
            )
            progress.update(task, description=f"measured {result.algorithm}")

        return run_evaluation(
            events, side, options, dataset=name, progress=report_step, on_result=report_result
        )


def _table(report: EvaluationReport) -> Table:
    columns = report.columns()
    table = Table(
        "algorithm",
        "library",
        *columns,
        "coverage",
        "novelty",
        "train s",
        "peak MiB",
        title=f"{report.dataset} · {report.protocol} · k={report.k}",
    )
    for result in report.results:
        if result.error is not None:
            table.add_row(result.algorithm, result.library, f"[red]{result.error}[/red]")
            continue
        values = [f"{result.metrics[c]:.4f}" for c in [*columns, "coverage"]]
        table.add_row(
            result.algorithm,
            result.library,
            *values,
            f"{result.metrics['novelty']:.2f}",
            f"{result.train_seconds:.2f}",
            f"{result.peak_memory_mib:.0f}",
        )
    return table


def _plot(report: EvaluationReport, path: Path) -> None:
    """NDCG@k per algorithm, one colour per library, best at the top."""
    import matplotlib

    matplotlib.use("Agg")  # no display: render straight to a file
    from matplotlib import pyplot

    key = f"ndcg@{report.k}"
    rows = sorted(
        (r for r in report.results if r.error is None), key=lambda r: r.metrics.get(key, 0.0)
    )
    colours = ["tab:blue" if r.library == "nextbuy" else "tab:orange" for r in rows]
    figure, axes = pyplot.subplots(figsize=(8, 0.4 * len(rows) + 1.5))
    axes.barh([r.algorithm for r in rows], [r.metrics[key] for r in rows], color=colours)
    for position, result in enumerate(rows):
        axes.text(result.metrics[key], position, f" {result.metrics[key]:.3f}", va="center")
    for label, value in report.published().items():
        axes.axvline(value, color="grey", linestyle="--", linewidth=0.8)
        axes.text(value, len(rows) - 0.4, f" {label}", rotation=90, va="top", fontsize=7)
    axes.set_xlabel(f"NDCG@{report.k} (blue: Nextbuy, orange: implicit, dashed: published)")
    axes.set_title(f"{report.dataset} · {report.protocol} split")
    axes.set_xlim(0, max((r.metrics[key] for r in rows), default=1.0) * 1.15)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    pyplot.close(figure)
