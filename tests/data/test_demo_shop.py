"""The demo shop is deterministic, the right size, and internally consistent."""

from __future__ import annotations

from nextbuy.data.demo_shop import generate_demo_shop


def test_same_seed_same_shop() -> None:
    first, second = generate_demo_shop(seed=3), generate_demo_shop(seed=3)
    assert first.orders == second.orders
    assert first.views == second.views
    assert generate_demo_shop(seed=4).orders != first.orders


def test_demo_shop_has_the_advertised_size() -> None:
    shop = generate_demo_shop()
    assert len(shop.users) == 1000
    assert len(shop.products) == 500
    assert shop.event_count == 20_000
    assert 2000 <= len(shop.orders) <= 4000


def test_every_reference_points_at_something_that_exists() -> None:
    shop = generate_demo_shop()
    products = {p.id for p in shop.products}
    users = {u.id for u in shop.users}
    assert {s.product_id for s in shop.stock} == products
    assert all(o.user_id in users for o in shop.orders)
    assert all(line.product_id in products for o in shop.orders for line in o.lines)
    assert all(v.product_id in products for views in shop.views.values() for v in views)
    assert set(shop.views) <= users
    assert len({o.id for o in shop.orders}) == len(shop.orders)


def test_users_buy_mostly_in_their_favourite_category() -> None:
    shop = generate_demo_shop()
    category = {p.id: "/".join(p.category_path) for p in shop.products}
    favourite = {u.id: u.preferences.favourite_categories[0] for u in shop.users}
    lines = [(o.user_id, line.product_id) for o in shop.orders for line in o.lines]
    in_favourite = sum(category[p] == favourite[u] for u, p in lines)
    # 80% of picks come from two tastes, half of them the favourite: about 40% plus chance.
    assert in_favourite / len(lines) > 0.3
