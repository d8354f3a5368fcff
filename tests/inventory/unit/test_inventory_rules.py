"""The rules stock changes obey: order, absolute vs relative, and the three invariants."""

from __future__ import annotations

import pytest

from nextbuy.contracts.inventory import MAX_UNITS
from nextbuy.inventory.domain.errors import DuplicateProductError, StockConflictError
from nextbuy.inventory.domain.models import Levels
from nextbuy.inventory.domain.rules import adjust_levels, apply_adjustments, plan_upsert
from tests.inventory.builders import make_adjustment, make_level_set


def test_delta_moves_and_set_replaces_each_counter() -> None:
    before = Levels(available=10, reserved=2)

    after = adjust_levels(before, make_adjustment(delta_available=-3, set_reserved=5))

    assert after == Levels(available=7, reserved=5)


def test_unknown_products_start_from_zero() -> None:
    final = apply_adjustments({}, [make_adjustment(product_id="new", delta_available=4)])

    assert final == {"new": Levels(4, 0)}


def test_adjustments_of_one_product_apply_in_order() -> None:
    adjustments = [
        make_adjustment(delta_available=5),
        make_adjustment(delta_available=None, delta_reserved=3),
        make_adjustment(set_available=4),
    ]

    final = apply_adjustments({"p-1": Levels(0, 0)}, adjustments)

    assert final == {"p-1": Levels(4, 3)}


@pytest.mark.parametrize(
    ("adjustment", "reason"),
    [
        ({"delta_available": -11}, "available would become -1"),
        ({"delta_available": None, "delta_reserved": -3}, "reserved would become -1"),
        ({"delta_available": None, "delta_reserved": 9}, "would exceed available"),
        ({"delta_available": MAX_UNITS}, "available would exceed"),
    ],
)
def test_a_change_breaking_an_invariant_names_its_index(
    adjustment: dict[str, int | None], reason: str
) -> None:
    adjustments = [make_adjustment(product_id="other"), make_adjustment(**adjustment)]

    with pytest.raises(StockConflictError) as caught:
        apply_adjustments({"p-1": Levels(10, 2)}, adjustments)

    assert caught.value.status == 409
    assert [e.field for e in caught.value.errors] == ["body.adjustments.1"]
    assert reason in caught.value.errors[0].message


def test_every_intermediate_state_must_be_valid() -> None:
    # Reserving before restocking is refused even though the final state would be fine.
    adjustments = [
        make_adjustment(delta_available=None, delta_reserved=5),
        make_adjustment(delta_available=10),
    ]

    with pytest.raises(StockConflictError) as caught:
        apply_adjustments({}, adjustments)

    assert caught.value.errors[0].field == "body.adjustments.0"


def test_plan_upsert_splits_creates_updates_and_unchanged() -> None:
    existing = {"same": Levels(10, 0), "changed": Levels(10, 0)}
    wanted = [
        make_level_set(product_id="same", available=10),
        make_level_set(product_id="changed", available=10, reserved=1),
        make_level_set(product_id="new"),
    ]

    plan = plan_upsert(existing, wanted)

    assert [s.product_id for s in plan.creates] == ["new"]
    assert [s.product_id for s in plan.updates] == ["changed"]
    assert plan.unchanged == 1


def test_plan_upsert_refuses_a_product_named_twice() -> None:
    wanted = [make_level_set(), make_level_set(product_id="x"), make_level_set()]

    with pytest.raises(DuplicateProductError) as caught:
        plan_upsert({}, wanted)

    assert caught.value.status == 422
    assert caught.value.errors[0].field == "body.levels.2.product_id"


def test_sellable_is_available_minus_reserved() -> None:
    assert Levels(available=7, reserved=3).sellable == 4
