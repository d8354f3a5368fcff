"""Row normalisation with scikit-learn imported on first use, not at module import.

scikit-learn takes ~3 s of CPU to import on the 2-core VM. Every engine process imports the
algorithms through the model registry, and most never fit or load a model that normalises.
"""

from __future__ import annotations

from typing import Any


def normalize(matrix: Any) -> Any:
    """Rows scaled to unit L2 norm (``sklearn.preprocessing.normalize``)."""
    from sklearn.preprocessing import normalize as sk_normalize

    return sk_normalize(matrix)
