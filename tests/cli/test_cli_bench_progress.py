"""The bench's progress display keeps only the bar of the phase in progress.

The fault proxies share the bench's event loop, so every redraw of the display delays proxied
responses; finished phases must not stay on screen to be redrawn.
"""

from __future__ import annotations

import io

from rich.console import Console
from rich.markup import escape
from rich.progress import Progress

from nextbuy.cli.bench_command import _RichProgress


def _terminal_progress() -> tuple[Progress, io.StringIO]:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=120)
    return Progress(console=console, auto_refresh=False), out


def test_only_the_current_phase_keeps_a_bar() -> None:
    progress, out = _terminal_progress()
    display = _RichProgress(progress)
    display.seeded("users", 100)
    display.seeded("users", 50)
    assert [t.completed for t in progress.tasks if t.description == "seeding users"] == [150]
    for name in ("warm [naive]", "warm [optimized]", "cold [optimized]"):
        tick = display.phase(name, 40.0)
        tick(12.0)
    assert [t.description for t in progress.tasks] == ["setting up", escape("cold [optimized]")]
    assert "done warm [naive]" in out.getvalue()
    assert "done warm [optimized]" in out.getvalue()
