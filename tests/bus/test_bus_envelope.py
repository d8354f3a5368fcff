"""Events on the wire: every contract event round-trips; bad bytes fail with a reason."""

from __future__ import annotations

from decimal import Decimal

import orjson
import pytest

from nextbuy.bus.envelope import (
    ALL_EVENT_TYPES,
    EventDecodeError,
    EventEnvelope,
    decode,
    decode_batch,
    encode,
    encode_batch,
    event_type,
)
from nextbuy.catalog.domain.events import product_events
from nextbuy.contracts.events import EventBase
from nextbuy.orders.domain.events import order_placed_events
from nextbuy.orders.domain.models import Order, OrderLine
from nextbuy.profiles.domain.events import user_updated_events
from nextbuy.profiles.domain.models import ProfileInput, User
from nextbuy.profiles.domain.upserts import profile_from_input
from tests.bus.builders import T0, make_events, make_stock_event
from tests.catalog.catalog_builders import make_product


def every_event_type() -> list[EventBase]:
    """One event of each type, built the way the services build them."""
    product = make_product("p-1")
    order = Order("o-1", "u-1", "placed", "EUR", T0, T0, (OrderLine("p-1", 2, Decimal("3.50")),))
    user = User(profile_from_input(ProfileInput(id="u-1"), now=T0))
    return [
        *product_events(created=[product], updated=[product]),
        make_stock_event(1),
        *order_placed_events([order]),
        *user_updated_events([user]),
    ]


def test_every_event_type_round_trips() -> None:
    events = every_event_type()
    assert sorted({event_type(e) for e in events}) == sorted(ALL_EVENT_TYPES)
    for event in events:
        assert decode(encode(event)) == event


def test_envelope_headers_repeat_what_a_broker_routes_on() -> None:
    event = make_stock_event(7)
    envelope = EventEnvelope.of(event)
    assert envelope.headers == {
        "event_id": str(event.event_id),
        "type": "stock.changed.v1",
        "occurred_at": event.occurred_at.isoformat(),
        "source": "tests",
    }
    assert envelope.event_type == "stock.changed.v1"
    assert decode(envelope.body) == event


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", "json"),
        (b'{"type": "stock.exploded.v9"}', "type"),
        (b'{"type": "stock.changed.v1", "source": "x"}', "occurred_at"),
        (b"[]", "body"),
    ],
)
def test_bad_bytes_raise_a_decode_error_that_says_why(body: bytes, reason: str) -> None:
    with pytest.raises(EventDecodeError) as caught:
        decode(body)
    assert reason in caught.value.reason.lower()


def test_unknown_fields_are_refused_not_dropped() -> None:
    document = orjson.loads(encode(make_stock_event(1)))
    document["surprise"] = True
    with pytest.raises(EventDecodeError, match="surprise"):
        decode(orjson.dumps(document))


def test_a_batch_round_trips_and_one_bad_event_names_its_index() -> None:
    events = make_events(3)
    assert decode_batch(encode_batch(events)) == events
    document = orjson.loads(encode_batch(events))
    del document["events"][1]["stock"]
    with pytest.raises(EventDecodeError, match=r"^events\.1: "):
        decode_batch(orjson.dumps(document))
    with pytest.raises(EventDecodeError, match="events"):
        decode_batch(b'{"items": []}')
