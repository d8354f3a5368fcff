"""The generic CSV mapper: a shop's export with its own column names."""

from __future__ import annotations

from pathlib import Path

import pytest

from nextbuy.data.format import DatasetError, write_dataset
from nextbuy.data.loaders.csv import load, parse_mapping

EXPORT = (
    "Order;Customer;Sku;Name;When;Qty;Each\n"
    "A1;c1;k1;Kettle;2024-05-01 10:00;1;25.00\n"
    "A1;c1;k2;Mug;2024-05-01 10:00;4;3.50\n"
    "A2;;k2;Mug;2024-05-02 11:00;1;3.50\n"
)
MAP = [
    "order_id=Order",
    "user_id=Customer",
    "product_id=Sku",
    "title=Name",
    "timestamp=When",
    "quantity=Qty",
    "price=Each",
]


def test_mapped_export_becomes_events_products_users_and_orders(tmp_path: Path) -> None:
    (tmp_path / "export.csv").write_text(EXPORT)
    dataset = load(tmp_path / "export.csv", parse_mapping(MAP), delimiter=";")
    write_dataset(dataset, tmp_path / "out")
    assert dataset.products["title"].to_pylist() == ["Kettle", "Mug"]
    assert dataset.users is not None
    assert dataset.users["user_id"].to_pylist() == ["c1"]
    assert dataset.orders is not None
    assert dataset.orders["order_id"].to_pylist() == ["A1"]
    assert dataset.order_lines is not None
    assert dataset.order_lines["quantity"].to_pylist() == [1, 4]
    assert dataset.events["event_type"].to_pylist() == ["purchase"] * 3


def test_a_mapped_column_the_file_lacks_is_named(tmp_path: Path) -> None:
    (tmp_path / "export.csv").write_text(EXPORT)
    mapping = parse_mapping(["product_id=SKU", "user_id=Customer"])
    with pytest.raises(DatasetError, match=r"export\.csv, column 'SKU': no such column"):
        load(tmp_path / "export.csv", mapping, delimiter=";")


def test_a_bad_map_option_says_what_is_allowed() -> None:
    with pytest.raises(ValueError, match="TARGET=COLUMN"):
        parse_mapping(["customer=Customer"])
