"""The model the engine ranks with: popularity and co-purchase neighbours, built from orders."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from nextbuy.engine.domain.ports import PurchaseRecord
from nextbuy.recommend.copurchase import CoPurchaseNeighbours
from nextbuy.recommend.interactions import Interactions
from nextbuy.recommend.popularity import Popularity


@dataclass(frozen=True)
class RecommendationModel:
    """An immutable snapshot: the engine swaps whole snapshots, so no request sees half a model."""

    version: str
    built_at: datetime
    interactions: Interactions
    popularity: Popularity
    neighbours: CoPurchaseNeighbours

    @classmethod
    def build(
        cls, purchases: Iterable[PurchaseRecord], *, neighbours_per_item: int
    ) -> RecommendationModel:
        """Fit popularity and co-purchase neighbours on every non-cancelled order line."""
        users: list[str] = []
        items: list[str] = []
        for record in purchases:
            if record.cancelled:
                continue
            for product_id in record.product_ids:
                users.append(record.user_id)
                items.append(product_id)
        interactions = Interactions.from_triples(users, items)
        popularity = Popularity.fit(interactions)
        neighbours = CoPurchaseNeighbours.fit(interactions, top_n=neighbours_per_item)
        return cls(
            version=_version_of(users, items),
            built_at=datetime.now(UTC),
            interactions=interactions,
            popularity=popularity,
            neighbours=neighbours,
        )

    @property
    def item_ids(self) -> tuple[str, ...]:
        return self.interactions.items.ids

    def popular(self, n: int, exclude: Iterable[str] = ()) -> list[tuple[str, float]]:
        """The ``n`` most popular products not in ``exclude``, with their buyer counts."""
        excluded = self.interactions.items.positions(exclude)
        rows = self.popularity.top(n, excluded)
        return [(self.item_ids[r], float(self.popularity.scores[r])) for r in rows.tolist()]

    def co_purchased(self, seeds: Iterable[str]) -> list[tuple[str, float, str]]:
        """Products bought by buyers of ``seeds``: (product, score, the seed that explains it)."""
        rows = self.interactions.items.positions(seeds)
        scored = self.neighbours.score(rows)
        ranked = sorted(scored.items(), key=lambda entry: (-entry[1][0], entry[0]))
        return [(self.item_ids[i], score, self.item_ids[seed]) for i, (score, seed) in ranked]

    def similar(self, product_id: str) -> list[tuple[str, float]]:
        """The co-purchase neighbours of one product (empty when it was never bought)."""
        row = self.interactions.items.position(product_id)
        if row is None:
            return []
        return [(self.item_ids[i], similarity) for i, similarity in self.neighbours.of(row)]


def _version_of(users: list[str], items: list[str]) -> str:
    """A content hash: the same orders always give the same version string."""
    digest = hashlib.blake2b(digest_size=6)
    for user, item in zip(users, items, strict=True):
        digest.update(f"{user}\x1f{item}\x1e".encode())
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    return f"copurchase-{stamp}-{digest.hexdigest()}-{len(np.unique(items)) if items else 0}i"
