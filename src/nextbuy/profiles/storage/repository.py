"""SQLAlchemy implementation of :class:`~nextbuy.profiles.domain.ports.UserRepository`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import datetime

from sqlalchemy import Engine, and_, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.elements import ColumnElement

from nextbuy.bus.sql_outbox import SqlOutboxStore, append_events
from nextbuy.core.cursors import FeedPosition
from nextbuy.core.errors import ConflictError
from nextbuy.profiles.domain.errors import UserNotFoundError
from nextbuy.profiles.domain.events import user_updated_events
from nextbuy.profiles.domain.models import ProductView, ProfileInput, UpsertCounts, User
from nextbuy.profiles.domain.recent_views import merge_recent_views, newest_first
from nextbuy.profiles.domain.upserts import plan_upserts
from nextbuy.profiles.storage.engine import writer
from nextbuy.profiles.storage.rows import (
    profile_from_row,
    profile_values,
    view_from_row,
    view_values,
)
from nextbuy.profiles.storage.tables import PROFILES_OUTBOX, RecentViewRow, UserRow

_UPSERT_ATTEMPTS = 3


class SqlUserRepository:
    """Profiles in SQL. Reads take two queries whatever the number of users."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._read = sessionmaker(engine, expire_on_commit=False)
        self._write = sessionmaker(writer(engine), expire_on_commit=False)

    def outbox(self) -> SqlOutboxStore:
        """The outbox the writes fill, as the relay reads it."""
        return SqlOutboxStore(self._engine, PROFILES_OUTBOX)

    def get(self, user_id: str) -> User | None:
        users = self.get_many([user_id])
        return users[0] if users else None

    def get_many(self, user_ids: Sequence[str]) -> list[User]:
        with self._read() as session, session.begin():
            rows = session.scalars(select(UserRow).where(UserRow.id.in_(user_ids))).all()
            return _with_views(session, rows)

    def changed_since(self, after: FeedPosition | None, *, limit: int) -> list[User]:
        query = select(UserRow).order_by(UserRow.updated_at, UserRow.id).limit(limit)
        if after is not None:
            query = query.where(
                or_(
                    UserRow.updated_at > after.updated_at,
                    and_(UserRow.updated_at == after.updated_at, UserRow.id > after.id),
                )
            )
        with self._read() as session, session.begin():
            return _with_views(session, session.scalars(query).all())

    def upsert(self, profiles: Sequence[ProfileInput], *, now: datetime) -> UpsertCounts:
        # Row locks cannot cover ids that do not exist yet: two writers may both plan to
        # create one. The loser gets an IntegrityError; on retry it sees the winner's row.
        for _ in range(_UPSERT_ATTEMPTS - 1):
            with suppress(ConflictError):
                return self._upsert_once(profiles, now=now)
        return self._upsert_once(profiles, now=now)

    def _upsert_once(self, profiles: Sequence[ProfileInput], *, now: datetime) -> UpsertCounts:
        with self._writing() as session:
            ids = [profile.id for profile in profiles]
            locked = select(UserRow).where(UserRow.id.in_(ids)).with_for_update()
            existing = {row.id: profile_from_row(row) for row in session.scalars(locked)}
            plan = plan_upserts(profiles, existing, now=now)
            # Bulk statements, not per-object flushes: 1,000 rows in one executemany each.
            if plan.creates:
                session.execute(insert(UserRow), [profile_values(p) for p in plan.creates])
            if plan.updates:
                session.execute(update(UserRow), [profile_values(p) for p in plan.updates])
            # A new user has no views yet; a replaced one keeps its views, read in one query.
            views = _views_by_user(session, [p.id for p in plan.updates])
            changed = [User(p) for p in plan.creates]
            changed += [User(p, tuple(newest_first(views[p.id]))) for p in plan.updates]
            append_events(session, PROFILES_OUTBOX, user_updated_events(changed))
            return plan.counts

    def append_views(self, user_id: str, views: Sequence[ProductView], *, now: datetime) -> User:
        with self._writing() as session:
            row = session.get(UserRow, user_id, with_for_update=True)
            if row is None:
                raise UserNotFoundError(user_id)
            current = [view_from_row(v) for v in _view_rows(session, [user_id])]
            change = merge_recent_views(current, views)
            if change.removed:
                session.execute(
                    delete(RecentViewRow).where(
                        RecentViewRow.user_id == user_id,
                        or_(*(_same_view(view) for view in change.removed)),
                    )
                )
            if change.added:
                session.execute(insert(RecentViewRow), view_values(user_id, change.added))
            user = User(profile_from_row(row), change.kept)
            if change.changed:
                row.updated_at = now
                user = User(profile_from_row(row), change.kept)
                append_events(session, PROFILES_OUTBOX, user_updated_events([user]))
            return user

    @contextmanager
    def _writing(self) -> Iterator[Session]:
        """A write transaction; a lost race on a new id becomes a 409 the client can retry."""
        try:
            with self._write() as session, session.begin():
                yield session
        except IntegrityError as exc:
            raise ConflictError("a concurrent write touched the same user; retry") from exc


def _same_view(view: ProductView) -> ColumnElement[bool]:
    return and_(
        RecentViewRow.product_id == view.product_id, RecentViewRow.viewed_at == view.viewed_at
    )


def _view_rows(session: Session, user_ids: Sequence[str]) -> Sequence[RecentViewRow]:
    query = select(RecentViewRow).where(RecentViewRow.user_id.in_(user_ids))
    return session.scalars(query).all()


def _views_by_user(session: Session, user_ids: Sequence[str]) -> dict[str, list[ProductView]]:
    """The views of ``user_ids`` (one query), keyed by user; a user without views maps to []."""
    views: dict[str, list[ProductView]] = defaultdict(list)
    if user_ids:
        for view_row in _view_rows(session, user_ids):
            views[view_row.user_id].append(view_from_row(view_row))
    return views


def _with_views(session: Session, rows: Sequence[UserRow]) -> list[User]:
    """Attach recent views to ``rows`` with one more query (never one per user)."""
    if not rows:
        return []
    views = _views_by_user(session, [row.id for row in rows])
    return [User(profile_from_row(row), tuple(newest_first(views[row.id]))) for row in rows]
