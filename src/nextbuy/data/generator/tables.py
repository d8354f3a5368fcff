"""A block of generated events → Arrow tables: events, and orders with their lines."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from nextbuy.data.format.build import canonical
from nextbuy.data.format.schemas import UTC_TIMESTAMP
from nextbuy.data.generator.block import EVENT_NAMES, PURCHASE, Events


def _session_ids(session: np.ndarray, prefix: str) -> pa.Array:
    return pc.binary_join_element_wise(prefix, pc.cast(pa.array(session), pa.string()), "")


def events_table(
    events: Events, user_ids: pa.Array, prices: np.ndarray, product_ids: pa.Array
) -> pa.Table:
    users = pc.take(user_ids, pa.array(events.shopper, mask=events.shopper < 0))
    kinds = pa.DictionaryArray.from_arrays(pa.array(events.kind), pa.array(EVENT_NAMES))
    return canonical(
        "events",
        events.size,
        {
            "user_id": users,
            "session_id": _session_ids(events.session, "s"),
            "product_id": pc.take(product_ids, pa.array(events.product)),
            "event_type": pc.cast(kinds, pa.string()),
            "timestamp": pa.array(events.time_us, UTC_TIMESTAMP),
            "quantity": pa.array(events.quantity, pa.int32()),
            "price": pa.array(prices[events.product]),
        },
    )


def order_tables(
    events: Events, user_ids: pa.Array, prices: np.ndarray, product_ids: pa.Array
) -> tuple[pa.Table, pa.Table]:
    """Known shoppers' purchases, one order per session (the checkout)."""
    bought = np.flatnonzero((events.kind == PURCHASE) & (events.shopper >= 0))
    bought = bought[np.argsort(events.session[bought], kind="stable")]
    session = events.session[bought]
    first = np.r_[True, session[1:] != session[:-1]] if session.size else np.zeros(0, bool)
    starts = np.flatnonzero(first)
    line_no = np.arange(session.size) - np.repeat(starts, np.diff(np.r_[starts, session.size])) + 1
    heads = bought[starts]
    orders = canonical(
        "orders",
        heads.size,
        {
            "order_id": _session_ids(events.session[heads], "o"),
            "user_id": pc.take(user_ids, pa.array(events.shopper[heads])),
            "created_at": pa.array(events.time_us[heads], UTC_TIMESTAMP),
            "status": pa.array(["delivered"] * heads.size),
            "currency": pa.array(["EUR"] * heads.size),
        },
    )
    lines = canonical(
        "order_lines",
        bought.size,
        {
            "order_id": _session_ids(session, "o"),
            "line_no": pa.array(line_no, pa.int32()),
            "product_id": pc.take(product_ids, pa.array(events.product[bought])),
            "quantity": pa.array(events.quantity[bought], pa.int32()),
            "unit_price": pa.array(prices[events.product[bought]]),
        },
    )
    return orders, lines
