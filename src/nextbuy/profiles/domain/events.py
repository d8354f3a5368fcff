"""The events the profiles service publishes: ``user.updated.v1`` per user that changed.

A create, a replacement that changes something, and new views all change the user (and
move its ``updated_at``); each publishes the whole public profile, recent views included,
so the engine never has to call back. A replayed write publishes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from nextbuy.contracts.events import EventBase, UserUpdatedV1
from nextbuy.contracts.profiles import (
    DemographicsPublic,
    PreferencesPublic,
    ProductViewPublic,
    UserPublic,
)
from nextbuy.profiles.domain.models import User

SOURCE = "profiles"


def user_public(user: User) -> UserPublic:
    """The public view of a user (the API answers with it too)."""
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


def user_updated_events(users: Iterable[User]) -> list[EventBase]:
    """One ``user.updated.v1`` per changed user, stamped with its ``updated_at``."""
    return [
        UserUpdatedV1(occurred_at=user.profile.updated_at, source=SOURCE, user=user_public(user))
        for user in users
    ]
