"""The browsing-history rule: newest 50 kept, each (product, instant) once."""

from __future__ import annotations

from datetime import timedelta, timezone

from nextbuy.contracts.profiles import MAX_RECENT_VIEWS
from nextbuy.profiles.domain.models import ProductView
from nextbuy.profiles.domain.recent_views import merge_recent_views, newest_first
from tests.profiles.profiles_builders import at, make_view


def test_appending_to_empty_history_keeps_views_newest_first() -> None:
    change = merge_recent_views([], [make_view("a", 1), make_view("b", 3), make_view("c", 2)])
    assert [v.product_id for v in change.kept] == ["b", "c", "a"]
    assert set(change.added) == set(change.kept)
    assert change.removed == ()
    assert change.changed


def test_duplicate_pairs_are_stored_once() -> None:
    current = [make_view("a", 1)]
    change = merge_recent_views(current, [make_view("a", 1), make_view("a", 1), make_view("a", 2)])
    assert change.kept == (make_view("a", 2), make_view("a", 1))
    assert change.added == (make_view("a", 2),)


def test_same_instant_in_another_offset_is_a_duplicate() -> None:
    utc_view = make_view("a", 0)
    offset = timezone(timedelta(hours=2))
    shifted = ProductView("a", at(0).astimezone(offset))
    change = merge_recent_views([utc_view], [shifted])
    assert not change.changed
    assert change.kept == (utc_view,)


def test_only_the_newest_views_are_kept_and_older_ones_removed() -> None:
    current = [make_view(f"old-{i}", i) for i in range(MAX_RECENT_VIEWS)]
    change = merge_recent_views(current, [make_view("new-1", 100), make_view("new-2", 101)])
    assert len(change.kept) == MAX_RECENT_VIEWS
    assert [v.product_id for v in change.kept[:2]] == ["new-2", "new-1"]
    assert set(change.removed) == {make_view("old-0", 0), make_view("old-1", 1)}


def test_views_older_than_a_full_history_change_nothing() -> None:
    current = [make_view(f"p-{i}", 100 + i) for i in range(MAX_RECENT_VIEWS)]
    change = merge_recent_views(current, [make_view("ancient", 0)])
    assert not change.changed
    assert change.kept == tuple(newest_first(current))


def test_ties_on_the_instant_are_ordered_by_product_id() -> None:
    views = [make_view("b", 5), make_view("a", 5), make_view("c", 6)]
    assert [v.product_id for v in newest_first(views)] == ["c", "a", "b"]


def test_limit_is_configurable() -> None:
    change = merge_recent_views([], [make_view(str(i), i) for i in range(5)], limit=2)
    assert [v.product_id for v in change.kept] == ["4", "3"]
