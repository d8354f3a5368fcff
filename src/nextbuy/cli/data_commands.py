"""``nextbuy data …``: generate, load, inspect and seed shop datasets."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from nextbuy.cli.data_service_commands import replay, seed, verify

data_app = typer.Typer(
    name="data",
    help="Shop datasets: generate, load real ones, inspect, seed the services.",
    no_args_is_help=True,
)
console = Console()
OutDir = Annotated[Path, typer.Option("--out", help="Dataset folder to write (atomically)")]


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


def _fail(error: Exception) -> typer.Exit:
    console.print(f"[red]error:[/red] {error}")
    return typer.Exit(1)


@data_app.command()
def generate(
    out: OutDir,
    users: Annotated[int, typer.Option(min=1, help="Registered shoppers")] = 1000,
    products: Annotated[int, typer.Option(min=1, help="Catalogue size")] = 500,
    days: Annotated[int, typer.Option(min=1, help="Length of the window")] = 90,
    seed: Annotated[int, typer.Option(help="Same seed, same shop")] = 7,
) -> None:
    """Generate a realistic shop (tastes, funnels, long tail, seasonality) deterministically."""
    from nextbuy.data.format import DatasetError
    from nextbuy.data.generator import GeneratorConfig, generate

    config = GeneratorConfig(users=users, products=products, days=days, seed=seed)
    with _progress() as progress:
        task = progress.add_task("simulating shoppers", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        try:
            counts = generate(config, out, advance)
        except DatasetError as error:
            raise _fail(error) from None
    _print_counts(out, counts)


@data_app.command()
def load(
    format_name: Annotated[
        str, typer.Argument(metavar="FORMAT", help="movielens, online-retail, retailrocket or csv")
    ],
    path: Annotated[Path, typer.Argument(help="The downloaded file or folder")],
    out: OutDir,
    mapping: Annotated[
        list[str] | None, typer.Option("--map", help="csv only: TARGET=COLUMN, repeatable")
    ] = None,
    delimiter: Annotated[str, typer.Option(help="csv only: field separator")] = ",",
    event_type: Annotated[str, typer.Option(help="csv only: event type of every row")] = "purchase",
) -> None:
    """Convert a public dataset (or a shop's CSV export) to the canonical format."""
    from nextbuy.data.format import DatasetError, write_dataset
    from nextbuy.data.loaders import load_format

    options: dict[str, object] = {}
    try:
        if format_name == "csv":
            from nextbuy.data.loaders.csv import parse_mapping

            options = {
                "mapping": parse_mapping(mapping or []),
                "delimiter": delimiter,
                "event_type": event_type,
            }
        with console.status(f"loading {path}"):
            dataset = load_format(format_name, path, **options)
            write_dataset(dataset, out)
    except (DatasetError, ValueError) as error:
        raise _fail(error) from None
    _print_counts(out, dataset.counts())
    for note in dataset.manifest.notes:
        console.print(f"  note: {note}")


@data_app.command()
def stats(
    directory: Annotated[Path, typer.Argument(help="A dataset folder")],
    plot: Annotated[
        Path | None, typer.Option(help="Long-tail PNG (default: DIR/long_tail.png)")
    ] = None,
) -> None:
    """Print users, products, events by type, density and time span; plot the long tail."""
    from nextbuy.data.format import DatasetError, read_dataset
    from nextbuy.data.stats import dataset_stats, plot_long_tail

    try:
        dataset = read_dataset(directory)
    except DatasetError as error:
        raise _fail(error) from None
    figures = dataset_stats(dataset)
    table = Table("measure", "value", title=dataset.manifest.name)
    table.add_row("users", f"{figures.users:,}")
    table.add_row("products", f"{figures.products:,}")
    table.add_row("events", f"{figures.events:,}")
    for kind, count in figures.events_by_type.items():
        table.add_row(f"  {kind}", f"{count:,} ({count / max(figures.events, 1):.1%})")
    table.add_row("user-product pairs", f"{figures.pairs:,}")
    table.add_row("density", f"{figures.density:.5%}")
    table.add_row("time span", f"{figures.first} → {figures.last}")
    table.add_row(
        "events on top 1% / 20% of products",
        f"{figures.top_share(0.01):.0%} / {figures.top_share(0.2):.0%}",
    )
    console.print(table)
    target = plot or directory / "long_tail.png"
    try:
        plot_long_tail(figures, target, dataset.manifest.name)
    except OSError as error:
        raise _fail(error) from None
    console.print(f"long tail plot: {target}")


def _print_counts(out: Path, counts: dict[str, int]) -> None:
    summary = ", ".join(f"{count:,} {name}" for name, count in counts.items())
    console.print(f"wrote {out}: {summary}")


# Commands that talk to running services live in their own module.
data_app.command()(seed)
data_app.command()(verify)
data_app.command()(replay)
