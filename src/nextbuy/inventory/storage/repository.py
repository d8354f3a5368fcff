"""The SQLAlchemy stock repository (SQLite and PostgreSQL).

Writes lock before they read: PostgreSQL rows are taken ``FOR UPDATE`` in product-id order
(so two batches touching the same products cannot deadlock), SQLite writers start with
``BEGIN IMMEDIATE`` (see ``engine.py``). Timestamps are taken after the locks, so a row's
``updated_at`` never moves backwards when writers queue.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import Engine, and_, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from nextbuy.bus.sql_outbox import SqlOutboxStore, append_events
from nextbuy.core.cursors import FeedPosition
from nextbuy.core.sql import ping_database, utcnow
from nextbuy.inventory.domain.errors import ConcurrentWriteError
from nextbuy.inventory.domain.events import stock_changed_events
from nextbuy.inventory.domain.models import (
    Adjustment,
    Levels,
    LevelSet,
    StockLevel,
    UpsertCounts,
)
from nextbuy.inventory.domain.rules import apply_adjustments, plan_upsert
from nextbuy.inventory.storage.engine import writer
from nextbuy.inventory.storage.tables import INVENTORY_OUTBOX, StockRow


class SqlStockRepository:
    """:class:`~nextbuy.inventory.domain.ports.StockRepository` on a SQL database."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._writer = writer(engine)

    def get(self, product_id: str) -> StockLevel | None:
        with Session(self._engine) as session:
            row = session.get(StockRow, product_id)
            return row.to_domain() if row is not None else None

    def lookup(self, product_ids: Sequence[str]) -> list[StockLevel]:
        query = select(StockRow).where(StockRow.product_id.in_(set(product_ids)))
        with Session(self._engine) as session:
            return [row.to_domain() for row in session.scalars(query)]

    def adjust(self, adjustments: Sequence[Adjustment]) -> list[StockLevel]:
        order = list(dict.fromkeys(a.product_id for a in adjustments))
        with self._write_session() as session:
            self._create_missing(session, sorted(order))
            rows = self._lock(session, order)
            final = apply_adjustments(
                {pid: _levels_of(row) for pid, row in rows.items()}, adjustments
            )
            now = utcnow()
            changed: list[StockRow] = []
            for product_id, levels in final.items():
                row = rows[product_id]
                if (row.available, row.reserved) != (levels.available, levels.reserved):
                    row.available, row.reserved = levels.available, levels.reserved
                    row.updated_at = _later(now, row.updated_at)
                    changed.append(row)
            session.flush()
            # Rows created at zero above and left at zero did not change: no event for them.
            append_events(
                session, INVENTORY_OUTBOX, stock_changed_events(r.to_domain() for r in changed)
            )
            return [rows[product_id].to_domain() for product_id in order]

    def bulk_upsert(self, levels: Sequence[LevelSet]) -> UpsertCounts:
        try:
            return self._bulk_upsert(levels)
        except IntegrityError as exc:
            # Only a racing create can break the primary key: the rules ran before writing.
            raise ConcurrentWriteError from exc

    def _bulk_upsert(self, levels: Sequence[LevelSet]) -> UpsertCounts:
        with self._write_session() as session:
            rows = self._lock(session, [level.product_id for level in levels])
            plan = plan_upsert({pid: _levels_of(row) for pid, row in rows.items()}, levels)
            now = utcnow()
            if plan.creates:
                session.execute(insert(StockRow), [_values(s, now) for s in plan.creates])
            if plan.updates:
                session.execute(update(StockRow), [_values(s, now) for s in plan.updates])
            written = [*plan.creates, *plan.updates]
            changed = [StockLevel(s.product_id, s.available, s.reserved, now) for s in written]
            append_events(session, INVENTORY_OUTBOX, stock_changed_events(changed))
            return UpsertCounts(len(plan.creates), len(plan.updates), plan.unchanged)

    def changes(self, *, after: FeedPosition | None, limit: int) -> list[StockLevel]:
        query = select(StockRow).order_by(StockRow.updated_at, StockRow.product_id).limit(limit)
        if after is not None:
            query = query.where(
                or_(
                    StockRow.updated_at > after.updated_at,
                    and_(StockRow.updated_at == after.updated_at, StockRow.product_id > after.id),
                )
            )
        with Session(self._engine) as session:
            return [row.to_domain() for row in session.scalars(query)]

    def ping(self) -> None:
        ping_database(self._engine)

    def outbox(self) -> SqlOutboxStore:
        """The outbox the writes fill, as the relay reads it."""
        return SqlOutboxStore(self._engine, INVENTORY_OUTBOX)

    @contextmanager
    def _write_session(self) -> Iterator[Session]:
        """One transaction that commits on success and rolls back on any error."""
        with Session(self._writer, expire_on_commit=False) as session, session.begin():
            yield session

    def _create_missing(self, session: Session, product_ids: Sequence[str]) -> None:
        """Insert zero rows for never-stocked products, so they exist to be locked.

        ``ON CONFLICT DO NOTHING`` makes two batches creating one product at once both
        succeed; a rejected batch rolls the zero rows back with everything else.
        """
        if not product_ids:
            return
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        now = utcnow()
        statement = dialect.insert(StockRow).on_conflict_do_nothing(
            index_elements=[StockRow.product_id]
        )
        session.execute(
            statement,
            [
                {"product_id": p, "available": 0, "reserved": 0, "updated_at": now}
                for p in product_ids
            ],
        )

    def _lock(self, session: Session, product_ids: Sequence[str]) -> dict[str, StockRow]:
        """Load (and on PostgreSQL lock, in id order) the rows of ``product_ids``."""
        query = (
            select(StockRow)
            .where(StockRow.product_id.in_(set(product_ids)))
            .order_by(StockRow.product_id)
            .with_for_update()
        )
        return {row.product_id: row for row in session.scalars(query)}


def _levels_of(row: StockRow) -> Levels:
    return Levels(row.available, row.reserved)


def _values(level_set: LevelSet, now: datetime) -> dict[str, object]:
    return {
        "product_id": level_set.product_id,
        "available": level_set.available,
        "reserved": level_set.reserved,
        "updated_at": now,
    }


def _later(now: datetime, previous: datetime) -> datetime:
    """``now``, or just after the row's last change when a clock lags: the feed must see it."""
    return now if now > previous else previous + timedelta(microseconds=1)
