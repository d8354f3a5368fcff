"""When a write changes a product, and how a batch is sorted into new/changed/unchanged."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from nextbuy.catalog.domain.errors import InvalidProductError
from nextbuy.catalog.domain.revisions import (
    check_batch_unique,
    new_product,
    patch,
    plan_upsert,
    revise,
)
from tests.catalog.catalog_builders import T0, make_draft, make_product

LATER = T0 + timedelta(hours=1)


def test_new_product_keeps_a_given_created_at() -> None:
    product = new_product(make_draft(created_at=T0 - timedelta(days=9)), LATER)
    assert product.created_at == T0 - timedelta(days=9)
    assert product.updated_at == LATER


def test_new_product_without_created_at_is_created_now() -> None:
    assert new_product(make_draft(), LATER).created_at == LATER


def test_identical_replacement_is_no_change() -> None:
    assert revise(make_product(), make_draft(), LATER) is None


def test_same_price_with_other_scale_is_no_change() -> None:
    stored = make_product(price=Decimal("10.50"))
    assert revise(stored, make_draft(price=Decimal("10.5")), LATER) is None


def test_changed_replacement_bumps_updated_at_and_keeps_created_at() -> None:
    revised = revise(make_product(), make_draft(title="New title"), LATER)
    assert revised is not None
    assert revised.content.title == "New title"
    assert (revised.created_at, revised.updated_at) == (T0, LATER)


def test_a_different_created_at_is_a_change() -> None:
    revised = revise(make_product(), make_draft(created_at=T0 - timedelta(days=1)), LATER)
    assert revised is not None
    assert revised.created_at == T0 - timedelta(days=1)


def test_patch_changes_only_given_fields() -> None:
    patched = patch(make_product(), {"price": Decimal("5.00"), "brand": None}, LATER)
    assert patched is not None
    assert patched.content.price == Decimal("5.00")
    assert patched.content.brand is None
    assert patched.content.title == make_product().content.title
    assert patched.updated_at == LATER


def test_patch_to_the_same_values_is_no_change() -> None:
    assert patch(make_product(), {"title": make_product().content.title}, LATER) is None
    assert patch(make_product(), {}, LATER) is None


def test_patch_refuses_unknown_fields() -> None:
    with pytest.raises(InvalidProductError) as caught:
        patch(make_product(), {"colour": "red"}, LATER)
    assert [e.field for e in caught.value.errors] == ["body.colour"]


def test_plan_sorts_a_batch() -> None:
    existing = {"a": make_product("a"), "b": make_product("b")}
    drafts = [make_draft("a"), make_draft("b", title="changed"), make_draft("c")]
    plan = plan_upsert(drafts, existing, LATER)
    assert [p.id for p in plan.new] == ["c"]
    assert [p.id for p in plan.changed] == ["b"]
    assert plan.unchanged == 1


def test_batch_with_a_repeated_id_or_sku_names_the_later_entry() -> None:
    drafts = [make_draft("a"), make_draft("a", sku="other"), make_draft("b", sku="SKU-a")]
    with pytest.raises(InvalidProductError) as caught:
        check_batch_unique(drafts, location="body.products")
    assert [e.field for e in caught.value.errors] == ["body.products.1.id", "body.products.2.sku"]
