"""Shopping sessions for a block of shoppers: views, carts, removals, purchases, repeats.

All arrays, no Python loops over events: a block of 100,000 shoppers is a handful of numpy
calls. Funnel: each view may add to cart (more likely in the shopper's tastes and price
range, never when sold out); a cart converts at checkout, at the end of the session, or is
sometimes removed. Consumables bought by known shoppers are bought again weeks later.
"""

from __future__ import annotations

import numpy as np

from nextbuy.data.generator.assemble import assemble
from nextbuy.data.generator.block import DAY_US, Events
from nextbuy.data.generator.catalogue import Catalogue
from nextbuy.data.generator.config import WEEKDAY_WEIGHTS, GeneratorConfig
from nextbuy.data.generator.people import TASTES, People


def simulate(
    rng: np.random.Generator,
    people: People,
    shoppers: np.ndarray,
    catalogue: Catalogue,
    config: GeneratorConfig,
    first_session: int,
) -> tuple[Events, int]:
    """Events of ``shoppers`` (indices into ``people``; -1 for each anonymous visit), and the
    number of session ids used from ``first_session`` on."""
    known = shoppers >= 0
    who = np.where(known, shoppers, 0)
    count = np.where(known, rng.poisson(people.sessions[who]), 1)
    owner = np.repeat(shoppers, count)
    profile = np.repeat(who if known.all() else _visitor_rows(rng, shoppers, people), count)
    session = first_session + np.arange(owner.size)
    day = _session_days(rng, np.where(owner >= 0, people.first_day[profile], 0.0), config)
    start_us = _start_us(rng, day, config)
    views = rng.geometric(1.0 / config.views_per_session, owner.size)
    v_session = np.repeat(np.arange(owner.size), views)
    v_profile = profile[v_session]
    in_taste = rng.random(v_session.size) < config.in_taste_share
    slot = people.tastes[v_profile, rng.integers(0, TASTES, v_session.size)]
    product = np.where(
        in_taste,
        catalogue.in_category(rng, slot),
        catalogue.anywhere(rng, v_session.size),
    )
    v_day = day[v_session]
    unlisted = catalogue.created_day[product] > v_day
    product[unlisted] = catalogue.anywhere(rng, int(unlisted.sum()), launched=True)
    gaps = rng.exponential(45e6, v_session.size).astype(np.int64)
    v_time = start_us[v_session] + _cumsum_within(gaps, views)
    in_taste = catalogue.category[product] == slot
    funnel = _funnel(rng, catalogue, config, product, v_day, in_taste, people.budget[v_profile])
    views_at = {"session": v_session, "product": product, "time": v_time}
    return assemble(rng, catalogue, config, owner, session, views_at, funnel)


def _visitor_rows(rng: np.random.Generator, shoppers: np.ndarray, people: People) -> np.ndarray:
    """Anonymous visitors borrow a random shopper's tastes (their own are unknown to the shop)."""
    return np.where(shoppers >= 0, shoppers, rng.integers(0, people.age.size, shoppers.size))


def _session_days(
    rng: np.random.Generator, first_day: np.ndarray, config: GeneratorConfig
) -> np.ndarray:
    """Uniform after sign-up, thinned by weekday so busy days get more sessions."""
    weights = np.array(WEEKDAY_WEIGHTS) / max(WEEKDAY_WEIGHTS)
    day = rng.uniform(first_day, config.days)
    for _ in range(2):
        weekday = (np.floor(day).astype(np.int64) + config.start.weekday()) % 7
        redo = rng.random(day.size) > weights[weekday]
        day[redo] = rng.uniform(first_day[redo], config.days)
    return np.floor(day)


def _start_us(rng: np.random.Generator, day: np.ndarray, config: GeneratorConfig) -> np.ndarray:
    """Evening peak with a lunchtime shoulder."""
    evening = rng.random(day.size) < 0.6
    hour = np.where(evening, rng.normal(20.0, 2.0, day.size), rng.normal(12.5, 2.5, day.size))
    seconds = (np.mod(hour, 24.0) * 3600).astype(np.int64)
    base = int(config.start.timestamp() * 1e6)
    start: np.ndarray = base + day.astype(np.int64) * DAY_US + seconds * 1_000_000
    return start


def _cumsum_within(values: np.ndarray, run_lengths: np.ndarray) -> np.ndarray:
    total = np.cumsum(values)
    starts = np.concatenate([[0], np.cumsum(run_lengths)[:-1]])
    offset = np.repeat(total[starts] - values[starts], run_lengths)
    within: np.ndarray = total - offset
    return within


def _funnel(
    rng: np.random.Generator,
    catalogue: Catalogue,
    config: GeneratorConfig,
    product: np.ndarray,
    day: np.ndarray,
    in_taste: np.ndarray,
    budget: np.ndarray,
) -> dict[str, np.ndarray]:
    affordable = catalogue.category_price[catalogue.category[product]] * budget
    price_factor = np.clip((catalogue.price[product] / affordable) ** -0.8, 0.25, 2.0)
    p_cart = config.cart_rate * np.where(in_taste, 1.4, 0.6) * price_factor
    in_stock = day < catalogue.out_of_stock_day[product]
    carted = (rng.random(product.size) < p_cart) & in_stock
    consumable = catalogue.consumable[product]
    p_buy = config.checkout_rate * np.where(consumable, 1.3, 1.0)
    bought = carted & (rng.random(product.size) < p_buy)
    removed = carted & ~bought & (rng.random(product.size) < config.remove_rate)
    extra = np.where(
        consumable, rng.geometric(0.6, product.size) - 1, rng.random(product.size) < 0.08
    )
    return {"carted": carted, "bought": bought, "removed": removed, "quantity": 1 + extra}
