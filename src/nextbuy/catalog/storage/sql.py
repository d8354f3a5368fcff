"""The SQLAlchemy adapter of the product repository (SQLite by default, PostgreSQL by URL)."""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, and_, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.elements import ColumnElement

from nextbuy.bus.sql_outbox import SqlOutboxStore, append_events
from nextbuy.catalog.domain.categories import join_category, split_category
from nextbuy.catalog.domain.errors import CatalogUnavailableError, ConcurrentWriteError
from nextbuy.catalog.domain.models import Product, ProductContent
from nextbuy.catalog.storage.tables import CATALOG_OUTBOX, ProductRow
from nextbuy.contracts.events import EventBase
from nextbuy.core.cursors import FeedPosition
from nextbuy.core.sql import ping_database

logger = logging.getLogger(__name__)


class SqlProductRepository:
    """Products in a SQL database; one session and one transaction per unit of work."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[SqlProductStore]:
        """A unit of work; a unique-key clash becomes a 409, an unreachable database a 503."""
        with self._sessions() as session:
            try:
                with session.begin():
                    yield SqlProductStore(session)
            except IntegrityError as exc:
                raise ConcurrentWriteError() from exc
            except (OperationalError, PoolTimeoutError) as exc:
                logger.warning("catalog database unavailable", extra={"error": str(exc)[:300]})
                raise CatalogUnavailableError() from exc

    def ping(self) -> None:
        ping_database(self._engine)

    def outbox(self) -> SqlOutboxStore:
        """The outbox these transactions write, as the relay reads it."""
        return SqlOutboxStore(self._engine, CATALOG_OUTBOX)


class SqlProductStore:
    """The store operations of one transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def get_many(self, ids: Collection[str]) -> dict[str, Product]:
        if not ids:
            return {}
        rows = self._session.scalars(select(ProductRow).where(ProductRow.id.in_(list(ids))))
        return {row.id: _to_product(row) for row in rows}

    def sku_owners(self, skus: Collection[str]) -> dict[str, str]:
        if not skus:
            return {}
        query = select(ProductRow.sku, ProductRow.id).where(ProductRow.sku.in_(list(skus)))
        return {sku: product_id for sku, product_id in self._session.execute(query)}

    def insert(self, products: Sequence[Product]) -> None:
        if products:
            self._session.execute(insert(ProductRow), [_to_values(p) for p in products])

    def update(self, products: Sequence[Product]) -> None:
        # ORM bulk UPDATE by primary key: one executemany for the whole batch.
        if products:
            self._session.execute(update(ProductRow), [_to_values(p) for p in products])

    def append_events(self, events: Sequence[EventBase]) -> None:
        append_events(self._session, CATALOG_OUTBOX, events)

    def list_active(
        self, *, category: tuple[str, ...], after_id: str | None, limit: int
    ) -> list[Product]:
        query = select(ProductRow).where(ProductRow.active.is_(True))
        if category:
            query = query.where(_in_category(join_category(category)))
        return self._page_by_id(query, after_id, limit)

    def list_all(self, *, after_id: str | None, limit: int) -> list[Product]:
        return self._page_by_id(select(ProductRow), after_id, limit)

    def list_changed(self, *, after: FeedPosition | None, limit: int) -> list[Product]:
        query = select(ProductRow)
        if after is not None:
            query = query.where(
                or_(
                    ProductRow.updated_at > after.updated_at,
                    and_(ProductRow.updated_at == after.updated_at, ProductRow.id > after.id),
                )
            )
        query = query.order_by(ProductRow.updated_at, ProductRow.id).limit(limit)
        return [_to_product(row) for row in self._session.scalars(query)]

    def _page_by_id(self, query: Any, after_id: str | None, limit: int) -> list[Product]:
        if after_id is not None:
            query = query.where(ProductRow.id > after_id)
        rows = self._session.scalars(query.order_by(ProductRow.id).limit(limit))
        return [_to_product(row) for row in rows]


def _in_category(path: str) -> ColumnElement[bool]:
    """The path itself or anything below it, by whole segments.

    ``substr`` rather than LIKE: SQLite's LIKE ignores case and would need escaping of ``%``/``_``.
    """
    prefix = path + "/"
    return or_(
        ProductRow.category == path,
        func.substr(ProductRow.category, 1, len(prefix)) == prefix,
    )


def _to_product(row: ProductRow) -> Product:
    content = ProductContent(
        sku=row.sku,
        title=row.title,
        description=row.description,
        category_path=split_category(row.category),
        brand=row.brand,
        price=Decimal(row.price),
        currency=row.currency,
        image_url=row.image_url,
        attributes=dict(row.attributes),
        active=row.active,
    )
    return Product(row.id, content, row.created_at, row.updated_at)


def _to_values(product: Product) -> dict[str, Any]:
    content = product.content
    return {
        "id": product.id,
        "sku": content.sku,
        "title": content.title,
        "description": content.description,
        "category": join_category(content.category_path),
        "brand": content.brand,
        "price": content.price,
        "currency": content.currency,
        "image_url": content.image_url,
        "attributes": dict(content.attributes),
        "active": content.active,
        "created_at": product.created_at,
        "updated_at": product.updated_at,
    }
