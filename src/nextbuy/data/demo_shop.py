"""A small generated shop for ``nextbuy up``: users with tastes, products, views, orders, stock.

Deterministic for a seed. Users prefer two categories (correlated with their age band), buy
mostly there, and popularity has a long tail, so co-purchase recommendations have real
structure to find. The full generator (scale, funnels, seasonality) is ``nextbuy data generate``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import numpy as np

from nextbuy.contracts.catalog import ProductCreate
from nextbuy.contracts.inventory import StockLevelSet
from nextbuy.contracts.orders import OrderCreate, OrderLineCreate
from nextbuy.contracts.profiles import Demographics, Preferences, ProductView, UserUpsert

DEPARTMENTS = {
    "Home": ["Kitchen", "Bedding", "Decor"],
    "Garden": ["Tools", "Plants", "Furniture"],
    "Electronics": ["Audio", "Phones", "Computers"],
    "Fashion": ["Women", "Men", "Shoes"],
    "Sports": ["Running", "Cycling", "Fitness"],
    "Toys": ["Baby", "Games", "Outdoor"],
    "Beauty": ["Skincare", "Fragrance", "Hair"],
    "Books": ["Fiction", "Cooking", "Children"],
}
ADJECTIVES = [
    "Classic",
    "Compact",
    "Deluxe",
    "Eco",
    "Essential",
    "Pro",
    "Smart",
    "Vintage",
    "Ultra",
]
BRANDS = ["Acme", "Borealis", "Cobalt", "Dune", "Ember", "Fjord", "Gala", "Helio"]
AGE_BANDS = ["18-24", "25-34", "35-44", "45-54", "55-64", "65+"]
COUNTRIES = ["GB", "DE", "FR", "NL", "ES", "IT", "SE", "PL"]
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class DemoShop:
    products: list[ProductCreate]
    stock: list[StockLevelSet]
    users: list[UserUpsert]
    views: dict[str, list[ProductView]]
    orders: list[OrderCreate]

    @property
    def event_count(self) -> int:
        return sum(len(v) for v in self.views.values())


def generate_demo_shop(
    *, users: int = 1000, products: int = 500, views: int = 20_000, seed: int = 7
) -> DemoShop:
    """Generate the demo shop; the same arguments always give the same shop."""
    rng = np.random.default_rng(seed)
    categories = [f"{d}/{s}" for d, subs in DEPARTMENTS.items() for s in subs]
    product_category = rng.integers(0, len(categories), size=products)
    # Long tail: product i's appeal within its category falls as a power of its rank.
    appeal = 1.0 / np.arange(1, products + 1) ** 1.1
    rng.shuffle(appeal)
    catalog = _products(rng, categories, product_category)
    tastes = [_taste(rng, len(categories)) for _ in range(users)]
    user_list = [_user(rng, i, tastes[i], categories) for i in range(users)]
    pick = _ProductPicker(rng, product_category, appeal, len(categories))
    view_map = _views(rng, user_list, tastes, pick, views, catalog)
    orders = _orders(rng, user_list, tastes, pick, catalog)
    stock = [
        StockLevelSet(
            product_id=p.id,
            available=0 if rng.random() < 0.05 else int(rng.integers(5, 500)),
            reserved=0,
        )
        for p in catalog
    ]
    return DemoShop(catalog, stock, user_list, view_map, orders)


class _ProductPicker:
    def __init__(
        self, rng: np.random.Generator, category: np.ndarray, appeal: np.ndarray, n_categories: int
    ) -> None:
        self.rng = rng
        self.global_p = appeal / appeal.sum()
        self.by_category = []
        for c in range(n_categories):
            members = np.flatnonzero(category == c)
            weights = appeal[members]
            self.by_category.append((members, weights / weights.sum() if weights.size else weights))

    def pick(self, taste: tuple[int, int]) -> int:
        """80% from one of the user's two categories, 20% from the whole shop."""
        if self.rng.random() < 0.8:
            members, weights = self.by_category[taste[int(self.rng.integers(0, 2))]]
            if members.size:
                return int(self.rng.choice(members, p=weights))
        return int(self.rng.choice(self.global_p.size, p=self.global_p))


