"""Versioned model artifacts on disk, and which version serves.

``<root>/<version>/`` holds one folder per algorithm (``.npz`` + manifest, never pickle) and a
``version.json``; ``<root>/CURRENT`` names the serving version. A new version is written under
a temporary name and renamed into place, and CURRENT is replaced by rename too, so a reader
sees the old version or the new one, never half of either. Rollback is moving CURRENT.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

CURRENT = "CURRENT"
MANIFEST = "version.json"


class ModelRegistryError(Exception):
    """A version that does not exist, or a registry folder that is not one."""


@dataclass(frozen=True, slots=True)
class ModelVersion:
    version: str
    created_at: str
    algorithms: tuple[str, ...]
    serving: str
    details: dict[str, Any]
    path: Path


class ModelRegistry:
    def __init__(self, root: Path) -> None:
        self.root = root

    @contextmanager
    def new_version(self) -> Iterator[tuple[str, Path]]:
        """A folder for a new version; it appears under its name only if the block succeeds."""
        version = datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
        staging = self.root / f".staging-{version}"
        staging.mkdir(parents=True)
        try:
            yield version, staging
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        staging.rename(self.root / version)

    def write_manifest(
        self,
        folder: Path,
        *,
        version: str,
        algorithms: list[str],
        serving: str,
        details: dict[str, Any],
    ) -> None:
        manifest = {
            "version": version,
            "created_at": datetime.now(UTC).isoformat(),
            "algorithms": algorithms,
            "serving": serving,
            "details": details,
        }
        (folder / MANIFEST).write_text(json.dumps(manifest, indent=2))

    def publish(self, version: str) -> None:
        """Make ``version`` the serving one (also what rollback does)."""
        if not (self.root / version / MANIFEST).exists():
            raise ModelRegistryError(f"no model version {version!r} in {self.root}")
        pointer = self.root / f".{CURRENT}-{uuid.uuid4().hex[:6]}"
        pointer.write_text(version)
        os.replace(pointer, self.root / CURRENT)

    def current(self) -> str | None:
        try:
            return (self.root / CURRENT).read_text().strip() or None
        except FileNotFoundError:
            return None

    def get(self, version: str) -> ModelVersion:
        path = self.root / version
        try:
            manifest = json.loads((path / MANIFEST).read_text())
        except (FileNotFoundError, json.JSONDecodeError) as error:
            raise ModelRegistryError(f"no readable model version {version!r}") from error
        return ModelVersion(
            version=manifest["version"],
            created_at=manifest["created_at"],
            algorithms=tuple(manifest["algorithms"]),
            serving=manifest["serving"],
            details=manifest.get("details", {}),
            path=path,
        )

    def versions(self) -> list[ModelVersion]:
        """Every complete version, newest first."""
        if not self.root.exists():
            return []
        names = [p.name for p in self.root.iterdir() if (p / MANIFEST).exists()]
        return [self.get(name) for name in sorted(names, reverse=True)]

    def prune(self, keep: int) -> list[str]:
        """Delete all but the newest ``keep`` versions (never the serving one)."""
        serving = self.current()
        removed = []
        for old in self.versions()[keep:]:
            if old.version != serving:
                shutil.rmtree(old.path, ignore_errors=True)
                removed.append(old.version)
        return removed
