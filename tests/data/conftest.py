"""Markers of the data tests (registered here so pyproject stays the platform's)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "shared_dataset: reads a full dataset from ../shared/datasets (seconds)"
    )
