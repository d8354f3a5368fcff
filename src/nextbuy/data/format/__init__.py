"""The canonical dataset format: schemas, ``read_dataset`` and atomic ``write_dataset``.

See ``docs/data-format.md``. Every tool that reads shop data reads this format; every loader
and the generator write it.
"""

from nextbuy.data.format.dataset import Dataset, DatasetError, Manifest
from nextbuy.data.format.reading import read_dataset, read_manifest, read_text_table
from nextbuy.data.format.schemas import EVENT_TYPES, TABLES
from nextbuy.data.format.writing import DatasetWriter, write_dataset

__all__ = [
    "EVENT_TYPES",
    "TABLES",
    "Dataset",
    "DatasetError",
    "DatasetWriter",
    "Manifest",
    "read_dataset",
    "read_manifest",
    "read_text_table",
    "write_dataset",
]
