"""The in-memory adapter passes the repository contract."""

from __future__ import annotations

import pytest

from nextbuy.catalog.storage.memory import MemoryProductRepository
from tests.catalog.storage.catalog_repository_contract import ProductRepositoryContract


class TestMemoryProductRepository(ProductRepositoryContract):
    @pytest.fixture
    def repository(self) -> MemoryProductRepository:
        return MemoryProductRepository()
