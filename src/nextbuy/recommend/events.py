"""From raw events to a weighted interactions matrix: event-type weights and time decay.

Every algorithm fits on the same weighted matrix, so "a purchase says more than a view" is decided
once, here, and configured by :class:`EventWeighting` rather than inside each algorithm.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

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
        lookup = np.vectorize(lambda kind: self.weights.get(kind, self.default_weight), [float])
        weights = lookup(events.event_types) if len(events) else np.zeros(0)
        if self.use_values:
            weights = weights * np.where(np.isnan(events.values), 1.0, events.values)
        if self.half_life_days is not None and len(events):
            weights = weights * decay(events.timestamps, self.half_life_days, self.now)
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
    users = users or IdIndex.from_ids(events.user_ids.tolist())
    items = items or IdIndex.from_ids(events.item_ids.tolist())
    rows, cols, keep = _rows_and_columns(events, users, items)
    weights = weighting.of(events)[keep]
    shape = (len(users), len(items))
    matrix = sparse.csr_matrix((weights, (rows, cols)), shape=shape, dtype=np.float64)
    matrix.sum_duplicates()
    times = _latest_times(rows, cols, events.timestamps[keep], shape)
    positive = matrix.multiply(matrix > 0).tocsr()
    positive.eliminate_zeros()
    times = times.multiply(positive > 0).tocsr() if times is not None else None
    return Interactions(positive, users, items, times)


def _rows_and_columns(
    events: EventLog, users: IdIndex, items: IdIndex
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    rows = _positions_of(events.user_ids, users)
    cols = _positions_of(events.item_ids, items)
    keep = (rows >= 0) & (cols >= 0)
    return rows[keep], cols[keep], keep


def _positions_of(ids: npt.NDArray[np.str_], index: IdIndex) -> npt.NDArray[np.int64]:
    """Row of every id, −1 when unknown; looks each distinct id up once (millions of events)."""
    distinct, inverse = np.unique(ids, return_inverse=True)
    found = [index.position(key) for key in distinct.tolist()]
    positions = np.array([-1 if p is None else p for p in found], dtype=np.int64)
    return positions[inverse.ravel()] if ids.size else np.zeros(0, dtype=np.int64)


def _latest_times(
    rows: npt.NDArray[np.int64],
    cols: npt.NDArray[np.int64],
    timestamps: npt.NDArray[np.float64],
    shape: tuple[int, int],
) -> sparse.csr_matrix | None:
    """Latest event time per pair in days since the epoch (+1, so that zero means 'none')."""
    known = ~np.isnan(timestamps)
    if not known.any():
        return None
    order = np.lexsort((timestamps[known], cols[known], rows[known]))
    r, c, t = rows[known][order], cols[known][order], timestamps[known][order]
    last = np.ones(r.size, dtype=bool)
    last[:-1] = (r[1:] != r[:-1]) | (c[1:] != c[:-1])
    days = t[last] / SECONDS_PER_DAY + 1.0
    return sparse.csr_matrix((days, (r[last], c[last])), shape=shape, dtype=np.float64)
