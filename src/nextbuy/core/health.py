"""Liveness and readiness: ``/healthz`` says the process runs, ``/readyz`` that it can serve."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)

ReadinessCheck = Callable[[], None]
"""Raises when a dependency is unreachable; returns None when it is fine."""


@dataclass(frozen=True, slots=True)
class ReadinessReport:
    ready: bool
    checks: dict[str, str]

    @property
    def status_code(self) -> int:
        return 200 if self.ready else 503

    def to_dict(self) -> dict[str, Any]:
        return {"status": "ready" if self.ready else "unavailable", "checks": self.checks}


def check_readiness(checks: Mapping[str, ReadinessCheck]) -> ReadinessReport:
    """Run every check; a failing check makes the service not ready and names the cause."""
    results: dict[str, str] = {}
    for name, check in checks.items():
        try:
            check()
        except Exception as exc:  # any failure of a dependency means "not ready"
            logger.warning("readiness check failed", extra={"check": name, "error": str(exc)})
            results[name] = f"error: {type(exc).__name__}: {exc}"[:300]
        else:
            results[name] = "ok"
    return ReadinessReport(all(v == "ok" for v in results.values()), results)


LIVENESS_BODY = {"status": "ok"}
