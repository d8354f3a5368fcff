"""The business-rule query parameters both ranking routes take, turned into ``RequestFilters``."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from pydantic import StringConstraints

from nextbuy.core.errors import FieldError, InvalidInputError
from nextbuy.engine.domain.filters import MAX_EXCLUDED_IDS, MAX_OFFSET, RequestFilters

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:\-]*$"
MAX_CATEGORIES = 20

ProductIdText = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=ID_PATTERN)]
CategoryText = Annotated[str, StringConstraints(min_length=1, max_length=500)]

Categories = Annotated[
    list[CategoryText] | None,
    Query(
        alias="category",
        max_length=MAX_CATEGORIES,
        description=(
            "Keep only products under this category path (`Home` keeps `Home/Kitchen`). "
            f"Repeat for several (at most {MAX_CATEGORIES}): a product under any of them is kept."
        ),
    ),
]
MinPrice = Annotated[
    float | None,
    Query(ge=0, allow_inf_nan=False, description="Drop products cheaper than this."),
]
MaxPrice = Annotated[
    float | None,
    Query(ge=0, allow_inf_nan=False, description="Drop products dearer than this."),
]
Excluded = Annotated[
    list[ProductIdText] | None,
    Query(
        alias="exclude",
        max_length=MAX_EXCLUDED_IDS,
        description=(
            "A product id never to return (e.g. already on the page). "
            f"Repeatable, at most {MAX_EXCLUDED_IDS}."
        ),
    ),
]
MaxPerCategory = Annotated[
    int | None,
    Query(
        ge=1,
        le=100,
        description="Diversity: at most this many products of one category (the best-ranked).",
    ),
]
Offset = Annotated[
    int,
    Query(
        ge=0,
        le=MAX_OFFSET,
        description=(
            "Pagination: skip this many products of the filtered ranking. Pages of one visitor "
            "do not overlap and concatenate to the unpaged list."
        ),
    ),
]


async def request_filters(
    categories: Categories = None,
    min_price: MinPrice = None,
    max_price: MaxPrice = None,
    excluded: Excluded = None,
    max_per_category: MaxPerCategory = None,
    offset: Offset = 0,
) -> RequestFilters:
    """The request's business rules (a dependency of both ranking routes).

    ``async`` though it never awaits: FastAPI runs a plain ``def`` dependency in its thread
    pool, and that hop per request was 8% of a warm request's CPU (py-spy).
    """
    if min_price is not None and max_price is not None and min_price > max_price:
        message = f"min_price {min_price:g} is above max_price {max_price:g}"
        raise InvalidInputError(
            message,
            errors=[FieldError("query.min_price", message), FieldError("query.max_price", message)],
        )
    return RequestFilters(
        categories=tuple(dict.fromkeys(categories or ())),
        min_price=min_price,
        max_price=max_price,
        exclude_ids=frozenset(excluded or ()),
        max_per_category=max_per_category,
        offset=offset,
    )
