"""Planning a create-or-replace batch: what is created, updated, left alone."""

from __future__ import annotations

from nextbuy.profiles.domain.models import Demographics
from nextbuy.profiles.domain.upserts import plan_upserts, profile_from_input, replace_profile
from tests.profiles.profiles_builders import at, make_profile_input


def test_new_profiles_are_created_now_unless_they_carry_created_at() -> None:
    fresh = make_profile_input(id="a")
    imported = make_profile_input(id="b", created_at=at(-3600))
    plan = plan_upserts([fresh, imported], {}, now=at(0))
    created = {p.id: p for p in plan.creates}
    assert created["a"].created_at == at(0)
    assert created["b"].created_at == at(-3600)
    assert all(p.updated_at == at(0) for p in plan.creates)
    assert (plan.counts.created, plan.counts.updated, plan.counts.unchanged) == (2, 0, 0)


def test_resending_the_same_profile_is_unchanged() -> None:
    stored = profile_from_input(make_profile_input(), now=at(0))
    plan = plan_upserts([make_profile_input()], {stored.id: stored}, now=at(10))
    assert (plan.counts.created, plan.counts.updated, plan.counts.unchanged) == (0, 0, 1)


def test_a_real_change_updates_and_bumps_updated_at_keeping_created_at() -> None:
    stored = profile_from_input(make_profile_input(), now=at(0))
    changed = make_profile_input(demographics=Demographics(country="FR"))
    plan = plan_upserts([changed], {stored.id: stored}, now=at(10))
    (updated,) = plan.updates
    assert updated.demographics.country == "FR"
    assert updated.created_at == at(0)
    assert updated.updated_at == at(10)


def test_attribute_values_that_python_calls_equal_are_still_a_change() -> None:
    stored = profile_from_input(make_profile_input(attributes={"vip": True}), now=at(0))
    assert replace_profile(stored, make_profile_input(attributes={"vip": 1}), now=at(1))
    assert replace_profile(stored, make_profile_input(attributes={"vip": True}), now=at(1)) is None


def test_attribute_key_order_does_not_matter() -> None:
    stored = profile_from_input(make_profile_input(attributes={"a": 1, "b": 2}), now=at(0))
    same = make_profile_input(attributes={"b": 2, "a": 1})
    assert replace_profile(stored, same, now=at(1)) is None


def test_a_new_created_at_on_replace_is_a_change() -> None:
    stored = profile_from_input(make_profile_input(), now=at(0))
    replacement = replace_profile(stored, make_profile_input(created_at=at(-5)), now=at(1))
    assert replacement is not None
    assert replacement.created_at == at(-5)
