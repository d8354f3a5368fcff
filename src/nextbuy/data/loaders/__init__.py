"""Loaders: each reads a public dataset's own layout and returns a canonical ``Dataset``.

``load_format(name, path)`` picks one by the name the CLI uses; loaders are imported only
when asked for, so ``nextbuy data`` starts fast.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from nextbuy.data.format import Dataset

FORMATS = {
    "movielens": "nextbuy.data.loaders.movielens",
    "online-retail": "nextbuy.data.loaders.online_retail",
    "retailrocket": "nextbuy.data.loaders.retailrocket",
    "csv": "nextbuy.data.loaders.csv",
}


def load_format(name: str, path: Path | str, **options: Any) -> Dataset:
    """Run the loader called ``name`` (a key of ``FORMATS``) on ``path``."""
    if name not in FORMATS:
        raise ValueError(f"unknown format {name!r}; choose from {', '.join(FORMATS)}")
    module = importlib.import_module(FORMATS[name])
    dataset: Dataset = module.load(path, **options)
    return dataset
