"""The read-model benchmark command runs end to end (its figures are in docs/benchmarks.md)."""

from __future__ import annotations

from nextbuy.engine.read_model_bench import measure


def test_loads_every_generated_product_and_times_the_column_gather() -> None:
    result = measure(3_000)
    assert result.products == 3_000
    assert result.products_per_s > 0
    assert 0 < result.gather_100_p50_us <= result.gather_100_p99_us
