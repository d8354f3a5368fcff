"""``nextbuy data``: the commands end to end, and bad input leaves nothing written."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from nextbuy.cli.main import app
from nextbuy.data.format import read_dataset

runner = CliRunner()


def test_generate_then_stats_writes_a_long_tail_plot(tmp_path: Path) -> None:
    out = tmp_path / "shop"
    result = runner.invoke(
        app, ["data", "generate", "--users", "300", "--products", "120", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert read_dataset(out).users is not None
    result = runner.invoke(app, ["data", "stats", str(out)])
    assert result.exit_code == 0, result.output
    assert "add_to_cart" in result.output
    assert "density" in result.output
    assert (out / "long_tail.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_load_csv_with_mapping(tmp_path: Path) -> None:
    (tmp_path / "export.csv").write_text("cust,item,when\nc1,k1,2024-05-01\nc2,k1,2024-05-02\n")
    args = ["data", "load", "csv", str(tmp_path / "export.csv"), "--out", str(tmp_path / "out")]
    maps = ["--map", "user_id=cust", "--map", "product_id=item", "--map", "timestamp=when"]
    result = runner.invoke(app, args + maps)
    assert result.exit_code == 0, result.output
    assert read_dataset(tmp_path / "out").events.num_rows == 2


def test_a_bad_file_fails_clearly_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "retail.csv").write_text("InvoiceNo,StockCode\n1,2\n")
    args = ["data", "load", "online-retail", str(tmp_path / "in"), "--out", str(tmp_path / "out")]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert "retail.csv" in result.output
    assert "missing column" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in"]
