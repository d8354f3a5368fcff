"""Translation between ORM rows and domain models, in one place."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from nextbuy.profiles.domain.models import Demographics, Preferences, ProductView, Profile
from nextbuy.profiles.storage.tables import RecentViewRow, UserRow


def profile_from_row(row: UserRow) -> Profile:
    return Profile(
        id=row.id,
        demographics=Demographics(
            age_band=row.age_band, gender=row.gender, country=row.country, city=row.city
        ),
        preferences=Preferences(
            favourite_categories=tuple(row.favourite_categories), price_band=row.price_band
        ),
        attributes=dict(row.attributes),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def profile_values(profile: Profile) -> dict[str, Any]:
    """Column values of ``profile``, for bulk INSERT and bulk UPDATE by primary key."""
    return {
        "id": profile.id,
        "created_at": profile.created_at,
        "updated_at": profile.updated_at,
        "age_band": profile.demographics.age_band,
        "gender": profile.demographics.gender,
        "country": profile.demographics.country,
        "city": profile.demographics.city,
        "favourite_categories": list(profile.preferences.favourite_categories),
        "price_band": profile.preferences.price_band,
        "attributes": profile.attributes,
    }


def view_from_row(row: RecentViewRow) -> ProductView:
    return ProductView(product_id=row.product_id, viewed_at=row.viewed_at)


def view_values(user_id: str, views: Iterable[ProductView]) -> list[dict[str, Any]]:
    return [
        {"user_id": user_id, "product_id": view.product_id, "viewed_at": view.viewed_at}
        for view in views
    ]
