"""Engine event bodies (stable ids, what is left out) and the seed's resumable checkpoint."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pyarrow as pa

from nextbuy.data.format import Manifest
from nextbuy.data.seed_checkpoint import Checkpoint
from nextbuy.data.seed_events import dataset_key, engine_events
from tests.data.data_builders import T0, make_dataset, make_events


def test_engine_events_have_stable_ids_and_leave_out_what_the_engine_cannot_take() -> None:
    events = make_events(
        timestamp=pa.array([T0, None, T0, T0], pa.timestamp("us", tz="UTC")),
        price=pa.array([1.005, 2.0, float("nan"), None], pa.float64()),
    )
    dataset = make_dataset(events=events)
    sendable = engine_events(dataset)
    assert sendable.excluded == {
        "event type 'rating' (the engine has none)": 1,
        "no timestamp": 1,
    }
    [batch] = list(sendable.batches())
    key = dataset_key(dataset)
    assert [e["event_id"] for e in batch] == [f"{key}-0", f"{key}-2"]
    assert batch[0] == {
        "event_id": f"{key}-0",
        "type": "view",
        "user_id": "u1",
        "session_id": "s1",
        "product_id": "p1",
        "timestamp": "2024-05-01T12:00:00.000000Z",
        "quantity": 1,
        "price": batch[0]["price"],
    }
    assert batch[0]["price"] in {1.0, 1.01}
    assert batch[1]["price"] is None  # NaN is no JSON number


def test_the_dataset_key_ignores_when_the_folder_was_written() -> None:
    first = make_dataset(manifest=Manifest("shop", "tests", created_at=T0))
    later = make_dataset(manifest=Manifest("shop", "tests", created_at=T0 + timedelta(days=1)))
    other = make_dataset(manifest=Manifest("shop", "tests", parameters={"seed": 2}))
    assert dataset_key(first) == dataset_key(later) != dataset_key(other)


def test_replay_order_is_by_time_then_row() -> None:
    stamps = [T0 + timedelta(seconds=s) for s in (5, 1, 5, 0)]
    events = make_events(timestamp=pa.array(stamps, pa.timestamp("us", tz="UTC")))
    sendable = engine_events(make_dataset(events=events), id_prefix="r-", time_order=True)
    assert [e["event_id"] for e in sendable.records(0, 10)] == ["r-1", "r-0", "r-2"]


def test_a_checkpoint_survives_a_torn_line_and_ignores_another_layout(tmp_path: Path) -> None:
    log = tmp_path / "seed" / "shop.log"
    checkpoint = Checkpoint.open(log, layout="v2")
    checkpoint.mark("events", 0)
    checkpoint.mark("events", 3)
    checkpoint.close()
    with log.open("a", encoding="utf-8") as torn:
        torn.write('{"kind": "events", "ba')  # the process died mid-write

    resumed = Checkpoint.open(log, layout="v2")
    assert resumed.done == {"events": {0, 3}}
    resumed.mark("orders", 1)
    resumed.close()
    assert Checkpoint.open(log, layout="v2").done == {"events": {0, 3}, "orders": {1}}
    assert Checkpoint.open(log, layout="v3").done == {}

    fresh = Checkpoint.open(log, layout="v3")
    fresh.mark("users", 0)
    fresh.finish()
    assert not log.exists()
