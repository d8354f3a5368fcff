"""Run a coroutine on uvloop when it is installed (it is, with uvicorn[standard])."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop comes with the engine extra
        return None
    return uvloop.new_event_loop


def run_fast(coroutine: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` on the fastest available event loop."""
    with asyncio.Runner(loop_factory=_loop_factory()) as runner:
        return runner.run(coroutine)
