"""One smoke run on the real MovieLens 100k, through the loader and the evaluate command.

EASE with its default regularisation lands near the published table's top row (BiVAE, NDCG@10
0.475) under the same protocol; the full, tuned comparison lives in docs/benchmarks.md.
"""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from nextbuy.cli.main import app
from nextbuy.data.format import write_dataset
from nextbuy.data.loaders import load_format
from tests.support.datasets import require_shared_dataset


def test_ease_on_movielens_100k_is_in_the_published_range(tmp_path: Path) -> None:
    source = require_shared_dataset("movielens-100k")
    folder = write_dataset(load_format("movielens", source), tmp_path / "ml-100k")
    report = tmp_path / "report.json"
    result = CliRunner().invoke(
        app,
        ["evaluate", "--data", str(folder), "--no-tune", "--algorithms", "popularity,ease",
         "--baselines", "", "--json", str(report)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = {row["algorithm"]: row for row in json.loads(report.read_text())["results"]}
    assert rows["ease"]["ndcg@10"] >= 0.47
    assert rows["popularity"]["ndcg@10"] < rows["ease"]["ndcg@10"]
