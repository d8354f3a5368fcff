"""The generated catalogue: a category tree, long-tail popularity, per-category prices, stock.

Products are numbered category by category, so sampling "a product of category c, by
popularity" is one ``searchsorted`` over a key that runs from c to c+1 inside category c.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from nextbuy.data.generator.config import (
    ADJECTIVES,
    BRANDS,
    CONSUMABLE_DEPARTMENTS,
    DEPARTMENT_PRICE,
    DEPARTMENTS,
    LEAVES,
    GeneratorConfig,
)

NOT_EVER = np.inf


@dataclass(frozen=True)
class Catalogue:
    paths: list[str]  # category index -> "Department/Sub/Leaf"
    department: np.ndarray  # category index -> department index
    category_price: np.ndarray  # category index -> median price
    category: np.ndarray  # product -> category index (non-decreasing)
    price: np.ndarray
    consumable: np.ndarray  # product -> bool
    created_day: np.ndarray  # product -> day it was listed (negative: before the window)
    out_of_stock_day: np.ndarray  # product -> day it sells out (inf: never)
    within_key: np.ndarray  # category + cumulative popularity share inside the category
    global_cdf: np.ndarray  # cumulative popularity share over the whole shop
    launch_cdf: np.ndarray  # the same over products listed before the window

    @property
    def size(self) -> int:
        return int(self.category.size)

    def in_category(self, rng: np.random.Generator, categories: np.ndarray) -> np.ndarray:
        """One product per entry of ``categories``, by popularity within that category."""
        keys = categories + rng.random(categories.size)
        return np.minimum(np.searchsorted(self.within_key, keys, side="right"), self.size - 1)

    def anywhere(self, rng: np.random.Generator, n: int, launched: bool = False) -> np.ndarray:
        """``n`` products by popularity over the whole shop (or only those listed at launch)."""
        cdf = self.launch_cdf if launched else self.global_cdf
        return np.minimum(np.searchsorted(cdf, rng.random(n), side="right"), self.size - 1)


def category_tree() -> tuple[list[str], np.ndarray]:
    paths, departments = [], []
    for index, (department, subs) in enumerate(DEPARTMENTS.items()):
        for sub in subs:
            for leaf in LEAVES:
                paths.append(f"{department}/{sub}/{leaf}")
                departments.append(index)
    return paths, np.array(departments)


def build_catalogue(rng: np.random.Generator, config: GeneratorConfig) -> Catalogue:
    paths, department = category_tree()
    names = list(DEPARTMENTS)
    n, c = config.products, len(paths)
    base = np.array([DEPARTMENT_PRICE[names[d]] for d in department])
    category_price = base * rng.lognormal(0.0, 0.35, c)
    # Every category gets a product first (when there are enough), then sizes vary widely.
    shares = rng.dirichlet(np.full(c, 1.5))
    extra = rng.multinomial(max(n - c, 0), shares)
    sizes = (np.arange(c) < n).astype(int) + extra
    category = np.repeat(np.arange(c), sizes)
    # Zipf-like popularity: rank r gets weight r^-s, ranks shuffled across the catalogue.
    weight = 1.0 / rng.permutation(np.arange(1, n + 1)) ** config.zipf_exponent
    new = rng.random(n) < config.new_product_share
    created_day = np.where(new, rng.uniform(0, config.days, n), -rng.uniform(1, 720, n))
    sells_out = rng.random(n) < config.out_of_stock_share
    out_day = np.where(sells_out, rng.uniform(0, config.days, n), NOT_EVER)
    consumable = np.isin(department[category], [names.index(d) for d in CONSUMABLE_DEPARTMENTS])
    return Catalogue(
        paths=paths,
        department=department,
        category_price=category_price,
        category=category,
        price=np.maximum(np.round(category_price[category] * rng.lognormal(0, 0.5, n), 2), 0.5),
        consumable=consumable,
        created_day=created_day,
        out_of_stock_day=out_day,
        within_key=_within_category_key(category, weight, c),
        global_cdf=np.cumsum(weight) / weight.sum(),
        launch_cdf=np.cumsum(np.where(new, 0.0, weight)) / weight[~new].sum(),
    )


def _within_category_key(category: np.ndarray, weight: np.ndarray, categories: int) -> np.ndarray:
    totals = np.bincount(category, weights=weight, minlength=categories)
    running = np.cumsum(weight)
    before = np.concatenate([[0.0], np.cumsum(totals)])[category]
    key: np.ndarray = category + (running - before) / totals[category]
    return key


def product_columns(
    rng: np.random.Generator, catalogue: Catalogue, config: GeneratorConfig
) -> dict[str, pa.Array]:
    """The products table's columns (ids ``p0001``…, titles from brand, adjective and leaf)."""
    n = catalogue.size
    width = len(str(n))
    ids = [f"p{i:0{width}d}" for i in range(1, n + 1)]
    brand = np.array(BRANDS)[rng.integers(0, len(BRANDS), n)]
    adjective = np.array(ADJECTIVES)[rng.integers(0, len(ADJECTIVES), n)]
    paths = np.array(catalogue.paths)[catalogue.category]
    titles = [
        f"{b} {a} {p.split('/')[1]} {p.split('/')[2]} {i + 1}"
        for i, (b, a, p) in enumerate(zip(brand, adjective, paths, strict=True))
    ]
    start_us = int(config.start.timestamp() * 1e6)
    created = start_us + (catalogue.created_day * 86_400e6).astype(np.int64)
    return {
        "product_id": pa.array(ids),
        "sku": pa.array([f"SKU-{i}" for i in ids]),
        "title": pa.array(titles),
        "description": pa.array([f"{t}, from {b}." for t, b in zip(titles, brand, strict=True)]),
        "category_path": pa.array(paths.tolist()),
        "brand": pa.array(brand.tolist()),
        "price": pa.array(catalogue.price),
        "currency": pa.array(["EUR"] * n),
        "created_at": pa.array(created, pa.timestamp("us", tz="UTC")),
    }


def inventory_columns(rng: np.random.Generator, catalogue: Catalogue) -> dict[str, pa.Array]:
    """Stock at the end of the window: sold-out products have none."""
    n = catalogue.size
    available = np.where(
        np.isinf(catalogue.out_of_stock_day), np.ceil(rng.lognormal(3.5, 1.0, n)), 0
    ).astype(np.int64)
    reserved = np.minimum(rng.poisson(0.5, n), available).astype(np.int64)
    return {
        "product_id": pa.array([f"p{i:0{len(str(n))}d}" for i in range(1, n + 1)]),
        "available": pa.array(available),
        "reserved": pa.array(reserved),
    }
