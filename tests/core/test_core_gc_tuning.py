"""Settled state is frozen out of the collector's sight at start and whenever it changes."""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import Iterator

import pytest

from nextbuy.core.gc_tuning import freeze_settled_state, freeze_whenever_changed


@pytest.fixture(autouse=True)
def _unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_freezing_moves_live_objects_out_of_the_collected_generations() -> None:
    kept = [{"n": n} for n in range(1_000)]
    frozen = freeze_settled_state()
    assert frozen >= len(kept)
    assert all(id(x) not in {id(o) for o in gc.get_objects(2)} for x in kept[:3])


def test_frees_a_frozen_object_when_it_is_dropped() -> None:
    class Model:
        pass

    dropped: list[bool] = []
    model = Model()
    weakref.finalize(model, lambda: dropped.append(True))
    freeze_settled_state()
    del model
    assert dropped == [True]


def test_freezes_again_only_when_the_current_object_changes() -> None:
    models: list[object] = [object()]
    freezes: list[int] = []

    async def scenario() -> None:
        task = asyncio.create_task(freeze_whenever_changed(lambda: models[-1], interval_s=0.01))
        await asyncio.sleep(0.05)
        freezes.append(gc.get_freeze_count())
        gc.unfreeze()
        await asyncio.sleep(0.05)  # same model: nothing is frozen again
        freezes.append(gc.get_freeze_count())
        models.append(object())
        await asyncio.sleep(0.05)  # a new model: frozen again
        freezes.append(gc.get_freeze_count())
        task.cancel()

    asyncio.run(scenario())
    assert freezes[0] > 0
    assert freezes[1] == 0
    assert freezes[2] > 0
