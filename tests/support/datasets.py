"""The shared real datasets (``../shared/datasets`` beside the repository), or skip/fail.

They are never copied into the repository (their licences forbid redistribution). A test
that needs one is skipped with the reason on a laptop without them, and fails when
``CI=true``, like a missing server (``tests.support.servers``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.servers import in_ci

REPOSITORY = Path(__file__).resolve().parents[2]
SHARED_DATASETS = (REPOSITORY / "../shared/datasets").resolve()


def require_shared_dataset(name: str) -> Path:
    """The folder of shared dataset ``name``; skip (laptop) or fail (CI) when it is absent."""
    folder = SHARED_DATASETS / name
    if folder.is_dir() and any(folder.iterdir()):
        return folder
    message = f"shared dataset {name!r} not found at {folder}"
    if in_ci():
        pytest.fail(f"{message}; it is required when CI=true")
    pytest.skip(message)
