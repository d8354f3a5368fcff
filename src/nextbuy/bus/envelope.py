"""Events on the wire: the contracts model as JSON bytes, plus headers a broker can route on.

The body is the event itself (``event_id``, ``type``, ``occurred_at``, ``source`` and the
payload), so a consumer needs nothing but the body; the headers repeat the first four so a
broker, a dead-letter queue or an operator can route and inspect without parsing JSON.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, get_args

import orjson
from pydantic import TypeAdapter, ValidationError

from nextbuy.bus.errors import EventDecodeError
from nextbuy.contracts.events import AnyEvent, EventBase

__all__ = [
    "ALL_EVENT_TYPES",
    "MAX_REASON_CHARS",
    "REASON_HEADER",
    "EventDecodeError",
    "EventEnvelope",
    "decode",
    "decode_batch",
    "encode",
    "encode_batch",
    "event_type",
]

_EVENT: TypeAdapter[AnyEvent] = TypeAdapter(AnyEvent)
_MAX_REASON_ERRORS = 3
REASON_HEADER = "x-nextbuy-reason"
"""Header a dead-lettered message or record carries: why it was dead-lettered (every transport)."""
MAX_REASON_CHARS = 500
"""The longest reason kept in that header."""

ALL_EVENT_TYPES: tuple[str, ...] = tuple(
    model.model_fields["type"].default for model in get_args(get_args(AnyEvent)[0])
)
"""Every versioned type a consumer group may read (its default subscription)."""


@dataclass(frozen=True, slots=True)
class EventEnvelope:
    """One event ready to send: its JSON body and its routing headers."""

    body: bytes
    headers: Mapping[str, str]

    @classmethod
    def of(cls, event: EventBase) -> EventEnvelope:
        """Wrap ``event``."""
        return cls(encode(event), headers_of(event))

    @property
    def event_type(self) -> str:
        return self.headers["type"]


def event_type(event: EventBase) -> str:
    """The versioned type (``order.placed.v1``); every concrete event declares one."""
    value = getattr(event, "type", None)
    if not isinstance(value, str):
        raise TypeError(f"{type(event).__name__} is not a versioned event (no 'type')")
    return value


def headers_of(event: EventBase) -> dict[str, str]:
    """The four routing headers of ``event``, as strings."""
    return {
        "event_id": str(event.event_id),
        "type": event_type(event),
        "occurred_at": event.occurred_at.isoformat(),
        "source": event.source,
    }


def encode(event: EventBase) -> bytes:
    """The event as compact JSON bytes."""
    return event.model_dump_json().encode()


def decode(data: bytes) -> AnyEvent:
    """Parse and validate one event; raises :class:`EventDecodeError` saying why not."""
    try:
        return _EVENT.validate_json(data)
    except ValidationError as exc:
        raise EventDecodeError(_reason(exc)) from exc


def encode_batch(events: Sequence[EventBase]) -> bytes:
    """``{"events": [...]}``: the body the webhook transport POSTs."""
    return b'{"events":[' + b",".join(encode(event) for event in events) + b"]}"


def decode_batch(data: bytes) -> list[AnyEvent]:
    """Parse a webhook body; one bad event rejects the batch, naming its index."""
    try:
        document: Any = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise EventDecodeError(f"body is not JSON: {exc}") from exc
    if not isinstance(document, dict) or not isinstance(document.get("events"), list):
        raise EventDecodeError('body must be an object with an "events" array')
    events: list[AnyEvent] = []
    for index, item in enumerate(document["events"]):
        try:
            events.append(_EVENT.validate_python(item))
        except ValidationError as exc:
            raise EventDecodeError(f"events.{index}: {_reason(exc)}") from exc
    return events


def _reason(exc: ValidationError) -> str:
    """A short, single-line reason: the first few errors with their locations."""
    parts = []
    for error in exc.errors()[:_MAX_REASON_ERRORS]:
        location = ".".join(str(part) for part in error["loc"]) or "body"
        parts.append(f"{location}: {error['msg']}")
    more = exc.error_count() - _MAX_REASON_ERRORS
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")
