"""MovieLens (100k, 1M, 20M/25M/latest, and the shared implicit-only 1M) → rating events.

Download: https://grouplens.org/datasets/movielens/ (unzip; point the loader at the folder).
Every rating becomes a ``rating`` event whose ``value`` is the stars; nothing is dropped.
Tools that need implicit feedback count a rating of ``POSITIVE_RATING`` stars or more as
positive (docs/data-format.md). A movie's first genre is its category; all genres are kept
in the extra ``genres`` column, ``|``-joined.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from nextbuy.data.format import Dataset, DatasetError, Manifest
from nextbuy.data.loaders import movielens_tables as tables
from nextbuy.data.loaders._text import read_delimited

POSITIVE_RATING = 4.0
"""Stars at or above which a rating counts as a positive interaction (out of 5)."""


def load(path: Path | str) -> Dataset:
    """Read a MovieLens folder in any of the supported layouts (detected by file names)."""
    folder = Path(path)
    if (folder / "u.data").is_file():
        return _load_100k(folder)
    if (folder / "ratings.dat").is_file():
        return _load_1m(folder, folder / "ratings.dat")
    implicit = [folder / name for name in ("ratings_implicit.csv.gz", "ratings_implicit.csv")]
    for candidate in implicit:
        if candidate.is_file():
            return _load_1m(folder, candidate)
    if (folder / "ratings.csv").is_file():
        return _load_20m(folder)
    message = "not a MovieLens folder (expected u.data, ratings.dat or ratings.csv)"
    raise DatasetError(str(folder), message)


def _manifest(layout: str, notes: tuple[str, ...] = ()) -> Manifest:
    return Manifest(
        name=f"movielens-{layout}",
        source=f"MovieLens {layout} (GroupLens Research)",
        notes=(f"rating events; value = stars; positive means ≥ {POSITIVE_RATING:g}", *notes),
        parameters={"positive_rating": POSITIVE_RATING},
    )


def _load_100k(folder: Path) -> Dataset:
    ratings = read_delimited(
        folder / "u.data", ["user", "item", "stars", "seconds"], separator="\t"
    )
    items = read_delimited(
        folder / "u.item", tables.ITEM_100K_COLUMNS, separator="|", encoding="latin-1"
    )
    users = read_delimited(
        folder / "u.user", ["user", "age", "gender", "occupation", "zip"], separator="|"
    )
    return Dataset(
        products=tables.products_100k(items, tables.genre_names(folder / "u.genre")),
        events=tables.rating_events(ratings, "u.data"),
        users=tables.users_100k(users),
        manifest=_manifest("100k"),
    )


def _load_1m(folder: Path, ratings_file: Path) -> Dataset:
    implicit = ratings_file.name.startswith("ratings_implicit")
    if implicit:
        ratings = read_delimited(ratings_file, ["user", "item"], separator=",", header=True)
        notes: tuple[str, ...] = ("implicit-only copy: no stars (value null), no timestamps",)
    else:
        names = ["user", "item", "stars", "seconds"]
        ratings = read_delimited(ratings_file, names, separator="::")
        notes = ()
    movies = read_delimited(
        folder / "movies.dat", ["item", "title", "genres"], separator="::", encoding="latin-1"
    )
    users_file = folder / "users.dat"
    users = None
    if users_file.is_file():
        columns = ["user", "gender", "age", "occupation", "zip"]
        users = tables.users_1m(read_delimited(users_file, columns, separator="::"))
    return Dataset(
        products=tables.products_from_genres(movies),
        events=tables.rating_events(ratings, ratings_file.name),
        users=users,
        manifest=_manifest("1m-implicit" if implicit else "1m", notes),
    )


def _load_20m(folder: Path) -> Dataset:
    ratings = read_delimited(
        folder / "ratings.csv", ["user", "item", "stars", "seconds"], separator=",", header=True
    )
    # movies.csv quotes the titles that contain commas.
    movies = read_delimited(
        folder / "movies.csv", ["item", "title", "genres"], separator=",", header=True, quoted=True
    )
    return Dataset(
        products=tables.products_from_genres(movies),
        events=tables.rating_events(ratings, "ratings.csv"),
        manifest=_manifest("20m", ("no user file in this layout: users table absent",)),
    )


def ratings_are_positive(values: pa.ChunkedArray) -> pa.ChunkedArray:
    """The documented positive rule; a rating without stars (implicit data) is positive."""
    return pc.fill_null(pc.greater_equal(values, POSITIVE_RATING), True)
