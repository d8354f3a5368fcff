"""MovieLens in its four layouts → rating events, genres as categories, demographics kept."""

from __future__ import annotations

import gzip
from pathlib import Path

import pyarrow.compute as pc
import pytest

from nextbuy.data.format import DatasetError, read_dataset, write_dataset
from nextbuy.data.loaders.movielens import load, ratings_are_positive
from tests.support.datasets import require_shared_dataset


@pytest.mark.shared_dataset
def test_100k_keeps_every_rating_with_its_stars(tmp_path: Path) -> None:
    dataset = load(require_shared_dataset("movielens-100k"))
    write_dataset(dataset, tmp_path / "ml")
    back = read_dataset(tmp_path / "ml")
    assert back.counts() == {"products": 1682, "users": 943, "events": 100_000}
    assert set(back.events["value"].to_pylist()) == {1.0, 2.0, 3.0, 4.0, 5.0}
    assert back.events["timestamp"].null_count == 0
    toy = back.products.filter(pc.equal(back.products["product_id"], "1"))
    assert toy["genres"][0].as_py() == "Animation|Children's|Comedy"
    assert toy["category_path"][0].as_py() == "Animation"
    first = back.users.filter(pc.equal(back.users["user_id"], "1")) if back.users else None
    assert first is not None
    assert (first["age_band"][0].as_py(), first["gender"][0].as_py()) == ("18-24", "male")
    assert first["occupation"][0].as_py() == "technician"
    positive = pc.sum(ratings_are_positive(back.events["value"])).as_py()
    assert 50_000 < positive < 60_000  # ml-100k: 55,375 ratings of 4 or 5 stars


@pytest.mark.shared_dataset
def test_implicit_1m_has_every_pair_without_stars_or_time() -> None:
    dataset = load(require_shared_dataset("movielens-1m-implicit"))
    assert dataset.counts() == {"products": 3883, "users": 6040, "events": 1_000_209}
    assert dataset.events["value"].null_count == 1_000_209
    assert dataset.events["timestamp"].null_count == 1_000_209
    assert dataset.manifest.name == "movielens-1m-implicit"


def test_1m_layout_with_latin1_titles_and_age_codes(tmp_path: Path) -> None:
    (tmp_path / "ratings.dat").write_text("1::10::5::978300760\n2::10::3::978302109\n")
    movies = '10::Caf\u00e9 "Society" (1995)::Comedy|Romance\n11::Heat (1995)::(no genres listed)\n'
    (tmp_path / "movies.dat").write_bytes(movies.encode("latin-1"))
    (tmp_path / "users.dat").write_text("1::F::1::10::48067\n2::M::56::16::70072\n")
    dataset = load(tmp_path)
    assert dataset.products["title"].to_pylist() == ['Caf\u00e9 "Society" (1995)', "Heat (1995)"]
    assert dataset.products["category_path"].to_pylist() == ["Comedy", ""]
    assert dataset.users is not None
    assert dataset.users["age_band"].to_pylist() == ["<18", "55-64"]
    assert dataset.users["occupation"].to_pylist() == ["K-12-student", "self-employed"]
    assert dataset.events["value"].to_pylist() == [5.0, 3.0]


def test_20m_layout_reads_quoted_titles(tmp_path: Path) -> None:
    (tmp_path / "ratings.csv").write_text(
        "userId,movieId,rating,timestamp\n1,11,3.5,1112486027\n1,12,4.0,1112484676\n"
    )
    (tmp_path / "movies.csv").write_text(
        "movieId,title,genres\n"
        '11,"American President, The (1995)",Comedy|Drama\n'
        "12,Heat (1995),Action\n"
    )
    dataset = load(tmp_path)
    assert dataset.products["title"][0].as_py() == "American President, The (1995)"
    assert dataset.events["product_id"].to_pylist() == ["12", "11"]  # in time order
    assert dataset.users is None


def test_a_folder_that_is_not_movielens_says_what_it_expected(tmp_path: Path) -> None:
    (tmp_path / "ratings.txt").write_bytes(gzip.compress(b"nothing"))
    with pytest.raises(DatasetError, match=r"expected u\.data, ratings\.dat or ratings\.csv"):
        load(tmp_path)


def test_a_rating_that_is_not_a_number_is_named(tmp_path: Path) -> None:
    (tmp_path / "ratings.dat").write_text("1::10::5::978300760\n2::10::five::978302109\n")
    (tmp_path / "movies.dat").write_text("10::Heat (1995)::Action\n")
    with pytest.raises(
        DatasetError, match=r"ratings\.dat, row 2, column 'stars': cannot read 'five'"
    ):
        load(tmp_path)
