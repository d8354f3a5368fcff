"""The orders outbox on the Django ORM: written with each new order, read by the relay.

The relay runs in its own thread, and Django connections are per thread: each call first
drops a connection that broke (a database restart) or outlived ``CONN_MAX_AGE``, as Django
does between requests, so the relay recovers on its own after an outage.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from django.db import DEFAULT_DB_ALIAS, connections

from nextbuy.bus.envelope import encode, event_type
from nextbuy.bus.relay import OutboxRecord
from nextbuy.contracts.events import EventBase
from nextbuy.orders.storage.models import OutboxEvent


def append_events(events: Sequence[EventBase], *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Add ``events`` to the outbox; call inside the transaction of the change."""
    if not events:
        return
    now = datetime.now(UTC)
    OutboxEvent.objects.using(using).bulk_create(
        [
            OutboxEvent(
                event_id=event.event_id,
                type=event_type(event),
                payload=encode(event),
                created_at=now,
            )
            for event in events
        ]
    )


class DjangoOutboxStore:
    """:class:`~nextbuy.bus.relay.OutboxStore` over the ``orders_outbox`` table."""

    def __init__(self, *, using: str = DEFAULT_DB_ALIAS) -> None:
        self._using = using

    def pending(self, *, limit: int) -> list[OutboxRecord]:
        self._refresh_connection()
        rows = (
            OutboxEvent.objects.using(self._using)
            .filter(published_at__isnull=True)
            .order_by("id")
            .values_list("id", "event_id", "payload")[:limit]
        )
        return [
            OutboxRecord(row_id, event_id, bytes(payload)) for row_id, event_id, payload in rows
        ]

    def mark_published(self, ids: Sequence[int]) -> None:
        self._refresh_connection()
        OutboxEvent.objects.using(self._using).filter(id__in=list(ids)).update(
            published_at=datetime.now(UTC)
        )

    def count_pending(self) -> int:
        """How many events wait to be published."""
        return OutboxEvent.objects.using(self._using).filter(published_at__isnull=True).count()

    def _refresh_connection(self) -> None:
        connections[self._using].close_if_unusable_or_obsolete()
