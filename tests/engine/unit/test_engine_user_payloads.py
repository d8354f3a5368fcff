"""The engine reads product ids from contract bodies itself; wrong shapes stay typed errors."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from nextbuy.contracts.common import Page
from nextbuy.contracts.orders import OrderPublic, PurchasedProductsPublic
from nextbuy.contracts.profiles import UserPublic
from nextbuy.engine.upstream.user_payloads import (
    PayloadError,
    purchased_product_ids,
    purchased_products,
    recent_views,
)

NOW = "2026-01-01T00:00:00Z"


def make_order(order_id: str, status: str, *products: str) -> dict[str, Any]:
    lines = [{"product_id": p, "quantity": 2, "unit_price": 9.5} for p in products]
    return {
        "id": order_id,
        "user_id": "u1",
        "status": status,
        "currency": "EUR",
        "created_at": NOW,
        "updated_at": NOW,
        "lines": lines,
    }


def make_profile(*viewed: str) -> dict[str, Any]:
    return {
        "id": "u1",
        "demographics": {"country": "DE"},
        "preferences": {"favourite_categories": ["tea"]},
        "attributes": {"notes": "x" * 1000},
        "recent_views": [{"product_id": p, "viewed_at": NOW} for p in viewed],
        "created_at": NOW,
        "updated_at": NOW,
    }


def test_purchases_are_distinct_first_bought_first_without_cancelled_or_returned() -> None:
    page = {
        "items": [
            make_order("o1", "delivered", "p2", "p1"),
            make_order("o2", "cancelled", "p9"),
            make_order("o3", "returned", "p8"),
            make_order("o4", "paid", "p1", "p3"),
        ],
        "next_cursor": None,
    }
    Page[OrderPublic].model_validate(page)  # the builder speaks the contract
    assert purchased_products(orjson.loads(orjson.dumps(page))) == ("p2", "p1", "p3")


def test_recent_views_keep_the_services_order() -> None:
    profile = make_profile("p3", "p1", "p2")
    UserPublic.model_validate(profile)
    assert recent_views(profile) == ("p3", "p1", "p2")
    assert recent_views(make_profile()) == ()


@pytest.mark.parametrize(
    "page",
    [
        [],
        {"items": None},
        {"items": ["o1"]},
        {"items": [{"lines": [{"product_id": "p1"}]}]},  # no status
        {"items": [{"status": "paid", "lines": {}}]},
        {"items": [{"status": "paid", "lines": [{"product_id": 7}]}]},
        {"items": [{"status": "paid", "lines": [{"product_id": ""}]}]},
        # a cancelled order is not a purchase, but a broken one is still a broken body
        {"items": [{"status": "cancelled", "lines": [{"sku": "p1"}]}]},
    ],
)
def test_an_order_page_wrong_where_it_is_read_is_refused(page: object) -> None:
    with pytest.raises(PayloadError):
        purchased_products(page)


@pytest.mark.parametrize(
    "profile",
    ["u1", {}, {"recent_views": {}}, {"recent_views": [None]}, {"recent_views": [{"id": "p"}]}],
)
def test_a_profile_wrong_where_it_is_read_is_refused(profile: object) -> None:
    with pytest.raises(PayloadError):
        recent_views(profile)


def test_purchased_product_ids_are_read_in_the_services_order() -> None:
    body = {"user_id": "u1", "product_ids": ["p2", "p1", "p3"]}
    PurchasedProductsPublic.model_validate(body)  # the body speaks the contract
    assert purchased_product_ids(orjson.loads(orjson.dumps(body))) == ("p2", "p1", "p3")
    assert purchased_product_ids({"user_id": "u1", "product_ids": []}) == ()


@pytest.mark.parametrize(
    "body",
    [
        [],
        "p1",
        {},
        {"user_id": "u1"},
        {"product_ids": None},
        {"product_ids": "p1"},
        {"product_ids": {"p1": 1}},
        {"product_ids": ["p1", 7]},
        {"product_ids": ["p1", ""]},
        {"product_ids": [None]},
        {"product_ids": [["p1"]]},
    ],
)
def test_purchased_product_ids_wrong_where_they_are_read_are_refused(body: object) -> None:
    with pytest.raises(PayloadError):
        purchased_product_ids(body)
