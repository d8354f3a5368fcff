"""The bench shop: heavier per-user data than the demo shop, generated with numpy, deterministic.

Sized the way the data-plane issue asks: order histories of up to 500 orders (one user in a
hundred has exactly 500), profile documents of about 20 KB (free-text ``attributes``), a few
thousand products. It reuses the demo shop's container so it is seeded by the same bulk APIs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import numpy as np

from nextbuy.contracts.catalog import ProductCreate
from nextbuy.contracts.inventory import StockLevelSet
from nextbuy.contracts.orders import OrderCreate, OrderLineCreate
from nextbuy.contracts.profiles import Preferences, ProductView, UserUpsert
from nextbuy.data.demo_shop import BRANDS, DEPARTMENTS, EPOCH, DemoShop

MAX_ORDERS = 500
HEAVY_USER_EVERY = 100
ATTRIBUTE_FIELDS = 20
CATEGORIES = [f"{d}/{s}" for d, subs in DEPARTMENTS.items() for s in subs]


@dataclass(frozen=True, slots=True)
class ShopSize:
    users: int = 3000
    products: int = 3000
    median_orders: float = 8.0
    profile_bytes: int = 20_000
    views_per_user: int = 20
    seed: int = 11


def bench_user_id(index: int) -> str:
    return f"b{index + 1:06d}"


def generate_bench_shop(size: ShopSize) -> DemoShop:
    """The same ``size`` always gives the same shop."""
    rng = np.random.default_rng(size.seed)
    category = rng.integers(0, len(CATEGORIES), size=size.products)
    appeal = 1.0 / np.arange(1, size.products + 1) ** 1.05
    rng.shuffle(appeal)
    products = _products(rng, category)
    stock = [
        StockLevelSet(product_id=p.id, available=int(units), reserved=0)
        for p, units in zip(products, _stock_units(rng, size.products), strict=True)
    ]
    tastes = rng.integers(0, len(CATEGORIES), size=(size.users, 2))
    picker = _Picker(rng, category, appeal)
    users = [_user(rng, i, tastes[i], size.profile_bytes) for i in range(size.users)]
    views = {
        user.id: _views(rng, picker, tastes[i], size.views_per_user, products)
        for i, user in enumerate(users)
    }
    orders = _orders(rng, size, tastes, picker, products)
    return DemoShop(products, stock, users, views, orders)


def _stock_units(rng: np.random.Generator, n: int) -> list[int]:
    units = rng.integers(5, 500, size=n)
    units[rng.random(n) < 0.05] = 0  # a few sold out, so the stock filter has work to do
    return [int(u) for u in units]


class _Picker:
    """Draws products: 80% from one of the user's two categories, by appeal; 20% shop-wide."""

    def __init__(self, rng: np.random.Generator, category: np.ndarray, appeal: np.ndarray) -> None:
        self.rng = rng
        self.everything = appeal / appeal.sum()
        self.members = [np.flatnonzero(category == c) for c in range(len(CATEGORIES))]
        self.weights = [appeal[m] / appeal[m].sum() if m.size else m for m in self.members]

    def pick(self, taste: np.ndarray, n: int) -> list[int]:
        own = int(taste[int(self.rng.integers(0, 2))])
        if self.rng.random() < 0.8 and self.members[own].size:
            chosen = self.rng.choice(self.members[own], size=n, p=self.weights[own])
        else:
            chosen = self.rng.choice(self.everything.size, size=n, p=self.everything)
        return sorted({int(c) for c in chosen})


def _products(rng: np.random.Generator, category: np.ndarray) -> list[ProductCreate]:
    prices = np.round(rng.lognormal(3.2, 0.7, size=category.size), 2)
    brands = rng.integers(0, len(BRANDS), size=category.size)
    result = []
    for i, (c, price, brand) in enumerate(zip(category, prices, brands, strict=True)):
        department, sub = CATEGORIES[int(c)].split("/")
        result.append(
            ProductCreate(
                id=f"p{i + 1:06d}",
                sku=f"BENCH-{i + 1:06d}",
                title=f"{BRANDS[int(brand)]} {sub} {i + 1}",
                description=f"A {sub.lower()} product for {department.lower()}.",
                category_path=[department, sub],
                brand=BRANDS[int(brand)],
                price=Decimal(f"{max(0.5, float(price)):.2f}"),
                created_at=EPOCH,
            )
        )
    return result


def _user(
    rng: np.random.Generator, index: int, taste: np.ndarray, profile_bytes: int
) -> UserUpsert:
    per_field = max(1, profile_bytes // ATTRIBUTE_FIELDS)
    letters = rng.integers(97, 123, size=per_field * ATTRIBUTE_FIELDS, dtype=np.uint8)
    text = letters.tobytes().decode("ascii")
    attributes = {
        f"note_{k:02d}": text[k * per_field : (k + 1) * per_field] for k in range(ATTRIBUTE_FIELDS)
    }
    return UserUpsert(
        id=bench_user_id(index),
        preferences=Preferences(favourite_categories=[CATEGORIES[int(taste[0])]]),
        attributes=attributes,
        created_at=EPOCH,
    )


def _views(
    rng: np.random.Generator,
    picker: _Picker,
    taste: np.ndarray,
    n: int,
    products: list[ProductCreate],
) -> list[ProductView]:
    minutes = np.sort(rng.integers(0, 90 * 24 * 60, size=n))
    picked = [picker.pick(taste, 1)[0] for _ in range(n)]
    return [
        ProductView(product_id=products[p].id, viewed_at=EPOCH + timedelta(minutes=int(m)))
        for p, m in zip(picked, minutes, strict=True)
    ]


def _order_counts(rng: np.random.Generator, size: ShopSize) -> np.ndarray:
    counts = np.clip(rng.lognormal(np.log(size.median_orders), 1.0, size.users), 1, MAX_ORDERS)
    counts = counts.astype(np.int64)
    counts[::HEAVY_USER_EVERY] = MAX_ORDERS
    return counts


def _orders(
    rng: np.random.Generator,
    size: ShopSize,
    tastes: np.ndarray,
    picker: _Picker,
    products: list[ProductCreate],
) -> list[OrderCreate]:
    orders: list[OrderCreate] = []
    for user_index, count in enumerate(_order_counts(rng, size).tolist()):
        placed = np.sort(rng.integers(0, 365 * 24 * 60, size=count))
        for minute in placed.tolist():
            chosen = picker.pick(tastes[user_index], int(rng.integers(1, 4)))
            lines = [
                OrderLineCreate(product_id=products[p].id, quantity=1, unit_price=products[p].price)
                for p in chosen
            ]
            orders.append(
                OrderCreate(
                    id=f"bo{len(orders) + 1:08d}",
                    user_id=bench_user_id(user_index),
                    created_at=EPOCH + timedelta(minutes=minute),
                    lines=lines,
                )
            )
    return orders
