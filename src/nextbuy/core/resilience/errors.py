"""The errors an upstream call can end in, under one base the engine turns into degradation.

They live in their own module because the breaker, bulkhead and policy all raise them and
must not import each other to do so.
"""

from __future__ import annotations


class UpstreamFailureError(Exception):
    """An upstream call did not produce a usable answer; the caller should degrade."""

    def __init__(self, upstream: str, detail: str) -> None:
        super().__init__(f"{upstream}: {detail}")
        self.upstream = upstream


class CircuitOpenError(UpstreamFailureError):
    """The upstream's breaker is open (or its one half-open probe is taken): no call was made."""


class BulkheadFullError(UpstreamFailureError):
    """Every concurrent slot for the upstream stayed taken for as long as we could wait."""


class DeadlineExceededError(UpstreamFailureError):
    """Too little of the request's budget remained to start a call (S9: fail fast, don't call)."""


class UpstreamTimeoutError(UpstreamFailureError):
    """The call did not finish within its per-attempt timeout."""


class UpstreamUnavailableError(UpstreamFailureError):
    """The call failed: connection refused or reset, an error status, or any unexpected error."""


class UpstreamBadResponseError(UpstreamFailureError):
    """The upstream answered, but the body was malformed, oversized or failed validation."""
