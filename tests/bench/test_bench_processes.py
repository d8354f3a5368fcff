"""The bench's processes: the CPU they use tells the runner when a backlog has drained."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from nextbuy.bench.processes import ProcessSet

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads /proc/<pid>/stat (Linux)"
)


def test_cpu_seconds_grow_while_a_child_works_and_stop_while_it_waits(tmp_path: Path) -> None:
    processes = ProcessSet(tmp_path)
    spin = "import time\nend = time.monotonic() + 1.0\nwhile time.monotonic() < end: pass\n"
    processes.start("busy", [sys.executable, "-c", spin + "time.sleep(60)"], {})
    try:
        start = processes.cpu_seconds()
        time.sleep(1.5)  # the child spins for its first second, then sleeps
        spun = processes.cpu_seconds()
        time.sleep(0.5)
        idle = processes.cpu_seconds()
        assert start is not None
        assert spun is not None
        assert idle is not None
        assert spun - start > 0.3  # a loaded two-core machine still gives it a good share
        assert idle - spun < 0.1
    finally:
        processes.stop_all()
