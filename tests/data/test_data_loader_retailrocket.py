"""RetailRocket: the shared sample (views only), and the full layout's three event kinds."""

from __future__ import annotations

from pathlib import Path

import pytest

from nextbuy.data.format import DatasetError, write_dataset
from nextbuy.data.loaders.retailrocket import load
from tests.support.datasets import require_shared_dataset

TREE = "categoryid,parentid\n1,\n2,1\n3,2\n"
EVENTS = (
    "timestamp,visitorid,event,itemid,transactionid\n"
    "1433221332117,257597,view,355908,\n"
    "1433224214164,992329,addtocart,248676,\n"
    "1433221999827,111016,transaction,248676,4000\n"
)
PROPERTIES = (
    "timestamp,itemid,property,value\n"
    "1435460400000,248676,categoryid,2\n"
    "1439487966444,248676,categoryid,3\n"
    "1442113200000,355908,790,n5400.000\n"
)


@pytest.mark.shared_dataset
def test_shared_sample_becomes_views_with_category_paths(tmp_path: Path) -> None:
    dataset = load(require_shared_dataset("retailrocket"))
    assert dataset.events.num_rows == 10_080
    assert set(dataset.events["event_type"].to_pylist()) == {"view"}
    assert dataset.events["session_id"].null_count == 0
    paths = [p for p in dataset.products["category_path"].to_pylist() if p]
    assert len(paths) > dataset.products.num_rows / 3
    assert all("/" in p for p in paths[:50])
    write_dataset(dataset, tmp_path / "rr")


def test_full_layout_maps_event_kinds_and_latest_category(tmp_path: Path) -> None:
    (tmp_path / "events.csv").write_text(EVENTS)
    (tmp_path / "category_tree.csv").write_text(TREE)
    (tmp_path / "item_properties_part1.csv").write_text(PROPERTIES)
    dataset = load(tmp_path)
    assert dataset.events["event_type"].to_pylist() == ["view", "purchase", "add_to_cart"]
    by_id = dict(
        zip(
            dataset.products["product_id"].to_pylist(),
            dataset.products["category_path"].to_pylist(),
            strict=True,
        )
    )
    assert by_id == {"248676": "1/2/3", "355908": ""}


def test_unknown_event_kind_is_named(tmp_path: Path) -> None:
    (tmp_path / "events.csv").write_text(EVENTS.replace("addtocart", "wishlist"))
    with pytest.raises(DatasetError, match=r"events\.csv, row 2, column 'event': unknown event"):
        load(tmp_path)
