"""``nextbuy train`` and ``nextbuy models list|rollback``: the engine's training role."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from pydantic import SecretStr
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from nextbuy.cli.root import app, console

if TYPE_CHECKING:
    from nextbuy.engine.training.sources import TrainingData

models_app = typer.Typer(help="List the trained model versions, or roll back to one.")
app.add_typer(models_app, name="models")


@app.command()
def train(
    data: Annotated[
        Path | None, typer.Option(help="Also learn from a canonical dataset folder")
    ] = None,
    services: Annotated[
        bool, typer.Option(help="Read orders and the catalogue from the running services")
    ] = True,
    algorithms: Annotated[
        str | None, typer.Option(help="Comma-separated algorithms (default: from settings)")
    ] = None,
    serving: Annotated[str | None, typer.Option(help="The algorithm that serves")] = None,
    event_log: Annotated[
        bool, typer.Option(help="Learn from the engine's own event log (its database)")
    ] = True,
) -> None:
    """Build every model from the engine's event log (and data sources), publish a new version."""
    from nextbuy.engine.settings import EngineSettings, models_path
    from nextbuy.engine.storage.model_registry import ModelRegistry
    from nextbuy.engine.training import sources
    from nextbuy.engine.training.trainer import TrainingError, train_and_publish

    settings = EngineSettings()
    data_sources = sources.TrainingData()
    with _Steps() as steps:
        steps.run(
            "event log", lambda: _read_event_log(data_sources, settings.database_url, event_log)
        )
        if services:
            steps.run(
                "services",
                lambda: asyncio.run(
                    sources.from_services(
                        data_sources,
                        orders_url=settings.orders_url,
                        catalog_url=settings.catalog_url,
                    )
                ),
            )
        if data is not None:
            steps.run("dataset", lambda: sources.from_dataset(data_sources, data))
        names = algorithms.split(",") if algorithms else settings.train_algorithms
        try:
            result = train_and_publish(
                data_sources,
                ModelRegistry(models_path(settings)),
                algorithms=names,
                serving=serving or settings.serving_algorithm,
                steps=steps,
            )
        except TrainingError as error:
            console.print(f"[red]{error}[/red]")
            raise typer.Exit(1) from error
    details = result.version.details
    console.print(
        f"published model version [bold]{result.version.version}[/bold] "
        f"({details['users']} users, {details['items']} items, serving {result.version.serving}); "
        + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in result.seconds.items())
    )
    if details.get("skipped") or details.get("hybrid_skipped"):
        skipped = {**details.get("skipped", {}), **details.get("hybrid_skipped", {})}
        console.print("skipped: " + "; ".join(f"{k}: {v}" for k, v in skipped.items()))


def _read_event_log(data: TrainingData, url: SecretStr, wanted: bool) -> None:
    """The engine's own log, when it has one (a fresh install trains from a dataset alone)."""
    from nextbuy.core.sql import create_database_engine
    from nextbuy.engine.storage.event_log import EventLog
    from nextbuy.engine.training import sources

    if not wanted:
        return
    database = create_database_engine(url.get_secret_value(), pool_size=1)
    try:
        sources.from_event_log(data, EventLog(database))
    finally:
        database.dispose()


class _Steps:
    """One progress line per step (spinner while it runs, its seconds when done); plain lines
    as each step ends when the output is not a terminal (a log, a benchmark run)."""

    def __init__(self) -> None:
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=console,
            disable=not console.is_terminal,
        )
        self._tasks: dict[str, TaskID] = {}

    def __enter__(self) -> _Steps:
        self._progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.__exit__(None, None, None)

    def run(self, step: str, work: Callable[[], object]) -> None:
        self.started(step)
        started = time.perf_counter()
        work()
        self.finished(step, time.perf_counter() - started)

    def started(self, step: str) -> None:
        self._tasks[step] = self._progress.add_task(f"{step}…", total=1)

    def finished(self, step: str, seconds: float) -> None:
        self._progress.update(self._tasks[step], completed=1, description=f"{step} {seconds:.1f} s")
        if self._progress.disable:
            console.print(f"{step} {seconds:.1f} s")


@models_app.command("list")
def list_models() -> None:
    """Every trained version, newest first; the serving one is marked."""
    from nextbuy.engine.settings import EngineSettings, models_path
    from nextbuy.engine.storage.model_registry import ModelRegistry

    registry = ModelRegistry(models_path(EngineSettings()))
    serving = registry.current()
    table = Table("", "version", "created", "serving algorithm", "algorithms", "users", "items")
    for version in registry.versions():
        table.add_row(
            "*" if version.version == serving else "",
            version.version,
            version.created_at[:19],
            version.serving,
            ", ".join(version.algorithms),
            str(version.details.get("users", "")),
            str(version.details.get("items", "")),
        )
    console.print(table)


@models_app.command()
def rollback(
    version: Annotated[str, typer.Argument(help="A version from `nextbuy models list`")],
) -> None:
    """Serve an earlier version (running engines switch within seconds)."""
    from nextbuy.engine.settings import EngineSettings, models_path
    from nextbuy.engine.storage.model_registry import ModelRegistry, ModelRegistryError

    try:
        ModelRegistry(models_path(EngineSettings())).publish(version)
    except ModelRegistryError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from error
    console.print(f"now serving model version {version}")
