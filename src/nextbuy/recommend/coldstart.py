"""Cold start: lists for a user with no history and places for a product with no interactions.

A new user is scored by what their demographic segment and stated favourite categories like, and
session signals take over as they arrive. A new product borrows the audience of its content
neighbours, plus a bounded exploration boost so it can earn interactions of its own without
pushing proven items off the list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from nextbuy.recommend.base import Scores
from nextbuy.recommend.content import ContentTfidf
from nextbuy.recommend.segments import CategoryPopularity, SegmentPopularity


def segment_of(age_band: str | None, gender: str | None, country: str | None) -> str:
    """The segment key of a profile: the known demographics joined, "" when none is known."""
    parts = [f"{name}={value}" for name, value in _fields(age_band, gender, country) if value]
    return "|".join(parts)


def _fields(*values: str | None) -> list[tuple[str, str | None]]:
    return list(zip(("age", "gender", "country"), values, strict=True))


@dataclass(frozen=True)
class NewUserProfile:
    """What a brand-new user tells us: a segment key, stated categories, items seen this visit."""

    segment: str = ""
    favourite_categories: Sequence[str] = ()
    session_items: Sequence[int] = ()


def new_user_scores(
    profile: NewUserProfile,
    segments: SegmentPopularity,
    categories: CategoryPopularity,
    *,
    preference_weight: float = 0.5,
    session_scores: Scores | None = None,
    session_saturation: int = 3,
) -> Scores:
    """Scores (1 × items) for a user without history.

    Args:
        profile: segment, stated categories and the items viewed in the current session.
        segments: fitted segment popularity (the demographic prior).
        categories: fitted category popularity (the stated-taste prior).
        preference_weight: share of the prior given to stated categories when there are some.
        session_scores: scores of a session model for ``profile.session_items`` (1 × items).
        session_saturation: session length at which the session signal has full weight.
    """
    prior = _unit(segments.segment_scores(profile.segment))
    if profile.favourite_categories:
        weights = dict.fromkeys(profile.favourite_categories, 1.0)
        stated = _unit(categories.category_scores(weights))
        prior = (1.0 - preference_weight) * prior + preference_weight * stated
    if session_scores is None or not profile.session_items:
        return prior
    # One click says little, three say a lot: the session earns weight as it grows.
    trust = min(1.0, len(profile.session_items) / session_saturation)
    return np.asarray((1.0 - trust) * prior + trust * _unit(session_scores), dtype=np.float32)


def content_neighbours(content: ContentTfidf, text: str, k: int = 10) -> list[tuple[int, float]]:
    """Existing items closest to a new product's text: its first "similar products" list."""
    scores = content.text_scores([text])[0]
    order = np.lexsort((np.arange(scores.size), -scores))[:k]
    return [(int(i), float(scores[i])) for i in order if scores[i] > 0]


def exploration_boost(
    scores: Scores,
    cold_items: npt.NDArray[np.int64],
    *,
    boost: float = 0.1,
    max_boosted: int = 1,
    k: int = 10,
) -> Scores:
    """Lift cold items towards the top k, but never more than ``max_boosted`` of them per list.

    Args:
        scores: scores (rows × items) of any model, e.g. content similarity to the user's taste.
        cold_items: rows of products without interactions.
        boost: the lift, as a share of each row's score range: bounded by construction.
        max_boosted: cold items per row that may receive the lift (the best-scored ones).
        k: list length the boost aims at (documentation of intent; the cap is per row).
    """
    lifted = np.array(scores, dtype=np.float32, copy=True)
    if cold_items.size == 0 or max_boosted <= 0 or k <= 0:
        return lifted
    finite = np.where(np.isfinite(lifted), lifted, np.nan)
    spread = np.nanmax(finite, axis=1) - np.nanmin(finite, axis=1)
    cold_scores = lifted[:, cold_items]
    chosen = np.argsort(-cold_scores, axis=1, kind="stable")[:, :max_boosted]
    rows = np.arange(lifted.shape[0])[:, None]
    lifted[rows, cold_items[chosen]] += boost * np.nan_to_num(spread)[:, None]
    return lifted


def _unit(scores: Scores) -> Scores:
    """Rescale each row to [0, 1] so priors of different models can be mixed."""
    low = scores.min(axis=1, keepdims=True)
    span = scores.max(axis=1, keepdims=True) - low
    return np.asarray((scores - low) / np.where(span > 0, span, 1.0), dtype=np.float32)
