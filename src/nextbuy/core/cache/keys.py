"""Every cache key Nextbuy uses, named in one module (as Gorse does) so none is spelled twice.

Each key carries a version segment: changing a value's encoding means bumping it, so replicas
running the old code and the new never read each other's bytes.
"""

from __future__ import annotations

__all__ = ["orders_key", "profile_key", "recommendations_key"]


def profile_key(user_id: str | int) -> str:
    """The user's profile document (staleness budget: hours)."""
    return f"profile:v1:{user_id}"


def orders_key(user_id: str | int) -> str:
    """The user's order history (staleness budget: a day; invalidated by order.placed)."""
    return f"orders:v1:{user_id}"


def recommendations_key(user_id: str | int) -> str:
    """The user's precomputed recommendations, before live filtering and re-ranking."""
    return f"recommendations:v1:{user_id}"
