"""Holds the model snapshot requests rank with, swapped whole so no request sees half a model."""

from __future__ import annotations

from nextbuy.engine.domain.model import RecommendationModel


class ModelStore:
    def __init__(self) -> None:
        self._current: RecommendationModel | None = None

    def current(self) -> RecommendationModel | None:
        return self._current

    def swap(self, model: RecommendationModel) -> None:
        """Publish a new snapshot: one reference assignment, atomic for every reader."""
        self._current = model
