"""From raw events to a weighted interactions matrix: event-type weights and time decay.

Every algorithm fits on the same weighted matrix, so "a purchase says more than a view" is decided
once, here, and configured by :class:`EventWeighting` rather than inside each algorithm.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from nextbuy.recommend.interactions import IdIndex, Interactions

SECONDS_PER_DAY = 86_400.0

#: view < add-to-cart < purchase; a removal or an impression on its own says nothing positive.
DEFAULT_EVENT_WEIGHTS: Mapping[str, float] = {
    "view": 1.0,
    "add_to_cart": 3.0,
    "remove_from_cart": 0.0,
    "purchase": 5.0,
    "rating": 1.0,
    "recommendation_impression": 0.0,
    "recommendation_click": 2.0,
}


@dataclass(frozen=True)
class EventLog:
    """Parallel arrays, one entry per event (the ``events`` table of the dataset format).

    ``timestamps`` are seconds since the Unix epoch (NaN where unknown); ``values`` the explicit
    strength (a star rating), NaN where absent.
    """

    user_ids: npt.NDArray[np.str_]
    item_ids: npt.NDArray[np.str_]
    event_types: npt.NDArray[np.str_]
    timestamps: npt.NDArray[np.float64]
    values: npt.NDArray[np.float64]

    @classmethod
    def of(
        cls,
        user_ids: Sequence[str],
        item_ids: Sequence[str],
        event_types: Sequence[str] | None = None,
        timestamps: Sequence[float] | npt.NDArray[np.float64] | None = None,
        values: Sequence[float] | npt.NDArray[np.float64] | None = None,
    ) -> EventLog:
        """Build from sequences; missing types default to ``purchase``, times and values to NaN."""
        n = len(user_ids)
        return cls(
            np.asarray(user_ids, dtype=np.str_),
            np.asarray(item_ids, dtype=np.str_),
            np.asarray(event_types if event_types is not None else ["purchase"] * n, np.str_),
            np.asarray(timestamps if timestamps is not None else np.full(n, np.nan), np.float64),
            np.asarray(values if values is not None else np.full(n, np.nan), np.float64),
        )

    def __len__(self) -> int:
        return int(self.user_ids.size)

    def take(self, mask: npt.NDArray[np.bool_] | npt.NDArray[np.int64]) -> EventLog:
        """The events selected by a boolean mask or an index array."""
        return EventLog(
            self.user_ids[mask],
            self.item_ids[mask],
            self.event_types[mask],
            self.timestamps[mask],
            self.values[mask],
        )


@dataclass(frozen=True)
class EventWeighting:
    """How much one event counts.

    Args:
        weights: weight per event type; types not listed count ``default_weight``.
        default_weight: weight of an event type missing from ``weights``.
        half_life_days: if set, an event ``t`` days older than ``now`` counts ``0.5 ** (t / h)``.
        now: the reference time in epoch seconds; defaults to the newest event.
        use_values: multiply by the event's explicit value (a rating) when it has one.
    """

    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_EVENT_WEIGHTS))
    default_weight: float = 1.0
    half_life_days: float | None = None
    now: float | None = None
    use_values: bool = False

    def of(self, events: EventLog) -> npt.NDArray[np.float64]:
        """The weight of every event."""
        kinds, type_rows = np.unique(events.event_types, return_inverse=True)
        return self.of_encoded(
            tuple(kinds.tolist()), type_rows.ravel(), events.timestamps, events.values
        )

    def of_encoded(
        self,
        event_types: Sequence[str],
        type_rows: npt.NDArray[np.integer[Any]],
        timestamps: npt.NDArray[np.float64],
        values: npt.NDArray[np.float64] | None = None,
    ) -> npt.NDArray[np.float64]:
        """The weight of every event whose type is ``event_types[type_rows[i]]``.

        The mapping runs once per distinct type, not once per event: 20M events have ~5 types.
        """
        per_type = np.array(
            [self.weights.get(kind, self.default_weight) for kind in event_types], np.float64
        )
        weights = per_type[type_rows] if type_rows.size else np.zeros(0)
        if self.use_values and values is not None:
            weights = weights * np.where(np.isnan(values), 1.0, values)
        if self.half_life_days is not None and type_rows.size:
            weights = weights * decay(timestamps, self.half_life_days, self.now)
        return np.asarray(weights, dtype=np.float64)


def decay(
    timestamps: npt.NDArray[np.float64], half_life_days: float, now: float | None = None
) -> npt.NDArray[np.float64]:
    """``0.5 ** (age / half_life)``; an unknown time counts as fresh, a future one as now."""
    known = ~np.isnan(timestamps)
    reference = now if now is not None else (timestamps[known].max() if known.any() else 0.0)
    age_days = np.clip(reference - np.where(known, timestamps, reference), 0, None)
    return np.asarray(0.5 ** (age_days / SECONDS_PER_DAY / half_life_days), dtype=np.float64)


def decayed_matrix(interactions: Interactions, half_life_days: float) -> sparse.csr_matrix:
    """The weights decayed by the age of each pair's latest event (pairs without time kept)."""
    matrix = sparse.csr_matrix(interactions.matrix, dtype=np.float64)
    if interactions.times is None or interactions.times.nnz == 0:
        return matrix
    days = sparse.csr_matrix(interactions.times.multiply(matrix > 0))
    factors = days.copy()
    factors.data = decay((days.data - 1.0) * SECONDS_PER_DAY, half_life_days)
    timed = sparse.csr_matrix(days > 0, dtype=np.float64)
    return sparse.csr_matrix(matrix.multiply(factors) + matrix - matrix.multiply(timed))


