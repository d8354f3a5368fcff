"""The events the catalog publishes, built from its domain models.

``product.created.v1`` for a new product, ``product.updated.v1`` for every real change
(deactivation included); a write that changes nothing publishes nothing. They carry the same
public view of a product as the API, so a consumer needs no second call.
"""

from __future__ import annotations

from collections.abc import Sequence

from nextbuy.catalog.domain.models import Product
from nextbuy.contracts.catalog import ProductPublic
from nextbuy.contracts.events import EventBase, ProductCreatedV1, ProductUpdatedV1

SOURCE = "catalog"


def product_public(product: Product) -> ProductPublic:
    """The public view of a stored product (the API answers with it too)."""
    content = product.content
    return ProductPublic(
        id=product.id,
        sku=content.sku,
        title=content.title,
        description=content.description,
        category_path=list(content.category_path),
        brand=content.brand,
        price=float(content.price),
        currency=content.currency,
        image_url=content.image_url,
        attributes=dict(content.attributes),
        active=content.active,
        created_at=product.created_at,
        updated_at=product.updated_at,
    )


def product_events(
    *, created: Sequence[Product] = (), updated: Sequence[Product] = ()
) -> list[EventBase]:
    """One event per written product, stamped with the write's ``updated_at``."""
    events: list[EventBase] = [
        ProductCreatedV1(occurred_at=p.updated_at, source=SOURCE, product=product_public(p))
        for p in created
    ]
    events.extend(
        ProductUpdatedV1(occurred_at=p.updated_at, source=SOURCE, product=product_public(p))
        for p in updated
    )
    return events
