"""An OpenAPI 3.1 document built from the Flask route table and the contract models.

Flask has no OpenAPI of its own. Rather than add a library, every route the service owns is
declared once as an :class:`Operation` (used both to register it and to describe it); the
schemas come from pydantic's ``models_json_schema``. Routes installed by the shared core
(health, metrics) are listed too, described from their docstrings.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Literal

from flask import Flask, Response
from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from nextbuy.contracts.common import ErrorBody, Identifier

REF_TEMPLATE = "#/components/schemas/{model}"
_PATH_PARAMETER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


@dataclass(frozen=True, slots=True)
class Operation:
    """One route: how Flask dispatches it and what the OpenAPI document says about it."""

    rule: str
    method: Literal["GET", "POST", "PUT"]
    view: Callable[..., Response]
    summary: str
    request: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    responses: Mapping[int, type[BaseModel]] = field(default_factory=dict)


def build_openapi(app: Flask, operations: Iterable[Operation], *, title: str) -> dict[str, Any]:
    """Describe every rule of ``app``; ``operations`` add bodies, queries and responses."""
    documented: dict[tuple[str, str], Operation] = {(op.rule, op.method): op for op in operations}
    refs, schemas = _component_schemas(documented.values())
    paths: dict[str, dict[str, Any]] = {}
    for rule in app.url_map.iter_rules():
        path = _PATH_PARAMETER.sub(r"{\1}", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            operation = documented.get((rule.rule, method))
            view = app.view_functions[rule.endpoint]
            entry = _operation(operation, refs) if operation else _undocumented(view)
            entry["operationId"] = rule.endpoint
            entry["parameters"] = [*_path_parameters(rule.arguments), *entry["parameters"]]
            paths.setdefault(path, {})[method.lower()] = entry
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": "1"},
        "paths": paths,
        "components": {"schemas": schemas},
    }


# Keyed by (model, mode); Any because pydantic also accepts dataclasses there.
_Refs = Mapping[Any, Mapping[str, Any]]


def _component_schemas(operations: Iterable[Operation]) -> tuple[_Refs, dict[str, Any]]:
    wanted: set[tuple[type[BaseModel], JsonSchemaMode]] = {(ErrorBody, "serialization")}
    for op in operations:
        if op.request is not None:
            wanted.add((op.request, "validation"))
        wanted.update((model, "serialization") for model in op.responses.values())
    ordered = sorted(wanted, key=lambda pair: (pair[0].__name__, pair[1]))
    refs, document = models_json_schema(ordered, ref_template=REF_TEMPLATE)
    return refs, dict(document.get("$defs", {}))


def _operation(op: Operation, refs: _Refs) -> dict[str, Any]:
    statuses = {**op.responses, 400: ErrorBody, 422: ErrorBody}
    if op.request is not None:
        statuses[413] = ErrorBody
    responses = {
        str(status): {
            "description": HTTPStatus(status).phrase,
            **_json_content(refs[(model, "serialization")]),
        }
        for status, model in sorted(statuses.items())
    }
    entry: dict[str, Any] = {
        "summary": op.summary,
        "parameters": _query_parameters(op.query) if op.query else [],
        "responses": responses,
    }
    if op.request is not None:
        entry["requestBody"] = {"required": True, **_json_content(refs[(op.request, "validation")])}
    return entry


def _json_content(schema: Mapping[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": dict(schema)}}}


def _undocumented(view: Callable[..., Any]) -> dict[str, Any]:
    summary = (view.__doc__ or view.__name__).strip().splitlines()[0]
    return {"summary": summary, "parameters": [], "responses": {"200": {"description": "OK"}}}


def _path_parameters(names: Iterable[str]) -> list[dict[str, Any]]:
    schema = TypeAdapter(Identifier).json_schema()
    return [{"name": n, "in": "path", "required": True, "schema": schema} for n in sorted(names)]


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    properties = model.model_json_schema(ref_template=REF_TEMPLATE).get("properties", {})
    return [
        {"name": name, "in": "query", "required": info.is_required(), "schema": properties[name]}
        for name, info in model.model_fields.items()
    ]
