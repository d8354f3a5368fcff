"""Keep BLAS single-threaded around code that parallelises itself (``implicit``'s ALS).

Two thread pools on the same cores oversubscribe them; ``implicit`` warns about exactly this, and
the cure is to limit BLAS for the duration of the call, not to silence the warning.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from threadpoolctl import threadpool_limits


@contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Limit every BLAS library (OpenBLAS, MKL, BLIS) to one thread inside the block."""
    with threadpool_limits(limits=1, user_api="blas"):
        yield