def _products(
    rng: np.random.Generator, categories: list[str], assignment: np.ndarray
) -> list[ProductCreate]:
    result = []
    for i, c in enumerate(assignment.tolist()):
        department, sub = categories[c].split("/")
        brand = BRANDS[int(rng.integers(0, len(BRANDS)))]
        adjective = ADJECTIVES[int(rng.integers(0, len(ADJECTIVES)))]
        price = Decimal(str(round(float(rng.lognormal(3.0 + c % 3 * 0.4, 0.6)), 2)))
        result.append(
            ProductCreate(
                id=f"p{i + 1:04d}",
                sku=f"SKU-{i + 1:05d}",
                title=f"{brand} {adjective} {sub} item {i + 1}",
                description=(
                    f"A {adjective.lower()} {sub.lower()} product from {brand} "
                    f"for {department.lower()}."
                ),
                category_path=[department, sub],
                brand=brand,
                price=price,
                currency="EUR",
                created_at=EPOCH,
            )
        )
    return result


def _taste(rng: np.random.Generator, n_categories: int) -> tuple[int, int]:
    first, second = rng.choice(n_categories, size=2, replace=False)
    return int(first), int(second)


def _user(
    rng: np.random.Generator, i: int, taste: tuple[int, int], categories: list[str]
) -> UserUpsert:
    # Age band follows the first taste, so demographics carry signal for cold start.
    age = AGE_BANDS[(taste[0] + int(rng.integers(0, 2))) % len(AGE_BANDS)]
    return UserUpsert(
        id=f"u{i + 1:04d}",
        demographics=Demographics(
            age_band=age,
            gender=["female", "male", "other"][int(rng.integers(0, 3))],
            country=COUNTRIES[int(rng.integers(0, len(COUNTRIES)))],
        ),
        preferences=Preferences(favourite_categories=[categories[taste[0]]]),
        created_at=EPOCH,
    )


def _views(
    rng: np.random.Generator,
    users: list[UserUpsert],
    tastes: list[tuple[int, int]],
    pick: _ProductPicker,
    total: int,
    catalog: list[ProductCreate],
) -> dict[str, list[ProductView]]:
    result: dict[str, list[ProductView]] = {}
    owners = rng.integers(0, len(users), size=total)
    minutes = np.sort(rng.integers(0, 90 * 24 * 60, size=total))
    for owner, minute in zip(owners.tolist(), minutes.tolist(), strict=True):
        product = catalog[pick.pick(tastes[owner])].id
        view = ProductView(product_id=product, viewed_at=EPOCH + timedelta(minutes=minute))
        result.setdefault(users[owner].id, []).append(view)
    return result


def _orders(
    rng: np.random.Generator,
    users: list[UserUpsert],
    tastes: list[tuple[int, int]],
    pick: _ProductPicker,
    catalog: list[ProductCreate],
) -> list[OrderCreate]:
    orders: list[OrderCreate] = []
    for index, user in enumerate(users):
        for _ in range(int(rng.poisson(3.0))):
            chosen = {pick.pick(tastes[index]) for _ in range(int(rng.integers(1, 5)))}
            placed = EPOCH + timedelta(minutes=int(rng.integers(0, 90 * 24 * 60)))
            lines = [
                OrderLineCreate(
                    product_id=catalog[p].id,
                    quantity=int(rng.integers(1, 3)),
                    unit_price=catalog[p].price,
                )
                for p in sorted(chosen)
            ]
            orders.append(
                OrderCreate(
                    id=f"o{len(orders) + 1:06d}", user_id=user.id, created_at=placed, lines=lines
                )
            )
    return orders
