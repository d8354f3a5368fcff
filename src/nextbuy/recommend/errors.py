"""The errors of the algorithm package: one base, so a caller can catch everything it raises."""

from __future__ import annotations


class RecommendError(Exception):
    """Base of every error raised by :mod:`nextbuy.recommend`."""


class NotFittedError(RecommendError):
    """A model was asked for recommendations before ``fit`` (or ``load``)."""


class ArtifactError(RecommendError):
    """A saved model is missing, corrupt, of another algorithm, or of an unknown format version."""


class UnknownAlgorithmError(RecommendError):
    """No algorithm is registered under the requested name."""
