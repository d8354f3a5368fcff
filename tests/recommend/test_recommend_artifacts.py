"""Saved models: versioned manifest, checksummed arrays, no pickle, generic loading."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from nextbuy.recommend.artifacts import read_artifact, write_artifact
from nextbuy.recommend.ease import EASE
from nextbuy.recommend.errors import ArtifactError, UnknownAlgorithmError
from nextbuy.recommend.registry import algorithm_names, create, load_model
from tests.recommend.planted import checkerboard


def test_round_trip_keeps_params_and_arrays(tmp_path: Path) -> None:
    write_artifact(tmp_path, algorithm="x", params={"a": 1}, arrays={"v": np.arange(3)})
    artifact = read_artifact(tmp_path, algorithm="x")
    assert artifact.params == {"a": 1}
    assert artifact.arrays["v"].tolist() == [0, 1, 2]
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["format"] == "nextbuy-model"
    assert manifest["version"] == 1


def test_a_newer_format_version_is_refused(tmp_path: Path) -> None:
    write_artifact(tmp_path, algorithm="x", params={}, arrays={"v": np.arange(3)})
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    (tmp_path / "manifest.json").write_text(json.dumps({**manifest, "version": 99}))
    with pytest.raises(ArtifactError, match="version 99"):
        read_artifact(tmp_path)


def test_tampered_arrays_are_refused(tmp_path: Path) -> None:
    write_artifact(tmp_path, algorithm="x", params={}, arrays={"v": np.arange(3)})
    with (tmp_path / "arrays.npz").open("ab") as stream:
        stream.write(b"junk")
    with pytest.raises(ArtifactError, match="does not match"):
        read_artifact(tmp_path)


def test_object_arrays_are_never_written_as_pickle(tmp_path: Path) -> None:
    objects = np.array([{"a": 1}], dtype=object)
    with pytest.raises(ValueError, match="pickle"):
        write_artifact(tmp_path, algorithm="x", params={}, arrays={"v": objects})
    assert not (tmp_path / "manifest.json").exists()


def test_missing_folder_is_an_artifact_error(tmp_path: Path) -> None:
    with pytest.raises(ArtifactError):
        load_model(tmp_path / "absent")


def test_load_model_dispatches_on_the_manifest(tmp_path: Path) -> None:
    board = checkerboard()
    EASE(regularization=5.0).fit(board.interactions).save(tmp_path)
    model = load_model(tmp_path)
    assert isinstance(model, EASE)
    assert model.regularization == 5.0


def test_registry_knows_every_algorithm_and_refuses_others() -> None:
    assert {"popularity", "ease", "als", "item-knn", "hybrid", "session-knn"} <= set(
        algorithm_names()
    )
    with pytest.raises(UnknownAlgorithmError):
        create("nope")
