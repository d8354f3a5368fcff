"""Saved models: one folder holding ``arrays.npz`` and a JSON ``manifest.json``, never pickle.

The manifest names the format, its version, the algorithm and its parameters, and the SHA-256 of
the arrays file, so a loader refuses another algorithm's folder, a newer format, or a torn copy.
Arrays are loaded with ``allow_pickle=False``: loading a model cannot execute code.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from nextbuy.recommend.errors import ArtifactError

FORMAT = "nextbuy-model"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
ARRAYS = "arrays.npz"

Arrays = dict[str, npt.NDArray[Any]]


@dataclass(frozen=True)
class Artifact:
    """What a folder held: the algorithm's constructor parameters and its named arrays."""

    algorithm: str
    params: dict[str, Any]
    arrays: Arrays


def write_artifact(
    directory: Path, *, algorithm: str, params: Mapping[str, Any], arrays: Mapping[str, Any]
) -> None:
    """Write ``arrays.npz`` then the manifest (last, so a half-written folder has none)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / MANIFEST).unlink(missing_ok=True)
    arrays_path = directory / ARRAYS
    _write_npz(arrays_path, {name: np.asarray(value) for name, value in arrays.items()})
    manifest = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "algorithm": algorithm,
        "params": dict(params),
        "created_at": datetime.now(UTC).isoformat(),
        "arrays_sha256": _sha256(arrays_path),
    }
    temporary = directory / f".{MANIFEST}.tmp"
    temporary.write_text(json.dumps(manifest, indent=2, sort_keys=True))
    os.replace(temporary, directory / MANIFEST)


def _write_npz(path: Path, arrays: Mapping[str, npt.NDArray[Any]]) -> None:
    """``np.savez_compressed`` at zlib level 1 instead of 6: a million-user model's arrays
    compress about 5× faster for files about a third larger (measured in docs/benchmarks.md);
    ``np.load`` reads either."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, array in arrays.items():
            with archive.open(f"{name}.npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, allow_pickle=False)


def read_artifact(directory: Path, *, algorithm: str | None = None) -> Artifact:
    """Read and check a folder written by :func:`write_artifact`."""
    manifest = _read_manifest(directory)
    if algorithm is not None and manifest["algorithm"] != algorithm:
        raise ArtifactError(
            f"{directory} holds a {manifest['algorithm']!r} model, not {algorithm!r}"
        )
    arrays_path = directory / ARRAYS
    if not arrays_path.is_file() or _sha256(arrays_path) != manifest.get("arrays_sha256"):
        raise ArtifactError(f"{arrays_path} is missing or does not match its manifest")
    with np.load(arrays_path, allow_pickle=False) as stored:
        arrays = {name: stored[name] for name in stored.files}
    return Artifact(str(manifest["algorithm"]), dict(manifest.get("params", {})), arrays)


def read_algorithm_name(directory: Path) -> str:
    """The algorithm a saved folder belongs to (to dispatch a generic load)."""
    return str(_read_manifest(directory)["algorithm"])


def csr_arrays(prefix: str, matrix: sparse.csr_matrix) -> Arrays:
    """A CSR matrix as four plain arrays under ``prefix``."""
    matrix = sparse.csr_matrix(matrix)
    return {
        f"{prefix}.data": matrix.data,
        f"{prefix}.indices": matrix.indices,
        f"{prefix}.indptr": matrix.indptr,
        f"{prefix}.shape": np.asarray(matrix.shape, dtype=np.int64),
    }


def csr_from_arrays(prefix: str, arrays: Arrays) -> sparse.csr_matrix:
    """The inverse of :func:`csr_arrays`."""
    try:
        parts = (arrays[f"{prefix}.data"], arrays[f"{prefix}.indices"], arrays[f"{prefix}.indptr"])
        shape = tuple(int(n) for n in arrays[f"{prefix}.shape"])
    except KeyError as missing:
        raise ArtifactError(f"saved model lacks the array {missing}") from None
    return sparse.csr_matrix(parts, shape=shape)


def _read_manifest(directory: Path) -> dict[str, Any]:
    path = directory / MANIFEST
    try:
        manifest = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise ArtifactError(f"cannot read {path}: {error}") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArtifactError(f"{path} is not a {FORMAT} manifest")
    if manifest.get("version") != FORMAT_VERSION:
        raise ArtifactError(
            f"{path} has format version {manifest.get('version')}; this build reads "
            f"{FORMAT_VERSION}"
        )
    return manifest


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
