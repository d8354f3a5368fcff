"""``nextbuy data stats``: what kind of shop a dataset is, in numbers and a long-tail plot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from nextbuy.data.format import Dataset


@dataclass(frozen=True)
class DatasetStats:
    users: int
    products: int
    events: int
    events_by_type: dict[str, int]
    pairs: int  # distinct (user, product) pairs with at least one event
    first: datetime | None
    last: datetime | None
    product_counts: np.ndarray  # events per product, most popular first

    @property
    def density(self) -> float:
        """Share of the user × product matrix with at least one interaction."""
        cells = self.users * self.products
        return self.pairs / cells if cells else 0.0

    def top_share(self, fraction: float) -> float:
        """Share of events that go to the most popular ``fraction`` of products."""
        top = max(1, round(self.product_counts.size * fraction))
        total = self.product_counts.sum()
        return float(self.product_counts[:top].sum() / total) if total else 0.0


def dataset_stats(dataset: Dataset) -> DatasetStats:
    events = dataset.events
    kinds = pc.value_counts(events["event_type"]).to_pylist()
    user_codes = _codes(events["user_id"])
    product_codes = _codes(events["product_id"])
    known = user_codes >= 0
    pairs = np.unique(user_codes[known].astype(np.int64) << 32 | product_codes[known]).size
    users = (
        dataset.users.num_rows
        if dataset.users is not None
        else int(np.unique(user_codes[known]).size)
    )
    counts = np.bincount(product_codes, minlength=dataset.products.num_rows)
    span = pc.min_max(events["timestamp"]).as_py()
    return DatasetStats(
        users=users,
        products=dataset.products.num_rows,
        events=events.num_rows,
        events_by_type={
            k["values"]: k["counts"] for k in sorted(kinds, key=lambda k: -k["counts"])
        },
        pairs=int(pairs),
        first=span["min"],
        last=span["max"],
        product_counts=np.sort(counts)[::-1],
    )


def _codes(column: pa.ChunkedArray) -> np.ndarray:
    """Integer codes of a string column; null becomes -1."""
    indices = pc.dictionary_encode(column).combine_chunks().indices
    codes: np.ndarray = pc.fill_null(indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    return codes


def plot_long_tail(stats: DatasetStats, path: Path, title: str) -> Path:
    """Events per product by popularity rank (log-log): the long tail at a glance."""
    import matplotlib

    matplotlib.use("Agg")  # no display: a file is the only output
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(7, 4.5), dpi=110)
    counts = stats.product_counts[stats.product_counts > 0]
    axes.loglog(np.arange(1, counts.size + 1), counts, linewidth=1.5)
    axes.set_xlabel("product popularity rank")
    axes.set_ylabel("events")
    share = stats.top_share(0.2)
    axes.set_title(f"{title}: top 20% of products get {share:.0%} of events")
    axes.grid(True, which="both", alpha=0.3)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    return path
