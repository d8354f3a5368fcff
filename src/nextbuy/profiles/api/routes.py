"""The ``/v1/users`` routes. Each is declared once in :data:`OPERATIONS`, which both registers
it with Flask and describes it in ``/openapi.json``."""

from __future__ import annotations

from typing import cast

from flask import Flask, Response, current_app
from pydantic import BaseModel, Field

from nextbuy.contracts.common import (
    MAX_PAGE,
    AwareDatetime,
    BatchResult,
    ErrorBody,
    IdBatch,
    InputModel,
    Page,
    UpsertResult,
)
from nextbuy.contracts.profiles import UserBulkUpsert, UserPublic, UserUpsert, ViewsAppend
from nextbuy.core.errors import FieldError
from nextbuy.core.web.flask import json_response
from nextbuy.profiles.api.openapi import Operation, build_openapi
from nextbuy.profiles.api.presenters import product_view, profile_input, user_public
from nextbuy.profiles.api.requests import invalid_input, parse_body, parse_identifier, parse_query
from nextbuy.profiles.domain.service import ProfileService

SERVICE_KEY = "nextbuy.profiles.service"

UserBatch = BatchResult[UserPublic]
UserPage = Page[UserPublic]


class ChangesQuery(InputModel):
    """Query of ``GET /v1/users:changes``."""

    updated_since: AwareDatetime | None = None
    cursor: str | None = Field(default=None, max_length=512)
    limit: int = Field(default=100, ge=1, le=MAX_PAGE)


def _service() -> ProfileService:
    return cast(ProfileService, current_app.extensions[SERVICE_KEY])


def get_user(user_id: str) -> Response:
    """One user's profile, recent views newest first."""
    user = _service().get_user(parse_identifier("user_id", user_id))
    return json_response(user_public(user))


def put_user(user_id: str) -> Response:
    """Create (201) or replace (200) one user's profile; the body id must match the path."""
    user_id = parse_identifier("user_id", user_id)
    body = parse_body(UserUpsert)
    if body.id != user_id:
        raise invalid_input([FieldError("body.id", f"must equal the path id {user_id!r}")])
    user, created = _service().put_user(profile_input(body))
    return json_response(user_public(user), 201 if created else 200)


def lookup_users() -> Response:
    """Many users by id in a constant number of queries; unknown ids are listed as missing."""
    found = _service().lookup(parse_body(IdBatch).ids)
    result = UserBatch(items=[user_public(user) for user in found.found], missing=found.missing)
    return json_response(result)


def bulk_upsert_users() -> Response:
    """Create or replace up to 1,000 profiles in one transaction."""
    body = parse_body(UserBulkUpsert)
    seen: set[str] = set()
    duplicates = []
    for index, user in enumerate(body.users):
        if user.id in seen:
            duplicates.append(FieldError(f"body.users.{index}.id", "duplicate id in batch"))
        seen.add(user.id)
    if duplicates:
        raise invalid_input(duplicates)
    counts = _service().bulk_upsert([profile_input(user) for user in body.users])
    result = UpsertResult(
        created=counts.created, updated=counts.updated, unchanged=counts.unchanged
    )
    return json_response(result)


def user_changes() -> Response:
    """Users changed since a time or cursor, in (updated_at, id) order."""
    query = parse_query(ChangesQuery)
    page = _service().changes(
        updated_since=query.updated_since, cursor=query.cursor, limit=query.limit
    )
    items = [user_public(user) for user in page.users]
    return json_response(UserPage(items=items, next_cursor=page.next_cursor))


def append_views(user_id: str) -> Response:
    """Add product views to a user's history (the newest 50 are kept)."""
    user_id = parse_identifier("user_id", user_id)
    body = parse_body(ViewsAppend)
    user = _service().append_views(user_id, [product_view(view) for view in body.views])
    return json_response(user_public(user))


def openapi_document() -> Response:
    """The OpenAPI 3.1 description of every route of this service."""
    return json_response(build_openapi(current_app, OPERATIONS, title="Nextbuy User Profile"))


_found: dict[int, type[BaseModel]] = {200: UserPublic, 404: ErrorBody}
OPERATIONS: tuple[Operation, ...] = (
    Operation("/v1/users/<user_id>", "GET", get_user, "Get a user", responses=_found),
    Operation(
        "/v1/users/<user_id>",
        "PUT",
        put_user,
        "Create or replace a user",
        request=UserUpsert,
        responses={200: UserPublic, 201: UserPublic},
    ),
    Operation(
        "/v1/users:lookup",
        "POST",
        lookup_users,
        "Look up many users",
        request=IdBatch,
        responses={200: UserBatch},
    ),
    Operation(
        "/v1/users:bulkUpsert",
        "POST",
        bulk_upsert_users,
        "Create or replace many users",
        request=UserBulkUpsert,
        responses={200: UpsertResult, 409: ErrorBody},
    ),
    Operation(
        "/v1/users:changes",
        "GET",
        user_changes,
        "Change feed of users",
        query=ChangesQuery,
        responses={200: UserPage},
    ),
    Operation(
        "/v1/users/<user_id>/views",
        "POST",
        append_views,
        "Append product views",
        request=ViewsAppend,
        responses=_found,
    ),
)


def install_routes(app: Flask, service: ProfileService) -> None:
    """Register the user routes and ``/openapi.json`` on ``app``, served by ``service``."""
    app.extensions[SERVICE_KEY] = service
    for op in OPERATIONS:
        app.add_url_rule(op.rule, view_func=op.view, methods=[op.method])
    app.add_url_rule("/openapi.json", view_func=openapi_document, methods=["GET"])
