"""The runner: shared split, unseen test items, failures reported, the report's JSON shape."""

from __future__ import annotations

import numpy as np

from nextbuy.evaluation.baselines import ImplicitBaseline
from nextbuy.evaluation.memory import measure_peak_memory
from nextbuy.evaluation.report import EvaluationReport
from nextbuy.evaluation.runner import Candidate, prepare, run_all
from nextbuy.evaluation.splits import Split, stratified_split
from nextbuy.evaluation.suite import EvaluationOptions, evaluate
from nextbuy.recommend.ease import EASE
from nextbuy.recommend.events import EventLog
from nextbuy.recommend.popularity import GlobalPopularity
from nextbuy.recommend.registry import SideInformation
from tests.evaluation.evaluation_builders import planted_log

JSON_KEYS = {
    "algorithm",
    "library",
    "ndcg@10",
    "recall@10",
    "precision@10",
    "map@10",
    "hit_rate@10",
    "coverage",
    "train_seconds",
}


def test_test_items_unseen_in_training_count_but_cannot_be_hit() -> None:
    train = EventLog.of(["u", "u", "v"], ["a", "b", "a"])
    test = EventLog.of(["u", "u", "w"], ["c", "new", "a"])
    data = prepare(Split(train, test, "manual"))
    assert data.train.shape == (2, 2)
    assert data.test_users.tolist() == [0]  # w has no training history
    assert data.relevant[0].tolist() == [2, 3]  # both past the two-item catalogue


def test_every_candidate_runs_on_the_same_data_and_failures_are_reported() -> None:
    data = prepare(stratified_split(planted_log(), seed=1))
    candidates = [
        Candidate("popularity", "nextbuy", GlobalPopularity),
        Candidate("ease", "nextbuy", lambda: EASE(regularization=5.0)),
        Candidate("tiny-ease", "nextbuy", lambda: EASE(max_items=3)),
        Candidate("implicit-item-knn", "implicit", lambda: ImplicitBaseline("item-knn", K=10)),
    ]
    results = {r.algorithm: r for r in run_all(candidates, data, k=3)}
    assert results["ease"].metrics["ndcg@3"] > results["popularity"].metrics["ndcg@3"]
    assert results["implicit-item-knn"].metrics["hit_rate@3"] > 0.5
    assert results["tiny-ease"].error is not None
    assert results["ease"].train_seconds >= 0.0


def test_suite_tunes_and_reports_the_issue_json_shape() -> None:
    options = EvaluationOptions(k=10, algorithms=["popularity", "ease", "hybrid"])
    report = evaluate(planted_log(), SideInformation(), options, dataset="planted")
    document = report.to_json()
    assert {"dataset", "protocol", "k", "results"} <= set(document)
    assert document["protocol"] == "stratified"
    algorithms = [row["algorithm"] for row in document["results"]]
    assert algorithms == [
        "popularity",
        "ease",
        "hybrid",
        "implicit-als",
        "implicit-bpr",
        "implicit-item-knn",
    ]
    for row in document["results"]:
        assert set(row) >= JSON_KEYS, row
        assert row["library"] in {"nextbuy", "implicit"}
    assert "ease" in report.tuning
    assert isinstance(report, EvaluationReport)
    best = report.best("nextbuy")
    assert best is not None
    assert best.algorithm != "popularity"


def test_peak_memory_sees_a_large_allocation() -> None:
    with measure_peak_memory(interval_s=0.001) as memory:
        block = np.ones((64, 2**20 // 8))  # 64 MiB, touched
        block.sum()
        del block
    assert memory.growth_mib > 32


def test_relevance_can_be_restricted_to_purchases() -> None:
    train = EventLog.of(["u", "v"], ["a", "a"], ["purchase", "purchase"])
    test = EventLog.of(["u", "u", "v"], ["b", "c", "b"], ["view", "purchase", "view"])
    data = prepare(Split(train, test, "manual"), relevant_types=["purchase"])
    assert data.test_users.tolist() == [0]  # v only viewed: nothing relevant
    assert len(data.relevant) == 1
    assert data.relevant[0].size == 1
