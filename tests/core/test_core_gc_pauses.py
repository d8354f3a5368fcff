"""Every collection is timed and reported with its generation."""

from __future__ import annotations

import gc

from nextbuy.core.gc_pauses import GcPauseTimer


def test_reports_each_collection_with_its_generation_and_a_duration() -> None:
    seen: list[tuple[int, float]] = []
    timer = GcPauseTimer(lambda generation, seconds: seen.append((generation, seconds))).install()
    try:
        gc.collect(2)
        gc.collect(0)
    finally:
        timer.uninstall()
    assert [generation for generation, _ in seen[-2:]] == [2, 0]
    assert all(seconds >= 0.0 for _, seconds in seen)


def test_reports_nothing_once_uninstalled_and_installs_only_once() -> None:
    seen: list[int] = []
    timer = GcPauseTimer(lambda generation, _seconds: seen.append(generation))
    timer.install().install()
    gc.collect(1)
    assert seen.count(1) == 1  # installed twice, called once
    timer.uninstall()
    gc.collect(1)
    assert seen.count(1) == 1
