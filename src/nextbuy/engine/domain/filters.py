"""Business rules at ranking time, vectorised over the candidates' columns.

A request's filters (categories, price range, excluded ids), the diversity cap and the page are
applied to a whole candidate pool at once — boolean masks over the read model's arrays — so a
narrow filter costs a few array operations, not an object per candidate. The per-candidate
reference of the same rules is :mod:`nextbuy.recommend.rules`; the tests compare the two.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from nextbuy.engine.domain.ports import CandidateColumns

MAX_EXCLUDED_IDS = 100
"""Explicitly excluded products per request: a page of "not these" is plenty."""
MAX_OFFSET = 400
"""With k ≤ 100 a page ends within the first 500: within what the pools deepen to."""


@dataclass(frozen=True, slots=True)
class RequestFilters:
    """One request's business rules (stock and already-bought exclusion always apply).

    Args:
        categories: keep products under one of these category path prefixes (empty: all).
        min_price: drop products cheaper than this.
        max_price: drop products dearer than this.
        exclude_ids: products the caller does not want back.
        max_per_category: at most this many products of one category (``None``: no cap).
        offset: skip this many ranked products (pagination).
    """

    categories: tuple[str, ...] = ()
    min_price: float | None = None
    max_price: float | None = None
    exclude_ids: frozenset[str] = frozenset()
    max_per_category: int | None = None
    offset: int = 0

    @property
    def narrowed(self) -> bool:
        """Whether only part of the catalogue may be shown (then best sellers are a fallback)."""
        return bool(self.categories) or self.min_price is not None or self.max_price is not None

    def scope(self, currency: str = "") -> str:
        """The filters in words, for a fallback's reason."""
        parts = [" or ".join(self.categories)] if self.categories else []
        unit = f" {currency}" if currency else ""
        if self.min_price is not None and self.max_price is not None:
            parts.append(f"{self.min_price:g}–{self.max_price:g}{unit}")
        elif self.min_price is not None:
            parts.append(f"from {self.min_price:g}{unit}")
        elif self.max_price is not None:
            parts.append(f"up to {self.max_price:g}{unit}")
        return ", ".join(parts)


NO_FILTERS = RequestFilters()


def eligible(columns: CandidateColumns, filters: RequestFilters) -> npt.NDArray[np.bool_]:
    """Listed, sellable, and within the request's categories and price range."""
    keep = columns.listed & columns.sellable & columns.in_categories
    # ``not (price < min)`` rather than ``price >= min``: an unknown (NaN) price passes.
    if filters.min_price is not None:
        keep &= ~(columns.price < filters.min_price)
    if filters.max_price is not None:
        keep &= ~(columns.price > filters.max_price)
    return keep


def cap_per_category(
    positions: npt.NDArray[np.int64], category: npt.NDArray[np.int64], cap: int | None
) -> npt.NDArray[np.int64]:
    """The ``positions`` (in rank order) left when each category keeps only its first ``cap``."""
    if cap is None or positions.size == 0:
        return positions
    codes = category[positions]
    order = np.argsort(codes, kind="stable")  # rank order kept within each category
    sorted_codes = codes[order]
    index = np.arange(order.size)
    starts_group = np.ones(order.size, dtype=np.bool_)
    starts_group[1:] = sorted_codes[1:] != sorted_codes[:-1]
    group_start = np.maximum.accumulate(np.where(starts_group, index, 0))
    rank_in_category = np.empty_like(order)
    rank_in_category[order] = index - group_start
    return positions[rank_in_category < cap]


def ranked_positions(columns: CandidateColumns, filters: RequestFilters) -> npt.NDArray[np.int64]:
    """Every candidate position that survives the filters and the diversity cap, in rank order."""
    positions = np.flatnonzero(eligible(columns, filters)).astype(np.int64)
    return cap_per_category(positions, columns.category, filters.max_per_category)
