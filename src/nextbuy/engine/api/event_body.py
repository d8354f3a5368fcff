"""Reading a ``POST /v1/events`` body straight from its bytes, in one validation pass.

The usual FastAPI route would decode the JSON into dicts, validate the envelope, then each event
on its own. Here pydantic-core parses and validates the whole batch from the raw bytes at once
(no intermediate dicts); only when that fails does the slower path find out what was wrong:
the envelope (a 422 or, for broken JSON, a 400, exactly as FastAPI would answer) or single
events (rejected by index, the others kept).
"""

from __future__ import annotations

from typing import Any

from fastapi.exceptions import RequestValidationError
from pydantic import Field, TypeAdapter, ValidationError

from nextbuy.contracts.common import InputModel
from nextbuy.contracts.engine import MAX_EVENTS, EventBatch, InteractionEvent
from nextbuy.engine.domain.ingestion import CheckedBatch, check_events


class _ValidBatch(InputModel):
    """What a batch is when every event in it is valid (same rules as ``EventBatch``)."""

    events: list[InteractionEvent] = Field(min_length=1, max_length=MAX_EVENTS)


_VALID_BATCH = TypeAdapter(_ValidBatch)

OPENAPI_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": EventBatch.model_json_schema()}},
    }
}
"""The route reads the body itself, so its schema is documented by hand."""


def read_event_batch(body: bytes) -> CheckedBatch:
    """The batch's valid events and, by index, the rejected ones; raises for a bad envelope."""
    try:
        return CheckedBatch.all_valid(_VALID_BATCH.validate_json(body).events)
    except ValidationError:
        pass  # the slow path below says what was wrong
    try:
        envelope = EventBatch.model_validate_json(body)
    except ValidationError as error:
        errors = error.errors(include_url=False)
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in errors]) from error
    return check_events(envelope.events)
