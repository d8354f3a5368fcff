"""The bus's errors: one base, and the two a caller must tell apart."""

from __future__ import annotations

from collections.abc import Collection
from uuid import UUID


class BusError(Exception):
    """Base of every error the bus raises."""


class PublishError(BusError):
    """Not every event was durably accepted; the caller keeps the unconfirmed ones.

    ``confirmed`` names the events that did reach the broker, so an outbox relay can mark
    those and retry only the rest (a partly failed batch is the common case when a broker
    dies mid-batch).
    """

    def __init__(self, detail: str, *, confirmed: Collection[UUID] = ()) -> None:
        super().__init__(detail)
        self.confirmed = frozenset(confirmed)


class EventDecodeError(BusError, ValueError):
    """Bytes that are not a valid versioned event; ``reason`` says why, for the DLQ header."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class BusConfigurationError(BusError, ValueError):
    """A bus URL this build cannot serve (unknown scheme, missing client library)."""
