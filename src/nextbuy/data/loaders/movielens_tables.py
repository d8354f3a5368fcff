"""MovieLens files → canonical tables (the layouts differ; the mapping does not)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from nextbuy.data.format.conform import conform_column
from nextbuy.data.loaders._tables import canonical, seconds_to_timestamps
from nextbuy.data.loaders._text import read_delimited

GENRES_100K = 19
ITEM_100K_COLUMNS = ["item", "title", "released", "video", "url"] + [
    f"g{i}" for i in range(GENRES_100K)
]
# users.dat codes ages as the lower bound of a band; 50 ("50-55") and 56 ("56+") straddle the
# profile service's bands and map to the one holding most of their range.
AGE_CODES_1M = {
    "1": "<18",
    "18": "18-24",
    "25": "25-34",
    "35": "35-44",
    "45": "45-54",
    "50": "45-54",
    "56": "55-64",
}
OCCUPATIONS_1M = [
    "other",
    "academic/educator",
    "artist",
    "clerical/admin",
    "college/grad-student",
    "customer-service",
    "doctor/health-care",
    "executive/managerial",
    "farmer",
    "homemaker",
    "K-12-student",
    "lawyer",
    "programmer",
    "retired",
    "sales/marketing",
    "scientist",
    "self-employed",
    "technician/engineer",
    "tradesman/craftsman",
    "unemployed",
    "writer",
]
GENDERS = {"M": "male", "F": "female"}
AGE_EDGES = np.array([18, 25, 35, 45, 55, 65])
AGE_BANDS = np.array(["<18", "18-24", "25-34", "35-44", "45-54", "55-64", "65+"])


def rating_events(ratings: pa.Table, file: str) -> pa.Table:
    """One ``rating`` event per row, in time order when the file has times."""
    columns: dict[str, object] = {
        "user_id": ratings["user"],
        "product_id": ratings["item"],
        "event_type": pa.array(["rating"] * ratings.num_rows),
    }
    if "stars" in ratings.column_names:
        stars = pa.field("stars", pa.float32(), nullable=False)
        seconds = pa.field("timestamp", pa.int64(), nullable=False)
        columns["value"] = conform_column(ratings["stars"], stars, file)
        columns["timestamp"] = seconds_to_timestamps(
            conform_column(ratings["seconds"], seconds, file)
        )
    events = canonical("events", ratings.num_rows, columns)
    if "stars" in ratings.column_names:
        events = events.sort_by([("timestamp", "ascending")])
    return events


def genre_names(path: Path) -> list[str]:
    table = read_delimited(path, ["name", "index"], separator="|")
    names = table.filter(pc.is_valid(table["index"]))
    order = np.argsort(np.array(names["index"].to_pylist(), dtype=int))
    return [names["name"][int(i)].as_py() for i in order]


def products_100k(items: pa.Table, genres: list[str]) -> pa.Table:
    flags = np.column_stack(
        [np.array(items[f"g{i}"].to_pylist()) == "1" for i in range(len(genres))]
    )
    joined = [
        "|".join(g for g, on in zip(genres, row, strict=True) if on and g != "unknown")
        for row in flags
    ]
    released = pc.strptime(items["released"], format="%d-%b-%Y", unit="us", error_is_null=True)
    return _products(items["item"], items["title"], joined, pc.assume_timezone(released, "UTC"))


def products_from_genres(movies: pa.Table) -> pa.Table:
    genres = pc.replace_substring(movies["genres"], "(no genres listed)", "")
    return _products(movies["item"], movies["title"], genres, None)


def _products(ids: object, titles: object, genres: object, created: object) -> pa.Table:
    genre_column = pc.fill_null(pc.cast(genres, pa.string()), "")
    first = pc.list_element(pc.split_pattern(genre_column, "|"), 0)
    columns = {
        "product_id": ids,
        "title": pc.coalesce(titles, ids),
        "category_path": first,
        "genres": genre_column,
    }
    if created is not None:
        columns["created_at"] = created
    return canonical("products", len(genre_column), columns)


def users_100k(users: pa.Table) -> pa.Table:
    ages = np.array(users["age"].to_pylist(), dtype=int)
    bands = AGE_BANDS[np.searchsorted(AGE_EDGES, ages, side="right")]
    return _users(users, pa.array(bands.tolist()), users["occupation"])


def users_1m(users: pa.Table) -> pa.Table:
    bands = [AGE_CODES_1M.get(code) for code in users["age"].to_pylist()]
    occupations = [
        OCCUPATIONS_1M[int(code)]
        if code and code.isdigit() and int(code) < len(OCCUPATIONS_1M)
        else None
        for code in users["occupation"].to_pylist()
    ]
    return _users(users, pa.array(bands, pa.string()), pa.array(occupations, pa.string()))


def _users(users: pa.Table, bands: object, occupations: object) -> pa.Table:
    genders = [GENDERS.get(code or "", "unknown") for code in users["gender"].to_pylist()]
    return canonical(
        "users",
        users.num_rows,
        {
            "user_id": users["user"],
            "age_band": bands,
            "gender": pa.array(genders),
            "occupation": occupations,
            "zip_code": users["zip"],
        },
    )
