"""``nextbuy evaluate`` on a canonical folder: table, JSON report and PNG chart."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from nextbuy.cli.main import app
from tests.evaluation.evaluation_builders import write_planted_dataset


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["evaluate", *args])
    return result.exit_code, result.output


def test_stratified_run_writes_json_and_plot(tmp_path: Path) -> None:
    data = write_planted_dataset(tmp_path / "planted")
    report, chart = tmp_path / "report.json", tmp_path / "chart.png"
    code, output = run(
        "--data", str(data), "--k", "5", "--json", str(report), "--plot", str(chart),
        "--no-tune", "--algorithms", "popularity,popularity-segment,content-tfidf,ease",
        "--baselines", "item-knn",
    )  # fmt: skip
    assert code == 0, output
    assert "ease" in output
    document = json.loads(report.read_text())
    assert document["dataset"] == "planted"
    assert document["k"] == 5
    assert [row["algorithm"] for row in document["results"]] == [
        "popularity",
        "popularity-segment",
        "content-tfidf",
        "ease",
        "implicit-item-knn",
    ]
    assert all("ndcg@5" in row for row in document["results"])
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_temporal_protocol_runs(tmp_path: Path) -> None:
    data = write_planted_dataset(tmp_path / "planted")
    report = tmp_path / "report.json"
    code, output = run(
        "--data", str(data), "--protocol", "temporal", "--no-tune", "--json", str(report),
        "--algorithms", "trending,item-knn", "--baselines", "",
    )  # fmt: skip
    assert code == 0, output
    assert json.loads(report.read_text())["protocol"] == "temporal"


def test_bad_arguments_are_refused(tmp_path: Path) -> None:
    code, output = run("--data", str(tmp_path / "absent"))
    assert code != 0
    assert "absent" in output
    data = write_planted_dataset(tmp_path / "planted")
    code, _ = run("--data", str(data), "--protocol", "sideways")
    assert code != 0
    code, output = run("--data", str(data), "--algorithms", "ease,magic")
    assert code != 0
    assert "magic" in output
    code, _ = run("--data", str(data), "--baselines", "lightfm")
    assert code != 0
