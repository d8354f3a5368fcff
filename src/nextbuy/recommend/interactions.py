"""Interactions as a sparse user × item matrix, with the mapping between external ids and rows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse


@dataclass(frozen=True)
class IdIndex:
    """A frozen bijection between external string ids and dense row numbers 0..n-1."""

    ids: tuple[str, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_positions", {key: i for i, key in enumerate(self.ids)})

    @classmethod
    def from_ids(cls, ids: Iterable[str]) -> IdIndex:
        """Index the distinct ids in first-seen order."""
        return cls(tuple(dict.fromkeys(ids)))

    def __len__(self) -> int:
        return len(self.ids)

    def position(self, key: str) -> int | None:
        positions: dict[str, int] = self._positions  # type: ignore[attr-defined]
        return positions.get(key)

    def positions(self, keys: Iterable[str]) -> npt.NDArray[np.int64]:
        """Rows of the known ids among ``keys`` (unknown ids are dropped)."""
        positions: dict[str, int] = self._positions  # type: ignore[attr-defined]
        # A list comprehension then one copy: ~25% faster than ``np.fromiter`` over a generator.
        return np.array([positions[k] for k in keys if k in positions], dtype=np.int64)


@dataclass(frozen=True)
class Interactions:
    """A weighted user × item matrix in CSR form (duplicate pairs summed).

    ``times``, when known, has the same sparsity as ``matrix`` and holds the latest event time of
    each pair in days since the Unix epoch plus one (so that an explicit zero never means "now").
    """

    matrix: sparse.csr_matrix
    users: IdIndex
    items: IdIndex
    times: sparse.csr_matrix | None = None

    @classmethod
    def from_triples(
        cls,
        user_ids: Sequence[str],
        item_ids: Sequence[str],
        weights: Sequence[float] | None = None,
    ) -> Interactions:
        """Build from parallel sequences of (user, item, weight); weight defaults to 1."""
        users = IdIndex.from_ids(user_ids)
        items = IdIndex.from_ids(item_ids)
        rows = users.positions(user_ids)
        cols = items.positions(item_ids)
        data = np.ones(len(rows)) if weights is None else np.asarray(weights, dtype=np.float64)
        matrix = sparse.csr_matrix(
            (data, (rows, cols)), shape=(len(users), len(items)), dtype=np.float64
        )
        matrix.sum_duplicates()
        return cls(matrix, users, items)

    @property
    def shape(self) -> tuple[int, int]:
        return (len(self.users), len(self.items))

    def with_matrix(self, matrix: sparse.csr_matrix) -> Interactions:
        """The same ids (and times where the new matrix keeps a pair) around another matrix."""
        times = None
        if self.times is not None:
            times = sparse.csr_matrix(self.times.multiply(matrix > 0))
        return Interactions(sparse.csr_matrix(matrix), self.users, self.items, times)
