"""Online Retail → orders, lines and purchase events, on the full UCI file and on small cases."""

from __future__ import annotations

import gzip
from pathlib import Path

import pyarrow.compute as pc
import pytest

from nextbuy.data.format import Dataset, DatasetError, read_dataset, write_dataset
from nextbuy.data.loaders.online_retail import load
from tests.support.datasets import require_shared_dataset

HEADER_II = "Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country\n"
ROWS_II = (
    "489434,85048,15CM CHRISTMAS GLASS BALL,12,12/1/2009 7:45,6.95,13085,United Kingdom\n"
    "489434,79323P,PINK CHERRY LIGHTS,12,12/1/2009 7:45,6.75,13085,United Kingdom\n"
    "489434,POST,POSTAGE,1,12/1/2009 7:45,18.0,13085,United Kingdom\n"
    "C489449,85048,15CM CHRISTMAS GLASS BALL,-12,12/1/2009 10:33,6.95,13085,United Kingdom\n"
    "489450,85048,damaged,-30,12/1/2009 10:40,0,,United Kingdom\n"
    "489451,79323P,PINK CHERRY LIGHTS,2,12/2/2009 9:00,6.85,,EIRE\n"
)


@pytest.fixture(scope="module")
def full() -> Dataset:
    return load(require_shared_dataset("online-retail-full"))


@pytest.mark.shared_dataset
def test_full_file_loads_into_a_valid_dataset(full: Dataset, tmp_path: Path) -> None:
    write_dataset(full, tmp_path / "retail")
    counts = read_dataset(tmp_path / "retail").counts()
    assert counts["products"] == full.products.num_rows
    # Every sale is one event; identified sales are also order lines.
    identified = pc.sum(pc.is_valid(full.events["user_id"])).as_py()
    assert full.order_lines is not None
    assert identified == full.order_lines.num_rows
    assert 4_300 < counts["users"] <= 4_372
    assert 4_000 < counts["products"] < 4_070
    assert 18_000 < counts["orders"] < 25_900


@pytest.mark.shared_dataset
def test_full_file_follows_the_documented_rules(full: Dataset) -> None:
    assert full.orders is not None
    assert full.order_lines is not None
    assert not pc.any(pc.starts_with(full.orders["order_id"], "C")).as_py()
    assert pc.min(full.events["quantity"]).as_py() >= 1
    assert "POST" not in full.products["product_id"].to_pylist()
    first = full.order_lines.filter(pc.equal(full.order_lines["order_id"], "536365"))
    assert first["product_id"].to_pylist()[:2] == ["85123A", "71053"]
    heart = full.products.filter(pc.equal(full.products["product_id"], "85123A"))
    assert heart["title"][0].as_py() == "WHITE HANGING HEART T-LIGHT HOLDER"
    assert heart["currency"][0].as_py() == "GBP"
    assert any("132,549 lines without CustomerID" in note for note in full.manifest.notes)


def test_online_retail_ii_columns_and_us_dates(tmp_path: Path) -> None:
    file = tmp_path / "retail_ii.csv.gz"
    file.write_bytes(gzip.compress((HEADER_II + ROWS_II).encode()))
    dataset = load(file)
    assert dataset.orders is not None
    assert dataset.order_lines is not None
    assert dataset.orders["order_id"].to_pylist() == ["489434"]
    assert dataset.order_lines["product_id"].to_pylist() == ["85048", "79323P"]
    assert dataset.orders["created_at"][0].as_py().isoformat() == "2009-12-01T07:45:00+00:00"
    anonymous = dataset.events.filter(pc.is_null(dataset.events["user_id"]))
    assert anonymous["session_id"].to_pylist() == ["489451"]
    assert dataset.users is not None
    assert dataset.users["country"].to_pylist() == ["GB"]


def test_missing_column_is_named(tmp_path: Path) -> None:
    file = tmp_path / "retail.csv"
    file.write_text(HEADER_II.replace(",Quantity", ",Qty") + ROWS_II)
    with pytest.raises(DatasetError, match=r"retail\.csv, column 'Quantity': missing column"):
        load(file)


def test_bad_date_is_named_by_row(tmp_path: Path) -> None:
    file = tmp_path / "retail.csv"
    file.write_text(HEADER_II + ROWS_II.replace("12/2/2009 9:00", "yesterday"))
    with pytest.raises(DatasetError, match=r"row 6, column 'InvoiceDate': cannot read 'yesterday'"):
        load(file)


def test_wrong_encoding_is_named_by_line(tmp_path: Path) -> None:
    file = tmp_path / "retail.csv"
    file.write_bytes((HEADER_II + ROWS_II.replace("PINK", "ROS\u00c9")).encode("latin-1"))
    with pytest.raises(DatasetError, match=r"not valid UTF-8 \(line 3\)"):
        load(file)
