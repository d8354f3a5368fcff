"""The memory-bounded training path: columnar sources, EASE refused by size, components reused."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from nextbuy.engine.storage.model_registry import ModelRegistry
from nextbuy.engine.training import trainer
from nextbuy.engine.training.sources import TrainingData
from nextbuy.engine.training.trainer import train_and_publish
from nextbuy.recommend.events import EventLog, build_interactions, interactions_from_encoded

NOW = 1_750_000_000.0


def planted_events(n_users: int = 60, n_items: int = 24) -> list[tuple[str, str, str, float]]:
    """Two tastes (even and odd items), a few events per user, views and purchases."""
    rng = np.random.default_rng(5)
    events = []
    for user in range(n_users):
        for item in rng.choice(np.arange(user % 2, n_items, 2), 5, replace=False).tolist():
            kind = "purchase" if item % 3 == 0 else "view"
            events.append((f"u{user}", f"p{item}", kind, NOW - 3600.0 * item))
    return events


def test_columns_and_single_events_give_the_same_interactions_as_string_events() -> None:
    events = planted_events()
    data = TrainingData()
    for user, item, kind, at in events[:40]:
        data.add("event_log", user, item, kind, at)
    users, items, kinds, seconds = (list(column) for column in zip(*events[40:], strict=True))
    data.add_columns(
        "dataset", pa.array(users), pa.array(items), pa.array(kinds), pa.array(seconds)
    )
    expected = build_interactions(EventLog.of(*zip(*events, strict=True)))
    found = interactions_from_encoded(data.encoded())
    assert found.users.ids == expected.users.ids
    assert found.items.ids == expected.items.ids
    assert (found.matrix != expected.matrix).nnz == 0
    assert data.counts == {"event_log": 40, "dataset": len(events) - 40}


def test_a_catalogue_too_big_for_ease_skips_it_by_name_and_reuses_fitted_components(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(trainer, "EASE_MAX_ITEMS", 10)  # 24 items: "too big" for this test
    data = TrainingData()
    for event in planted_events():
        data.add("dataset", *event)
    registry = ModelRegistry(tmp_path / "models")
    steps: list[str] = []

    class Listener:
        def started(self, step: str) -> None:
            steps.append(step)

        def finished(self, step: str, seconds: float) -> None:
            assert seconds >= 0

    result = train_and_publish(
        data,
        registry,
        algorithms=["hybrid", "ease", "popularity", "als"],
        serving="hybrid",
        steps=Listener(),
    )
    details = result.version.details
    assert set(details["skipped"]) == {"ease"}
    assert set(details["hybrid_skipped"]) == {"ease"}
    assert result.version.algorithms == ("als", "hybrid", "popularity")
    # The hybrid came last and refitted neither ALS nor popularity on the full data.
    assert steps == ["interactions", "ease", "popularity", "als", "hybrid"]
    assert "final:als" not in details["hybrid_seconds"]
    assert "final:item-knn" in details["hybrid_seconds"]
    assert "validation:als" in details["hybrid_seconds"]


def test_training_releases_the_event_columns_it_no_longer_needs(tmp_path: Path) -> None:
    data = TrainingData()
    for event in planted_events():
        data.add("dataset", *event)
    train_and_publish(
        data, ModelRegistry(tmp_path / "models"), algorithms=["popularity"], serving="popularity"
    )
    assert len(data) == 0
    assert data.counts == {"dataset": len(planted_events())}
