"""Domain models to and from the public contracts."""

from __future__ import annotations

from nextbuy.contracts.profiles import (
    DemographicsPublic,
    PreferencesPublic,
    ProductViewPublic,
    UserPublic,
    UserUpsert,
)
from nextbuy.contracts.profiles import ProductView as ProductViewIn
from nextbuy.profiles.domain.models import (
    Demographics,
    Preferences,
    ProductView,
    ProfileInput,
    User,
)


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


def user_public(user: User) -> UserPublic:
    profile = user.profile
    demographics = profile.demographics
    return UserPublic(
        id=profile.id,
        demographics=DemographicsPublic(
            age_band=demographics.age_band,
            gender=demographics.gender,
            country=demographics.country,
            city=demographics.city,
        ),
        preferences=PreferencesPublic(
            favourite_categories=list(profile.preferences.favourite_categories),
            price_band=profile.preferences.price_band,
        ),
        attributes=profile.attributes,
        recent_views=[
            ProductViewPublic(product_id=view.product_id, viewed_at=view.viewed_at)
            for view in user.recent_views
        ],
        created_at=profile.created_at,
        updated_at=profile.updated_at,
    )
