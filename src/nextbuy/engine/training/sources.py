"""Where training data comes from: the engine's event log, the orders feed, a dataset folder."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from nextbuy.contracts.catalog import ProductPublic
from nextbuy.contracts.orders import OrderPublic
from nextbuy.core.http_client import create_session
from nextbuy.engine.domain.translate import NOT_BOUGHT
from nextbuy.engine.storage.event_log import EventLog as EngineEventLog
from nextbuy.engine.upstream.clients import ChangeFeedClient
from nextbuy.engine.upstream.http import UpstreamHttp
from nextbuy.recommend.events import EventLog
from nextbuy.recommend.registry import SideInformation

MAX_BODY = 64 * 1024 * 1024


@dataclass
class TrainingData:
    """Parallel lists of events, plus what is known of the products."""

    users: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    item_texts: dict[str, str] = field(default_factory=dict)
    item_categories: dict[str, str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, source: str, user: str, item: str, kind: str, seconds: float) -> None:
        self.users.append(user)
        self.items.append(item)
        self.types.append(kind)
        self.times.append(seconds)
        self.counts[source] = self.counts.get(source, 0) + 1

    def event_log(self) -> EventLog:
        return EventLog.of(self.users, self.items, self.types, np.asarray(self.times, np.float64))

    def side(self) -> SideInformation:
        return SideInformation(item_texts=self.item_texts, item_categories=self.item_categories)


def from_event_log(data: TrainingData, log: EngineEventLog) -> None:
    """Known users' events from the engine's own log (anonymous sessions count as visitors)."""
    for batch in log.read_all():
        for event in batch:
            visitor = event.user_id or f"session:{event.session_id}"
            data.add(
                "event_log", visitor, event.product_id, event.type, event.timestamp.timestamp()
            )


async def from_services(data: TrainingData, *, orders_url: str, catalog_url: str) -> None:
    """Every order line as a purchase, and product text and categories, through the change feeds."""
    async with create_session(total_timeout_s=60) as session:
        orders = ChangeFeedClient(
            UpstreamHttp(session, orders_url, "orders", max_body_bytes=MAX_BODY),
            "/v1/orders:changes",
            OrderPublic,
            lambda order: order,
        )
        for order in await orders.poll():
            if order.status in NOT_BOUGHT:
                continue
            for line in order.lines:
                seconds = order.created_at.timestamp()
                data.add("orders", order.user_id, line.product_id, "purchase", seconds)
        catalogue = ChangeFeedClient(
            UpstreamHttp(session, catalog_url, "catalog", max_body_bytes=MAX_BODY),
            "/v1/products:changes",
            ProductPublic,
            lambda product: product,
        )
        for product in await catalogue.poll():
            category = "/".join(product.category_path)
            data.item_categories[product.id] = category
            data.item_texts[product.id] = " ".join(
                part
                for part in (product.title, product.description, product.brand or "", category)
                if part
            )


def from_dataset(data: TrainingData, folder: Path) -> None:
    """Events and product text from a canonical dataset folder (see docs/data-format.md)."""
    from nextbuy.data.format import read_dataset

    dataset = read_dataset(folder)
    events = dataset.events.to_pydict()
    for user, session, item, kind, stamp in zip(
        events["user_id"],
        events["session_id"],
        events["product_id"],
        events["event_type"],
        events["timestamp"],
        strict=True,
    ):
        visitor = user if user is not None else f"session:{session}"
        data.add(
            "dataset", visitor, item, kind, stamp.timestamp() if stamp is not None else float("nan")
        )
    products = dataset.products.to_pydict()
    for product_id, title, description, category in zip(
        products["product_id"],
        products["title"],
        products["description"],
        products["category_path"],
        strict=True,
    ):
        data.item_categories[product_id] = category or ""
        data.item_texts[product_id] = " ".join(p for p in (title, description, category) if p)
