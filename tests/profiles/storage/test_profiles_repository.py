"""The repository contract, run on SQLite and PostgreSQL."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine, event

from nextbuy.contracts.profiles import MAX_RECENT_VIEWS
from nextbuy.core.cursors import FeedPosition
from nextbuy.profiles.domain.errors import UserNotFoundError
from nextbuy.profiles.domain.models import Demographics, Preferences
from nextbuy.profiles.storage.repository import SqlUserRepository
from tests.profiles.profiles_builders import at, make_profile_input, make_view


def test_round_trips_every_field(repository: SqlUserRepository) -> None:
    data = make_profile_input(
        id="u:1.a-b_c",
        demographics=Demographics(age_band="65+", gender="other", country="PT", city="Porto"),
        preferences=Preferences(favourite_categories=("tea", "books"), price_band="premium"),
        attributes={"nested": {"list": [1, 2.5, "x"]}, "flag": False},
        created_at=at(-60),
    )
    repository.upsert([data], now=at(0))
    user = repository.get("u:1.a-b_c")
    assert user is not None
    assert user.profile.demographics == data.demographics
    assert user.profile.preferences == data.preferences
    assert user.profile.attributes == data.attributes
    assert (user.profile.created_at, user.profile.updated_at) == (at(-60), at(0))
    assert user.recent_views == ()


def test_get_unknown_user_is_none(repository: SqlUserRepository) -> None:
    assert repository.get("nobody") is None


def test_upsert_counts_and_only_bumps_changed_rows(repository: SqlUserRepository) -> None:
    batch = [make_profile_input(id=f"u-{i}") for i in range(3)]
    assert repository.upsert(batch, now=at(0)).created == 3
    again = repository.upsert(batch, now=at(10))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    changed = [*batch[:2], make_profile_input(id="u-2", attributes={"loyalty": "silver"})]
    result = repository.upsert([*changed, make_profile_input(id="u-3")], now=at(20))
    assert (result.created, result.updated, result.unchanged) == (1, 1, 2)
    stamps = {u.id: u.profile.updated_at for u in repository.get_many(["u-0", "u-2", "u-3"])}
    assert stamps == {"u-0": at(0), "u-2": at(20), "u-3": at(20)}


def test_bulk_upsert_of_a_thousand_users(repository: SqlUserRepository) -> None:
    batch = [make_profile_input(id=f"user-{i:04d}") for i in range(1000)]
    assert repository.upsert(batch, now=at(0)).created == 1000
    assert repository.upsert(batch, now=at(1)).unchanged == 1000


def test_get_many_uses_a_constant_number_of_queries(
    repository: SqlUserRepository, engine: Engine
) -> None:
    repository.upsert([make_profile_input(id=f"u-{i}") for i in range(200)], now=at(0))
    for i in range(200):
        repository.append_views(f"u-{i}", [make_view("p", i)], now=at(1))
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        repository.get_many(["u-0"])
        one = len(statements)
        statements.clear()
        users = repository.get_many([f"u-{i}" for i in range(200)] + ["missing"])
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(users) == 200
    assert all(len(user.recent_views) == 1 for user in users)
    assert len(statements) == one


def test_append_views_keeps_newest_and_dedupes(repository: SqlUserRepository) -> None:
    repository.upsert([make_profile_input()], now=at(0))
    views = [make_view(f"p-{i}", i) for i in range(MAX_RECENT_VIEWS + 5)]
    user = repository.append_views("user-1", [*views, views[-1]], now=at(100))
    assert len(user.recent_views) == MAX_RECENT_VIEWS
    assert user.recent_views[0] == views[-1]
    assert user.profile.updated_at == at(100)
    stored = repository.get("user-1")
    assert stored is not None
    assert stored.recent_views == user.recent_views


def test_append_prunes_older_views_from_storage(repository: SqlUserRepository) -> None:
    repository.upsert([make_profile_input()], now=at(0))
    repository.append_views("user-1", [make_view(f"old-{i}", i) for i in range(50)], now=at(1))
    repository.append_views(
        "user-1", [make_view(f"new-{i}", 100 + i) for i in range(10)], now=at(2)
    )
    stored = repository.get("user-1")
    assert stored is not None
    assert len(stored.recent_views) == MAX_RECENT_VIEWS
    assert {v.product_id for v in stored.recent_views[:10]} == {f"new-{i}" for i in range(10)}
    assert "old-9" not in {v.product_id for v in stored.recent_views}


def test_appending_only_known_views_does_not_bump_updated_at(
    repository: SqlUserRepository,
) -> None:
    repository.upsert([make_profile_input()], now=at(0))
    repository.append_views("user-1", [make_view("p", 5)], now=at(1))
    user = repository.append_views("user-1", [make_view("p", 5)], now=at(2))
    assert user.profile.updated_at == at(1)


def test_append_to_unknown_user_raises(repository: SqlUserRepository) -> None:
    with pytest.raises(UserNotFoundError):
        repository.append_views("nobody", [make_view()], now=at(0))


def test_replacing_a_profile_keeps_its_views(repository: SqlUserRepository) -> None:
    repository.upsert([make_profile_input()], now=at(0))
    repository.append_views("user-1", [make_view("p", 1)], now=at(1))
    repository.upsert([make_profile_input(attributes={})], now=at(2))
    user = repository.get("user-1")
    assert user is not None
    assert user.recent_views == (make_view("p", 1),)


def test_changed_since_pages_through_shared_timestamps(repository: SqlUserRepository) -> None:
    repository.upsert([make_profile_input(id=f"u-{i:02d}") for i in range(25)], now=at(0))
    repository.upsert([make_profile_input(id="later")], now=at(5))
    seen: list[str] = []
    after: FeedPosition | None = None
    while True:
        page = repository.changed_since(after, limit=7)
        seen.extend(user.id for user in page)
        if len(page) < 7:
            break
        last = page[-1].profile
        after = FeedPosition(last.updated_at, last.id)
    assert seen == [f"u-{i:02d}" for i in range(25)] + ["later"]
    assert [u.id for u in repository.changed_since(FeedPosition(at(1), ""), limit=10)] == ["later"]


def test_concurrent_writers_neither_fail_nor_lose_views(repository: SqlUserRepository) -> None:
    batch = [make_profile_input(id=f"u-{i}") for i in range(50)]

    def create(_: int) -> int:
        return repository.upsert(batch, now=at(0)).created

    with ThreadPoolExecutor(max_workers=6) as pool:
        assert sum(pool.map(create, range(6))) == len(batch)

    # A full history: each append must prune exactly what it adds, or rows pile up.
    repository.append_views("u-0", [make_view(f"old-{i}", i) for i in range(50)], now=at(1))

    def view(i: int) -> None:
        repository.append_views("u-0", [make_view(f"new-{i}", 100 + i)], now=at(2))

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(view, range(40)))
    user = repository.get("u-0")
    assert user is not None
    assert len(user.recent_views) == MAX_RECENT_VIEWS
    assert {v.product_id for v in user.recent_views[:40]} == {f"new-{i}" for i in range(40)}
