"""The canonical format: what is written reads back the same, and what is wrong is named."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from nextbuy.data.format import DatasetError, DatasetWriter, Manifest, read_dataset, write_dataset
from tests.data.data_builders import (
    EVENTS_CSV,
    PRODUCTS_CSV,
    make_dataset,
    make_events,
    make_products,
    write_csv_dataset,
)


def test_written_dataset_reads_back_identical(tmp_path: Path) -> None:
    dataset = make_dataset()
    write_dataset(dataset, tmp_path / "shop")
    back = read_dataset(tmp_path / "shop")
    assert back.events["product_id"].to_pylist() == ["p1", "p2", "p1", "p3"]
    assert back.events.schema.field("timestamp").type == pa.timestamp("us", tz="UTC")
    assert back.products["description"].to_pylist() == ["", "", ""]
    assert back.manifest.counts == {"products": 3, "users": 2, "events": 4}
    manifest = json.loads((tmp_path / "shop" / "manifest.json").read_text())
    assert manifest["format"] == "nextbuy-dataset"
    assert manifest["version"] == 1


def test_csv_tables_are_accepted_and_converted(tmp_path: Path) -> None:
    folder = write_csv_dataset(
        tmp_path / "csv", {"products.csv": PRODUCTS_CSV, "events.csv": EVENTS_CSV}
    )
    dataset = read_dataset(folder)
    assert dataset.products["price"].to_pylist() == [25.0, None]
    assert dataset.products["active"].to_pylist() == [True, False]
    assert dataset.events["user_id"].to_pylist() == ["u1", None]
    assert [t.hour for t in dataset.events["timestamp"].to_pylist()] == [12, 13]
    assert dataset.users is None


@pytest.mark.parametrize(
    ("events_csv", "row", "column", "words"),
    [
        (
            "user_id,product_id,timestamp,quantity\nu1,p1,2024-05-01,1\n",
            None,
            "event_type",
            "missing",
        ),
        (EVENTS_CSV.replace("2024-05-01 13:30", "01/05/2024"), 2, "timestamp", "date and time"),
        (EVENTS_CSV.replace(",2\n", ",two\n"), 2, "quantity", "'two'"),
        (EVENTS_CSV.replace(",p2,", ",p7,"), 2, "product_id", "not found in products.csv"),
        (EVENTS_CSV.replace(",view,", ",like,"), 1, "event_type", "must be one of"),
        (EVENTS_CSV.replace("u1,,", ",,"), 1, "user_id", "neither user_id nor session_id"),
    ],
)
def test_a_bad_value_is_named_by_file_row_and_column(
    tmp_path: Path, events_csv: str, row: int | None, column: str, words: str
) -> None:
    folder = write_csv_dataset(
        tmp_path / "bad", {"products.csv": PRODUCTS_CSV, "events.csv": events_csv}
    )
    with pytest.raises(DatasetError) as caught:
        read_dataset(folder)
    error = caught.value
    assert (error.file, error.row, error.column) == ("events.csv", row, column)
    assert words in str(error)


def test_duplicate_ids_name_the_repeated_row(tmp_path: Path) -> None:
    products = PRODUCTS_CSV + "p1,Kettle again,3.0,true\n"
    folder = write_csv_dataset(
        tmp_path / "dup", {"products.csv": products, "events.csv": EVENTS_CSV}
    )
    with pytest.raises(
        DatasetError, match=r"products.csv, row 3, column 'product_id': duplicate id 'p1'"
    ):
        read_dataset(folder)


def test_bytes_that_are_not_utf8_are_reported_with_their_line(tmp_path: Path) -> None:
    latin1 = (PRODUCTS_CSV + "p3,Caf\u00e9 set,4.0,true\n").encode("latin-1")
    folder = write_csv_dataset(tmp_path / "enc", {"products.csv": latin1, "events.csv": EVENTS_CSV})
    with pytest.raises(DatasetError, match=r"products.csv, row 3: is not valid UTF-8 \(line 4\)"):
        read_dataset(folder)


def test_a_parquet_column_of_the_wrong_type_is_named(tmp_path: Path) -> None:
    write_dataset(make_dataset(), tmp_path / "shop")
    events = pq.read_table(tmp_path / "shop" / "events.parquet")
    events = events.set_column(5, "quantity", pa.array(["1", "1", "x", "1"]))
    pq.write_table(events, tmp_path / "shop" / "events.parquet")
    with pytest.raises(
        DatasetError, match=r"events.parquet, row 3, column 'quantity': cannot read 'x'"
    ):
        read_dataset(tmp_path / "shop")


def test_manifest_counts_catch_a_truncated_table(tmp_path: Path) -> None:
    write_dataset(make_dataset(), tmp_path / "shop")
    events = pq.read_table(tmp_path / "shop" / "events.parquet").slice(0, 2)
    pq.write_table(events, tmp_path / "shop" / "events.parquet")
    with pytest.raises(DatasetError, match=r"counts say 4 events rows but events\.parquet has 2"):
        read_dataset(tmp_path / "shop")


def test_a_failed_write_leaves_nothing_behind(tmp_path: Path) -> None:
    dangling = make_events(product_id=["p1", "p2", "p9", "p3"])
    with pytest.raises(DatasetError, match=r"'p9' not found in products\.parquet"):
        write_dataset(make_dataset(events=dangling), tmp_path / "shop")
    assert list(tmp_path.iterdir()) == []


def test_an_error_while_streaming_discards_the_partial_folder(tmp_path: Path) -> None:
    write_dataset(make_dataset(), tmp_path / "shop")

    def interrupted_write() -> None:
        with DatasetWriter(tmp_path / "shop", Manifest("x", "y")) as writer:
            writer.append("products", make_products())
            raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        interrupted_write()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shop"]
    assert read_dataset(tmp_path / "shop").manifest.name == "tiny"


def test_a_folder_of_other_files_is_never_overwritten(tmp_path: Path) -> None:
    (tmp_path / "precious").mkdir()
    (tmp_path / "precious" / "thesis.txt").write_text("years of work")
    with pytest.raises(DatasetError, match="not a Nextbuy dataset"):
        write_dataset(make_dataset(), tmp_path / "precious")
    assert (tmp_path / "precious" / "thesis.txt").read_text() == "years of work"


def test_a_folder_without_manifest_is_not_a_dataset(tmp_path: Path) -> None:
    (tmp_path / "loose").mkdir()
    with pytest.raises(DatasetError, match=r"manifest\.json"):
        read_dataset(tmp_path / "loose")
