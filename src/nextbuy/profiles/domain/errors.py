"""Errors the profiles domain raises; the API layer turns them into problem JSON."""

from __future__ import annotations

from nextbuy.core.errors import FieldError, NextbuyError, NotFoundError


class ProfilesError(NextbuyError):
    """Base of every profiles-specific error."""


class UserNotFoundError(ProfilesError, NotFoundError):
    """No profile has this id."""

    def __init__(self, user_id: str) -> None:
        super().__init__(
            f"user {user_id!r} does not exist",
            errors=[FieldError("path.user_id", "unknown user")],
        )
        self.user_id = user_id
