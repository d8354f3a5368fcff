"""Train/test splits of an event log: per-user stratified random, and temporal.

Both split (user, item) pairs, not events: every event of a pair lands on the same side, so a
repeated view cannot leak a test item into training.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from nextbuy.recommend.events import EventLog


class SplitError(ValueError):
    """The events cannot be split as asked (no timestamps for a temporal split, no events)."""


@dataclass(frozen=True)
class Split:
    """Training and test events, and how they were made."""

    train: EventLog
    test: EventLog
    protocol: str
    params: dict[str, Any] = field(default_factory=dict)


def _pair_codes(events: EventLog) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """(pair code of every event, user code of every pair)."""
    keys = np.char.add(np.char.add(events.user_ids, "\x1f"), events.item_ids)
    pairs, pair_of_event = np.unique(keys, return_inverse=True)
    first_event = np.zeros(pairs.size, dtype=np.int64)
    first_event[pair_of_event[::-1]] = np.arange(len(events))[::-1]
    _, user_of_pair = np.unique(events.user_ids[first_event], return_inverse=True)
    return pair_of_event.ravel().astype(np.int64), user_of_pair.ravel().astype(np.int64)


def stratified_split(events: EventLog, ratio: float = 0.75, seed: int = 42) -> Split:
    """Per user, a random ``ratio`` of their items for training and the rest for test.

    As in Microsoft Recommenders' ``python_stratified_split``: each user's items are shuffled
    with a fixed seed and the first ``round(ratio · n)`` train, so every user appears in both
    sides when they have enough items, and the same seed always gives the same split.
    """
    if len(events) == 0:
        raise SplitError("no events to split")
    pair_of_event, user_of_pair = _pair_codes(events)
    keys = np.random.default_rng(seed).random(user_of_pair.size)
    order = np.lexsort((keys, user_of_pair))
    counts = np.bincount(user_of_pair)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size) - np.repeat(starts, counts)
    train_pair = rank < np.round(ratio * counts)[user_of_pair]
    in_train = train_pair[pair_of_event]
    return Split(
        events.take(in_train),
        events.take(~in_train),
        "stratified",
        {"ratio": ratio, "seed": seed},
    )


def temporal_split(
    events: EventLog, test_fraction: float = 0.25, cutoff: float | None = None
) -> Split:
    """Events before a cut-off train, later ones test; a pair seen before the cut-off is train.

    The cut-off defaults to the time before which ``1 − test_fraction`` of the events happened.
    Test events of users with no training history are dropped: they are a cold-start problem,
    measured separately. Events without a timestamp count as training.
    """
    known = ~np.isnan(events.timestamps)
    if not known.any():
        raise SplitError("a temporal split needs timestamps; this dataset has none")
    if cutoff is None:
        cutoff = float(np.quantile(events.timestamps[known], 1.0 - test_fraction))
    before = ~known | (events.timestamps < cutoff)
    pair_of_event, _ = _pair_codes(events)
    pair_in_train = np.zeros(pair_of_event.max() + 1, dtype=bool)
    pair_in_train[pair_of_event[before]] = True
    in_train = pair_in_train[pair_of_event]
    train_users = np.unique(events.user_ids[in_train])
    in_test = ~in_train & np.isin(events.user_ids, train_users)
    return Split(
        events.take(in_train),
        events.take(in_test),
        "temporal",
        {"cutoff": cutoff, "test_fraction": test_fraction},
    )
