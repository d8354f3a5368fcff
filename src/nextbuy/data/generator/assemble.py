"""Turn views and their funnel outcomes into events, and add consumables' repeat purchases."""

from __future__ import annotations

import numpy as np

from nextbuy.data.generator.block import (
    ADD_TO_CART,
    DAY_US,
    PURCHASE,
    REMOVE_FROM_CART,
    VIEW,
    Events,
    concatenate,
)
from nextbuy.data.generator.catalogue import Catalogue
from nextbuy.data.generator.config import GeneratorConfig


def assemble(
    rng: np.random.Generator,
    catalogue: Catalogue,
    config: GeneratorConfig,
    owner: np.ndarray,
    session: np.ndarray,
    views: dict[str, np.ndarray],
    funnel: dict[str, np.ndarray],
) -> tuple[Events, int]:
    """All events of a block, and the number of session ids used (repeats open new sessions)."""
    at, product, when = views["session"], views["product"], views["time"]
    n = at.size
    ones = np.ones(n, dtype=np.int64)
    checkout = _session_end(at, when, session.size) + 60_000_000
    carted, bought, removed = funnel["carted"], funnel["bought"], funnel["removed"]
    cart_time = when + rng.exponential(20e6, n).astype(np.int64)
    parts = [
        _events(owner, session, at, product, VIEW, when, ones),
        _events(
            owner,
            session,
            at[carted],
            product[carted],
            ADD_TO_CART,
            cart_time[carted],
            ones[carted],
        ),
        _events(
            owner,
            session,
            at[removed],
            product[removed],
            REMOVE_FROM_CART,
            cart_time[removed] + rng.exponential(120e6, int(removed.sum())).astype(np.int64),
            ones[removed],
        ),
        _events(
            owner,
            session,
            at[bought],
            product[bought],
            PURCHASE,
            checkout[at[bought]],
            funnel["quantity"][bought],
        ),
    ]
    repeats = _repeats(
        rng, catalogue, config, owner, at[bought], product[bought], checkout[at[bought]]
    )
    first_repeat_session = int(session[-1]) + 1 if session.size else 0
    if repeats[0].size:
        parts.append(_repeat_events(repeats, first_repeat_session))
    return concatenate(parts), session.size + repeats[0].size


def _events(
    owner: np.ndarray,
    session: np.ndarray,
    at: np.ndarray,
    product: np.ndarray,
    kind: int,
    time_us: np.ndarray,
    quantity: np.ndarray,
) -> Events:
    return Events(
        shopper=owner[at],
        session=session[at],
        product=product,
        kind=np.full(at.size, kind, dtype=np.int8),
        time_us=time_us,
        quantity=quantity.astype(np.int32),
    )


def _session_end(at: np.ndarray, when: np.ndarray, sessions: int) -> np.ndarray:
    end = np.zeros(sessions, dtype=np.int64)
    np.maximum.at(end, at, when)
    return end


def _repeats(
    rng: np.random.Generator,
    catalogue: Catalogue,
    config: GeneratorConfig,
    owner: np.ndarray,
    at: np.ndarray,
    product: np.ndarray,
    bought_us: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(shopper, product, time) of repeat purchases: known shoppers, consumables, in window."""
    base = int(config.start.timestamp() * 1e6)
    interval = rng.gamma(4.0, config.repeat_interval_days / 4.0, at.size)
    when = bought_us + (interval * DAY_US).astype(np.int64)
    day = (when - base) / DAY_US
    keep = (
        (owner[at] >= 0)
        & catalogue.consumable[product]
        & (rng.random(at.size) < config.repeat_rate)
        & (day < config.days)
        & (day < catalogue.out_of_stock_day[product])
    )
    return owner[at][keep], product[keep], when[keep]


def _repeat_events(repeats: tuple[np.ndarray, np.ndarray, np.ndarray], first: int) -> Events:
    """Each repeat is its own short session: view, add to cart, buy, a minute apart."""
    shopper, product, when = repeats
    k = shopper.size
    session = first + np.arange(k)
    steps = np.array([VIEW, ADD_TO_CART, PURCHASE], dtype=np.int8)
    return Events(
        shopper=np.repeat(shopper, 3),
        session=np.repeat(session, 3),
        product=np.repeat(product, 3),
        kind=np.tile(steps, k),
        time_us=np.repeat(when, 3) + np.tile(np.array([0, 30, 90]) * 1_000_000, k),
        quantity=np.ones(3 * k, dtype=np.int32),
    )
