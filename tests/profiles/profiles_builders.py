"""Builders for profiles tests: valid defaults, overridden per test."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from nextbuy.profiles.domain.models import Demographics, Preferences, ProductView, ProfileInput

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    """A fixed instant ``seconds`` after :data:`T0` (tests never read the wall clock)."""
    return T0 + timedelta(seconds=seconds)


def make_user_body(**overrides: Any) -> dict[str, Any]:
    """A valid ``UserUpsert`` JSON body."""
    body: dict[str, Any] = {
        "id": "user-1",
        "demographics": {"age_band": "25-34", "gender": "female", "country": "DE", "city": "Köln"},
        "preferences": {"favourite_categories": ["shoes", "bags"], "price_band": "mid"},
        "attributes": {"loyalty": "gold", "newsletter": True},
    }
    body.update(overrides)
    return body


def make_profile_input(**overrides: Any) -> ProfileInput:
    """A valid domain ``ProfileInput``."""
    values: dict[str, Any] = {
        "id": "user-1",
        "demographics": Demographics(age_band="25-34", gender="female", country="DE"),
        "preferences": Preferences(favourite_categories=("shoes",), price_band="mid"),
        "attributes": {"loyalty": "gold"},
    }
    values.update(overrides)
    return ProfileInput(**values)


def make_view(product_id: str = "p-1", seconds: float = 0) -> ProductView:
    return ProductView(product_id=product_id, viewed_at=at(seconds))


def view_body(product_id: str = "p-1", seconds: float = 0) -> dict[str, str]:
    return {"product_id": product_id, "viewed_at": at(seconds).isoformat()}
