"""Request-scoped access to what the composition root built, and shared route metadata."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Path, Request

from nextbuy.catalog.domain.catalog import Catalog
from nextbuy.contracts.common import ErrorBody, Identifier


def get_catalog(request: Request) -> Catalog:
    """The catalog the app factory stored on the app."""
    catalog: Catalog = request.app.state.catalog
    return catalog


CatalogDep = Annotated[Catalog, Depends(get_catalog)]
ProductId = Annotated[Identifier, Path(description="The shop's own product id.")]


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries saying these statuses answer with the problem-JSON body."""
    return {status: {"model": ErrorBody} for status in statuses}
