"""One evaluation from events to report: split, tune on validation, run every candidate."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from nextbuy.evaluation.candidates import (
    BASELINE_DEFAULTS,
    GRIDS,
    NEXTBUY_DEFAULTS,
    applicable,
    baseline_candidate,
    nextbuy_candidate,
)
from nextbuy.evaluation.report import EvaluationReport
from nextbuy.evaluation.runner import AlgorithmResult, Candidate, prepare, run_all
from nextbuy.evaluation.splits import Split, stratified_split, temporal_split
from nextbuy.evaluation.tuning import tune, validation_data
from nextbuy.recommend.events import EventLog, EventWeighting
from nextbuy.recommend.registry import SideInformation

Progress = Callable[[str], None]


@dataclass(frozen=True)
class EvaluationOptions:
    """How to evaluate.

    Args:
        protocol: ``"stratified"`` (per-user random) or ``"temporal"`` (cut-off in time).
        k: list length.
        ratio: training share of each user's items (stratified).
        test_fraction: share of events after the cut-off (temporal).
        seed: split seed.
        tune: choose parameters on a validation split carved from training.
        algorithms: Nextbuy algorithms to run (default: every applicable one).
        baselines: ``implicit`` baselines to run (default: ALS, BPR, item-kNN).
        weighting: event-type weights; the default counts a rating (any stars) as 1.
        relevant_types: event types that make a test item relevant (default: all).
    """

    protocol: str = "stratified"
    k: int = 10
    ratio: float = 0.75
    test_fraction: float = 0.25
    seed: int = 42
    tune: bool = True
    algorithms: Sequence[str] | None = None
    baselines: Sequence[str] | None = None
    weighting: EventWeighting = field(default_factory=EventWeighting)
    relevant_types: Sequence[str] | None = None


def split_events(events: EventLog, options: EvaluationOptions) -> Split:
    """The outer split the whole report is measured on."""
    if options.protocol == "temporal":
        return temporal_split(events, options.test_fraction)
    if options.protocol == "stratified":
        return stratified_split(events, options.ratio, options.seed)
    raise ValueError(f"unknown protocol {options.protocol!r}; use stratified or temporal")


def evaluate(
    events: EventLog,
    side: SideInformation,
    options: EvaluationOptions,
    *,
    dataset: str,
    progress: Progress = lambda _: None,
    on_result: Callable[[AlgorithmResult], None] | None = None,
) -> EvaluationReport:
    """Split, tune every candidate on validation, then measure each once on the test split."""
    split = split_events(events, options)
    data = prepare(split, options.weighting, options.relevant_types)
    progress(f"split: {len(split.train)} training and {len(split.test)} test events")
    tuned: dict[str, dict[str, Any]] = {}
    if options.tune:
        tuned = _tune_all(split, side, options, progress)
    candidates = _candidates(side, options, tuned)
    results = run_all(candidates, data, options.k, on_result)
    return EvaluationReport(
        dataset=dataset,
        protocol=options.protocol,
        k=options.k,
        results=results,
        split={
            "protocol": split.protocol,
            **split.params,
            "relevant_types": list(options.relevant_types or []) or "all",
        },
        counts={
            "users": data.train.shape[0],
            "items": data.train.shape[1],
            "train_interactions": int(data.train.matrix.nnz),
            "test_users": int(data.test_users.size),
            "test_interactions": int(sum(r.size for r in data.relevant)),
        },
        tuning=tuned,
    )


def _names(side: SideInformation, options: EvaluationOptions) -> tuple[list[str], list[str]]:
    nextbuy = list(options.algorithms or NEXTBUY_DEFAULTS)
    nextbuy = [name for name in nextbuy if applicable(name, side)]
    return nextbuy, list(options.baselines if options.baselines is not None else BASELINE_DEFAULTS)


def _tune_all(
    split: Split, side: SideInformation, options: EvaluationOptions, progress: Progress
) -> dict[str, dict[str, Any]]:
    validation = validation_data(split, options.weighting, options.relevant_types)
    nextbuy, baselines = _names(side, options)
    tuned: dict[str, dict[str, Any]] = {}
    for name in nextbuy + [f"implicit-{kind}" for kind in baselines]:
        if name not in GRIDS:
            continue
        progress(f"tuning {name} on the validation split ({len(GRIDS[name])} settings)")
        result = tune(partial(_candidate, name, side=side), GRIDS[name], validation, options.k)
        tuned[name] = result.best
    return tuned


def _candidate(name: str, params: Mapping[str, Any], side: SideInformation) -> Candidate:
    if name.startswith("implicit-"):
        return baseline_candidate(name.removeprefix("implicit-"), params)
    return nextbuy_candidate(name, params, side)


def _candidates(
    side: SideInformation, options: EvaluationOptions, tuned: dict[str, dict[str, Any]]
) -> list[Candidate]:
    nextbuy, baselines = _names(side, options)
    chosen = [_candidate(name, tuned.get(name, {}), side) for name in nextbuy if name != "hybrid"]
    if "hybrid" in nextbuy:
        components = {
            name: {**NEXTBUY_DEFAULTS[name], **tuned.get(name, {})}
            for name in ("ease", "item-knn", "als", "popularity")
        }
        chosen.append(nextbuy_candidate("hybrid", {"components": components}, side))
    kinds = [f"implicit-{kind}" for kind in baselines]
    return chosen + [_candidate(name, tuned.get(name, {}), side) for name in kinds]
