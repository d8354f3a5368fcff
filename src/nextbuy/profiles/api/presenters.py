"""Domain models to and from the public contracts."""

from __future__ import annotations

from nextbuy.contracts.profiles import ProductView as ProductViewIn
from nextbuy.contracts.profiles import UserUpsert
from nextbuy.profiles.domain.events import user_public
from nextbuy.profiles.domain.models import Demographics, Preferences, ProductView, ProfileInput

__all__ = ["product_view", "profile_input", "user_public"]


def profile_input(body: UserUpsert) -> ProfileInput:
    return ProfileInput(
        id=body.id,
        demographics=Demographics(**body.demographics.model_dump()),
        preferences=Preferences(
            favourite_categories=tuple(body.preferences.favourite_categories),
            price_band=body.preferences.price_band,
        ),
        attributes=dict(body.attributes),
        created_at=body.created_at,
    )


def product_view(view: ProductViewIn) -> ProductView:
    return ProductView(product_id=view.product_id, viewed_at=view.viewed_at)
