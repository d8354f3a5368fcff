"""Concurrent batches never lose a delta and never deadlock, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from nextbuy.inventory.domain.errors import StockConflictError
from nextbuy.inventory.storage.repository import SqlStockRepository
from tests.inventory.builders import make_adjustment

THREADS = 8
BATCHES_PER_THREAD = 15


def test_concurrent_increments_are_all_counted(repository: SqlStockRepository) -> None:
    # The products do not exist yet: the threads also race to create them.
    start = threading.Barrier(THREADS)

    def increment(worker: int) -> None:
        # Half the workers name the products in the opposite order: locks must not deadlock.
        order = ["hot-a", "hot-b"] if worker % 2 else ["hot-b", "hot-a"]
        start.wait()
        for _ in range(BATCHES_PER_THREAD):
            repository.adjust([make_adjustment(product_id=pid, delta_available=1) for pid in order])

    with ThreadPoolExecutor(THREADS) as pool:
        for outcome in [pool.submit(increment, n) for n in range(THREADS)]:
            outcome.result()

    expected = THREADS * BATCHES_PER_THREAD
    levels = {s.product_id: s.available for s in repository.lookup(["hot-a", "hot-b"])}
    assert levels == {"hot-a": expected, "hot-b": expected}


def test_concurrent_reservations_never_oversell(repository: SqlStockRepository) -> None:
    repository.adjust([make_adjustment(product_id="last-units", set_available=10)])
    start = threading.Barrier(THREADS)

    def reserve_one(_worker: int) -> bool:
        start.wait()
        try:
            repository.adjust(
                [make_adjustment(product_id="last-units", delta_available=None, delta_reserved=2)]
            )
        except StockConflictError:  # refused once the stock is all reserved
            return False
        return True

    with ThreadPoolExecutor(THREADS) as pool:
        granted = sum(pool.map(reserve_one, range(THREADS)))

    level = repository.get("last-units")
    assert level is not None
    assert granted == 5
    assert (level.available, level.reserved) == (10, 10)
