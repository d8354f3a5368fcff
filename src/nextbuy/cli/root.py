"""The root of the ``nextbuy`` command: the Typer app every command module registers on."""

from __future__ import annotations

import typer
from rich.console import Console

app = typer.Typer(
    name="nextbuy",
    help="Nextbuy: an open-source recommendation platform for e-commerce.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()
