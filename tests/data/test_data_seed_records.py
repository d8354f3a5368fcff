"""Dataset rows → the services' bulk bodies, within the APIs' limits; resumable checkpoints."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pyarrow as pa

from nextbuy.data.format import Manifest
from nextbuy.data.seed_dataset import Checkpoint
from nextbuy.data.seed_records import order_batches, product_batches, recent_views, user_batches
from tests.data.data_builders import T0, make_dataset, make_events


def test_products_without_price_or_sku_are_sent_at_zero_under_their_id() -> None:
    batch = next(product_batches(make_dataset()))
    mug = batch[2]
    assert (mug["id"], mug["sku"], mug["price"], mug["currency"]) == ("p3", "p3", 0.0, "EUR")
    assert batch[0]["category_path"] == ["Home", "Kitchen"]


def test_users_carry_demographics_and_split_favourites() -> None:
    users = make_dataset().users
    assert users is not None
    users = users.append_column("favourite_categories", pa.array(["Home/Kitchen|Books", ""]))
    batch = next(user_batches(make_dataset(users=users)))
    assert batch[0]["demographics"] == {"age_band": "25-34", "country": "GB"}
    assert batch[0]["preferences"]["favourite_categories"] == ["Home/Kitchen", "Books"]


def test_an_order_over_200_lines_is_sent_in_numbered_parts() -> None:
    orders = pa.table(
        {
            "order_id": ["o1"],
            "user_id": ["u1"],
            "created_at": pa.array([T0], pa.timestamp("us", tz="UTC")),
            "status": ["placed"],
            "currency": ["EUR"],
        }
    )
    lines = pa.table(
        {
            "order_id": ["o1"] * 450,
            "line_no": pa.array(range(1, 451), pa.int32()),
            "product_id": ["p1"] * 450,
            "quantity": pa.array([1] * 450, pa.int32()),
            "unit_price": [1.005] * 450,
        }
    )
    sent = [
        o for batch in order_batches(make_dataset(orders=orders, order_lines=lines)) for o in batch
    ]
    assert [(o["id"], len(o["lines"])) for o in sent] == [("o1", 200), ("o1.2", 200), ("o1.3", 50)]
    assert sent[0]["lines"][0]["unit_price"] in {1.0, 1.01}


def test_only_each_users_latest_50_views_are_sent_oldest_first() -> None:
    times = [T0 + timedelta(minutes=i) for i in range(60)]
    events = make_events(
        user_id=["u1"] * 60,
        session_id=[None] * 60,
        product_id=["p1"] * 60,
        event_type=["view"] * 60,
        timestamp=pa.array(times, pa.timestamp("us", tz="UTC")),
        quantity=pa.array([1] * 60, pa.int32()),
        value=pa.nulls(60, pa.float32()),
    )
    [(user, views)] = list(recent_views(make_dataset(events=events)))
    assert user == "u1"
    assert len(views) == 50
    assert views[0]["viewed_at"] == times[10].isoformat()
    assert views[-1]["viewed_at"] == times[59].isoformat()


def test_a_checkpoint_remembers_batches_until_finished(tmp_path: Path) -> None:
    path = tmp_path / "seed" / "shop.json"
    checkpoint = Checkpoint.open(path)
    checkpoint.mark("products", 0)
    checkpoint.mark("products", 2)
    assert Checkpoint.open(path).done == {"products": {0, 2}}
    checkpoint.finish()
    assert Checkpoint.open(path).done == {}
    assert Manifest("a", "b").to_json()["format"] == "nextbuy-dataset"
