"""Category paths: segment rules, storage form and the listing filter."""

from __future__ import annotations

import pytest

from nextbuy.catalog.domain.categories import (
    join_category,
    parse_category_filter,
    segment_problem,
    split_category,
)


@pytest.mark.parametrize("segments", [(), ("Home",), ("Home", "Kitchen", "Pans & Pots")])
def test_join_and_split_round_trip(segments: tuple[str, ...]) -> None:
    assert split_category(join_category(segments)) == segments


def test_the_empty_path_is_stored_as_the_empty_string() -> None:
    assert join_category(()) == ""
    assert split_category("") == ()


@pytest.mark.parametrize(
    ("segment", "problem"),
    [("", "empty"), ("a/b", "'/'"), ("x" * 101, "at most 100")],
)
def test_bad_segments_are_named(segment: str, problem: str) -> None:
    reason = segment_problem(segment)
    assert reason is not None
    assert problem in reason


def test_good_segment_has_no_problem() -> None:
    assert segment_problem("Kitchen") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Home/Kitchen", ("Home", "Kitchen")),
        ("/Home/Kitchen/", ("Home", "Kitchen")),
        (" Home / Kitchen ", ("Home", "Kitchen")),
        ("", ()),
        ("/", ()),
    ],
)
def test_filter_parsing(text: str, expected: tuple[str, ...]) -> None:
    assert parse_category_filter(text) == expected


def test_filter_with_an_empty_segment_is_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        parse_category_filter("Home//Kitchen")
