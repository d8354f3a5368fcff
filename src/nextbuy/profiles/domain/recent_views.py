"""The browsing-history rule: keep the newest views, each (product, instant) pair once."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from nextbuy.contracts.profiles import MAX_RECENT_VIEWS
from nextbuy.profiles.domain.models import ProductView


@dataclass(frozen=True, slots=True)
class RecentViewsChange:
    """The history after an append, and the rows a store must add and drop to get there."""

    kept: tuple[ProductView, ...]
    added: tuple[ProductView, ...]
    removed: tuple[ProductView, ...]

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)


def newest_first(views: Iterable[ProductView]) -> list[ProductView]:
    """Order views newest first; ties on the instant go by product id, so order is stable."""
    by_product = sorted(views, key=lambda view: view.product_id)
    return sorted(by_product, key=lambda view: view.viewed_at, reverse=True)


def merge_recent_views(
    current: Sequence[ProductView],
    appended: Iterable[ProductView],
    *,
    limit: int = MAX_RECENT_VIEWS,
) -> RecentViewsChange:
    """Append ``appended`` to ``current`` and keep the ``limit`` newest distinct views.

    A view older than everything kept is dropped at once (never stored), so appending old
    history to a full profile changes nothing.
    """
    existing = set(current)
    union = existing | set(appended)
    kept = tuple(newest_first(union)[:limit])
    kept_set = set(kept)
    return RecentViewsChange(
        kept=kept,
        added=tuple(newest_first(kept_set - existing)),
        removed=tuple(newest_first(existing - kept_set)),
    )
