"""Why an item was recommended: a small typed record that the serving layer turns into text."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from nextbuy.recommend.interactions import IdIndex


class ReasonKind(StrEnum):
    """The families of explanation the algorithms can give."""

    SIMILAR_TO = "similar_to"  # "because you viewed X"
    BOUGHT_TOGETHER = "bought_together"  # "bought together with X"
    SIMILAR_CONTENT = "similar_content"  # "like X, which you viewed"
    SESSION = "session"  # "people who viewed X in the same visit also viewed this"
    POPULAR = "popular"
    POPULAR_IN_CATEGORY = "popular_in_category"  # "popular in Y"
    POPULAR_IN_SEGMENT = "popular_in_segment"  # "popular with shoppers like you"
    TRENDING = "trending"
    NEW_ARRIVAL = "new_arrival"  # a cold product given an exploration boost


_TEMPLATES = {
    ReasonKind.SIMILAR_TO: "because you viewed {item}",
    ReasonKind.BOUGHT_TOGETHER: "bought together with {item}",
    ReasonKind.SIMILAR_CONTENT: "similar to {item}",
    ReasonKind.SESSION: "viewed by visitors who also viewed {item}",
    ReasonKind.POPULAR: "popular right now",
    ReasonKind.POPULAR_IN_CATEGORY: "popular in {label}",
    ReasonKind.POPULAR_IN_SEGMENT: "popular with {label}",
    ReasonKind.TRENDING: "trending",
    ReasonKind.NEW_ARRIVAL: "new arrival",
}


@dataclass(frozen=True)
class Reason:
    """One explanation: its kind, the anchor item row behind it and/or a label (a category)."""

    kind: ReasonKind
    item: int | None = None
    label: str | None = None

    def describe(self, items: IdIndex | None = None) -> str:
        """Human-readable text; the anchor item is shown by id when an index is given."""
        anchor = "an item you liked"
        if self.item is not None:
            anchor = items.ids[self.item] if items is not None else f"item #{self.item}"
        if self.kind in {ReasonKind.SIMILAR_TO, ReasonKind.SIMILAR_CONTENT} and self.item is None:
            return "recommended for you"
        return _TEMPLATES[self.kind].format(item=anchor, label=self.label or "your area")
