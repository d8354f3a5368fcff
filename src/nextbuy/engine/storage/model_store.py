"""Holds the models requests rank with, swapped whole so no request sees half a model.

Two slots: the online model, rebuilt from the change feeds every few seconds, and a trained
model published by ``nextbuy train``. A trained model serves while there is one; the online
model is the fallback that is always there.
"""

from __future__ import annotations

from nextbuy.engine.domain.model import RankingModel


class ModelStore:
    def __init__(self) -> None:
        self._online: RankingModel | None = None
        self._trained: RankingModel | None = None

    def current(self) -> RankingModel | None:
        return self._trained if self._trained is not None else self._online

    def online(self) -> RankingModel | None:
        return self._online

    def swap(self, model: RankingModel) -> None:
        """Publish a new online snapshot: one reference assignment, atomic for every reader."""
        self._online = model

    def publish_trained(self, model: RankingModel | None) -> None:
        """Serve a trained model (None goes back to the online one)."""
        self._trained = model
