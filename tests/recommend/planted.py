"""Planted-structure datasets whose right answers are known, shared by the recommend tests."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nextbuy.recommend.events import EventLog, build_interactions
from nextbuy.recommend.interactions import Interactions
from nextbuy.recommend.registry import SideInformation

N_USERS = 40
N_ITEMS = 40


def parity(index: int) -> str:
    return "even" if index % 2 == 0 else "odd"


@dataclass(frozen=True)
class Checkerboard:
    """User u touched item i only when u and i have the same parity (with a few holes).

    So every right recommendation for u, and every right neighbour of i, has the parity of u or i.
    Product text, categories and user segments carry the same parity, for the algorithms that
    read side information instead of co-occurrence.
    """

    interactions: Interactions
    side: SideInformation

    def user_parity(self, row: int) -> int:
        return int(self.interactions.users.ids[row][1:]) % 2

    def item_parity(self, row: int) -> int:
        return int(self.interactions.items.ids[row][1:]) % 2


def checkerboard() -> Checkerboard:
    users, items, times = [], [], []
    for u in range(N_USERS):
        for i in range(N_ITEMS):
            # Holes leave same-parity items to recommend; the pattern is fixed, not random.
            if u % 2 == i % 2 and (u * 7 + i * 3) % 5 != 0:
                users.append(f"u{u}")
                items.append(f"i{i}")
                times.append(1_700_000_000.0 + 3600.0 * (u + i))
    events = EventLog.of(users, items, ["purchase"] * len(users), times)
    side = SideInformation(
        item_texts={f"i{i}": f"{parity(i)} colour widget model{i}" for i in range(N_ITEMS)},
        item_categories={f"i{i}": f"{parity(i)}/widgets" for i in range(N_ITEMS)},
        user_segments={f"u{u}": parity(u) for u in range(N_USERS)},
    )
    return Checkerboard(build_interactions(events), side)


def popularity_ladder() -> tuple[Interactions, list[str]]:
    """Item pN is touched by 12 - N users, so the popularity order is p0, p1, p2, ...

    The most popular items are also the most recent ones, so trending agrees with popularity.
    """
    users, items, times = [], [], []
    for n in range(12):
        for u in range(12 - n):
            users.append(f"u{u}")
            items.append(f"p{n}")
            times.append(1_700_000_000.0 - 86_400.0 * n)
    events = EventLog.of(users, items, ["view"] * len(users), times)
    return build_interactions(events), [f"p{n}" for n in range(12)]


def dense_rows(count: int) -> np.ndarray:
    return np.arange(count, dtype=np.int64)
