"""Routes on one product: ``/v1/products/{product_id}`` (and creating one)."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from nextbuy.catalog.api.convert import to_changes, to_draft, to_public
from nextbuy.catalog.api.dependencies import CatalogDep, ProductId, error_responses
from nextbuy.contracts.catalog import ProductCreate, ProductPublic, ProductUpdate
from nextbuy.core.errors import FieldError, InvalidInputError

router = APIRouter(prefix="/v1/products", tags=["products"])


@router.get("/{product_id}", responses=error_responses(404, 422))
def get_product(product_id: ProductId, catalog: CatalogDep) -> ProductPublic:
    """One product by id; inactive products are returned too, with ``active=false``."""
    return to_public(catalog.get(product_id))


@router.post("", status_code=status.HTTP_201_CREATED, responses=error_responses(400, 409, 413, 422))
def create_product(body: ProductCreate, catalog: CatalogDep) -> ProductPublic:
    """Create a product; 409 when its id (or sku) is taken."""
    return to_public(catalog.create(to_draft(body)))


@router.put(
    "/{product_id}",
    responses={201: {"model": ProductPublic}, **error_responses(400, 409, 413, 422)},
)
def replace_product(
    product_id: ProductId, body: ProductCreate, catalog: CatalogDep, response: Response
) -> ProductPublic:
    """Create (201) or fully replace (200) the product; ``body.id`` must equal the path id."""
    if body.id != product_id:
        raise InvalidInputError(
            "body.id differs from the id in the path",
            errors=[FieldError("body.id", f"must equal the path id {product_id!r}")],
        )
    product, created = catalog.replace(to_draft(body))
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return to_public(product)


@router.patch("/{product_id}", responses=error_responses(400, 404, 409, 413, 422))
def update_product(
    product_id: ProductId, body: ProductUpdate, catalog: CatalogDep
) -> ProductPublic:
    """Change only the fields given; nothing given (or nothing different) bumps nothing."""
    return to_public(catalog.update(product_id, to_changes(body)))


@router.delete("/{product_id}", responses=error_responses(404, 422))
def deactivate_product(product_id: ProductId, catalog: CatalogDep) -> ProductPublic:
    """Soft-delete: mark the product inactive and return it."""
    return to_public(catalog.deactivate(product_id))
