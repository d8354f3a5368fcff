"""The rules every stock change obeys, applied before anything is written.

Levels never go below zero and ``reserved`` never exceeds ``available``: a change that would
break that is rejected (409), never clamped, so a lost sale or a double reservation shows up
instead of silently becoming a wrong count.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from nextbuy.contracts.inventory import MAX_UNITS
from nextbuy.inventory.domain.errors import DuplicateProductError, StockConflictError
from nextbuy.inventory.domain.models import EMPTY_LEVELS, Adjustment, Levels, LevelSet


def violation(levels: Levels) -> str | None:
    """Why ``levels`` are not a valid stock state, or None when they are."""
    if levels.available < 0:
        return f"available would become {levels.available}, below zero"
    if levels.reserved < 0:
        return f"reserved would become {levels.reserved}, below zero"
    if levels.reserved > levels.available:
        return f"reserved ({levels.reserved}) would exceed available ({levels.available})"
    if levels.available > MAX_UNITS:
        return f"available would exceed {MAX_UNITS}"
    return None


def adjust_levels(before: Levels, adjustment: Adjustment) -> Levels:
    """The levels after ``adjustment``: ``set_*`` replaces a counter, ``delta_*`` moves it."""
    available = (
        adjustment.set_available
        if adjustment.set_available is not None
        else before.available + (adjustment.delta_available or 0)
    )
    reserved = (
        adjustment.set_reserved
        if adjustment.set_reserved is not None
        else before.reserved + (adjustment.delta_reserved or 0)
    )
    return Levels(available, reserved)


def apply_adjustments(
    current: Mapping[str, Levels], adjustments: Sequence[Adjustment]
) -> dict[str, Levels]:
    """Apply ``adjustments`` in order; return the final levels of every product they name.

    Products missing from ``current`` start at zero. Each intermediate state must be valid:
    the first adjustment that breaks a rule raises :class:`StockConflictError` naming its
    index, and the caller writes nothing.
    """
    levels: dict[str, Levels] = {}
    for index, adjustment in enumerate(adjustments):
        product_id = adjustment.product_id
        before = levels.get(product_id, current.get(product_id, EMPTY_LEVELS))
        after = adjust_levels(before, adjustment)
        reason = violation(after)
        if reason is not None:
            raise StockConflictError(index, product_id, reason)
        levels[product_id] = after
    return levels


@dataclass(frozen=True, slots=True)
class UpsertPlan:
    """What a bulk upsert must write: new rows, changed rows, and how many stay as they are."""

    creates: list[LevelSet]
    updates: list[LevelSet]
    unchanged: int


def plan_upsert(existing: Mapping[str, Levels], wanted: Sequence[LevelSet]) -> UpsertPlan:
    """Split ``wanted`` into creates and updates; rows already at those levels are left alone."""
    reject_duplicates(wanted)
    creates: list[LevelSet] = []
    updates: list[LevelSet] = []
    for level_set in wanted:
        stored = existing.get(level_set.product_id)
        if stored is None:
            creates.append(level_set)
        elif stored != level_set.levels:
            updates.append(level_set)
    return UpsertPlan(creates, updates, len(wanted) - len(creates) - len(updates))


def reject_duplicates(wanted: Sequence[LevelSet]) -> None:
    """Raise :class:`DuplicateProductError` when one product appears twice in a batch."""
    seen: dict[str, int] = {}
    for index, level_set in enumerate(wanted):
        first = seen.setdefault(level_set.product_id, index)
        if first != index:
            raise DuplicateProductError(index, level_set.product_id, first)