@dataclass(frozen=True)
class EncodedEvents:
    """Events whose ids are already rows of an index, one entry per event.

    How millions of events reach the algorithms without a Python string per event: a columnar
    reader (Arrow's dictionary encoding in the engine) turns ids into rows, and only the distinct
    ids become strings. ``timestamps`` are epoch seconds, NaN where unknown.
    """

    users: IdIndex
    items: IdIndex
    user_rows: npt.NDArray[np.int64]
    item_rows: npt.NDArray[np.int64]
    event_types: tuple[str, ...]
    type_rows: npt.NDArray[np.int64]
    timestamps: npt.NDArray[np.float64]
    values: npt.NDArray[np.float64] | None = None

    def __len__(self) -> int:
        return int(self.user_rows.size)


def build_interactions(
    events: EventLog,
    weighting: EventWeighting | None = None,
    *,
    users: IdIndex | None = None,
    items: IdIndex | None = None,
) -> Interactions:
    """Weigh every event and sum them per (user, item); keep the latest time of each pair.

    Pass ``users``/``items`` to share one index between a training and a test matrix; events of
    ids outside a given index are dropped. Pairs whose total weight is not positive are dropped.
    """
    weighting = weighting or EventWeighting()
    users, user_rows = _encode(events.user_ids, users)
    items, item_rows = _encode(events.item_ids, items)
    keep = (user_rows >= 0) & (item_rows >= 0)
    weights = weighting.of(events)[keep]
    shape = (len(users), len(items))
    matrix, times = _assemble(
        user_rows[keep], item_rows[keep], weights, events.timestamps[keep], shape
    )
    return Interactions(matrix, users, items, times)


def interactions_from_encoded(
    events: EncodedEvents, weighting: EventWeighting | None = None
) -> Interactions:
    """:func:`build_interactions` for events whose ids are already rows (see EncodedEvents)."""
    weighting = weighting or EventWeighting()
    weights = weighting.of_encoded(
        events.event_types, events.type_rows, events.timestamps, events.values
    )
    shape = (len(events.users), len(events.items))
    matrix, times = _assemble(events.user_rows, events.item_rows, weights, events.timestamps, shape)
    return Interactions(matrix, events.users, events.items, times)


def _encode(
    ids: npt.NDArray[np.str_], index: IdIndex | None
) -> tuple[IdIndex, npt.NDArray[np.int64]]:
    """An index of the ids (first-seen order unless given) and the row of every id (−1: unknown)."""
    if index is not None:
        return index, _positions_of(ids, index)
    if ids.size == 0:
        return IdIndex(()), np.zeros(0, dtype=np.int64)
    distinct, first, inverse = np.unique(ids, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size)
    return IdIndex(tuple(distinct[order].tolist())), rank[inverse.ravel()]


def _positions_of(ids: npt.NDArray[np.str_], index: IdIndex) -> npt.NDArray[np.int64]:
    """Row of every id, −1 when unknown; looks each distinct id up once (millions of events)."""
    distinct, inverse = np.unique(ids, return_inverse=True)
    found = [index.position(key) for key in distinct.tolist()]
    positions = np.array([-1 if p is None else p for p in found], dtype=np.int64)
    return positions[inverse.ravel()] if ids.size else np.zeros(0, dtype=np.int64)


def _assemble(
    rows: npt.NDArray[np.int64],
    cols: npt.NDArray[np.int64],
    weights: npt.NDArray[np.float64],
    timestamps: npt.NDArray[np.float64],
    shape: tuple[int, int],
) -> tuple[sparse.csr_matrix, sparse.csr_matrix | None]:
    """Sum the weights and take the latest known time per pair, keeping positive sums only.

    One sort of a (row, column) key serves both reductions, and the CSR arrays come straight from
    it: 20M events need a few 160 MB arrays instead of scipy's COO copies and a three-key lexsort.
    """
    n_users, n_items = shape
    key = rows.astype(np.int64) * max(n_items, 1) + cols
    order = np.argsort(key, kind="stable")
    key = key[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if key.size else key[:0]
    sums = np.add.reduceat(weights[order], starts) if key.size else weights[:0]
    # fmax ignores NaN, so a pair's time is its latest known one (NaN only if none is known).
    latest = np.fmax.reduceat(timestamps[order], starts) if key.size else timestamps[:0]
    positive = sums > 0
    pairs = key[starts][positive]
    pair_rows = pairs // max(n_items, 1)
    indptr = np.r_[0, np.cumsum(np.bincount(pair_rows, minlength=n_users))]
    pair_cols = pairs - pair_rows * max(n_items, 1)
    matrix = sparse.csr_matrix((sums[positive], pair_cols, indptr), shape=shape, dtype=np.float64)
    latest = latest[positive]
    known = ~np.isnan(latest)
    if not known.any():
        return matrix, None
    days = np.where(known, latest / SECONDS_PER_DAY + 1.0, 0.0)
    times = sparse.csr_matrix((days, pair_cols, indptr), shape=shape, dtype=np.float64)
    times.eliminate_zeros()  # "no known time" is an absent entry, as before
    return matrix, times
