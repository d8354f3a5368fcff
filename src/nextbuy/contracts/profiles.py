"""User Profile service payloads."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from nextbuy.contracts.common import (
    MAX_BATCH,
    AwareDatetime,
    Identifier,
    InputModel,
    OutputModel,
)

AgeBand = Literal["<18", "18-24", "25-34", "35-44", "45-54", "55-64", "65+"]
Gender = Literal["female", "male", "other", "unknown"]
PriceBand = Literal["budget", "mid", "premium"]
MAX_RECENT_VIEWS = 50
"""How many recent views a profile keeps: older ones fall off."""


class Demographics(InputModel):
    age_band: AgeBand | None = None
    gender: Gender | None = None
    country: str | None = Field(default=None, max_length=2, min_length=2, pattern=r"^[A-Z]{2}$")
    city: str | None = Field(default=None, max_length=100)


class Preferences(InputModel):
    favourite_categories: list[str] = Field(default_factory=list, max_length=20)
    price_band: PriceBand | None = None


class UserUpsert(InputModel):
    """Create or replace a user's profile (``PUT /v1/users/{id}``, or in a bulk upsert)."""

    id: Identifier
    demographics: Demographics = Field(default_factory=Demographics)
    preferences: Preferences = Field(default_factory=Preferences)
    attributes: dict[str, Any] = Field(default_factory=dict, max_length=50)
    created_at: AwareDatetime | None = None


class UserBulkUpsert(InputModel):
    users: list[UserUpsert] = Field(min_length=1, max_length=MAX_BATCH)


class ProductView(InputModel):
    product_id: Identifier
    viewed_at: AwareDatetime


class ViewsAppend(InputModel):
    """Append views to a user's recent browsing history (newest kept, at most 50)."""

    views: list[ProductView] = Field(min_length=1, max_length=MAX_BATCH)


class ProductViewPublic(OutputModel):
    product_id: str
    viewed_at: datetime


class DemographicsPublic(OutputModel):
    age_band: str | None = None
    gender: str | None = None
    country: str | None = None
    city: str | None = None


class PreferencesPublic(OutputModel):
    favourite_categories: list[str] = Field(default_factory=list)
    price_band: str | None = None


class UserPublic(OutputModel):
    id: str
    demographics: DemographicsPublic
    preferences: PreferencesPublic
    attributes: dict[str, Any]
    recent_views: list[ProductViewPublic]
    created_at: datetime
    updated_at: datetime
