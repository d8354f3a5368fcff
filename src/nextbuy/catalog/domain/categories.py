"""Category paths: a list of segments (``["Home", "Kitchen"]``) stored as ``"Home/Kitchen"``.

A prefix filter matches whole segments only: ``Home/Kit`` must not match ``Home/Kitchen``.
"""

from __future__ import annotations

from collections.abc import Sequence

SEPARATOR = "/"
MAX_SEGMENT_LENGTH = 100


def segment_problem(segment: str) -> str | None:
    """Why ``segment`` cannot be part of a category path, or None when it can."""
    if not segment:
        return "category segments must not be empty"
    if SEPARATOR in segment:
        return f"category segments must not contain {SEPARATOR!r}"
    if len(segment) > MAX_SEGMENT_LENGTH:
        return f"category segments are at most {MAX_SEGMENT_LENGTH} characters"
    return None


def join_category(segments: Sequence[str]) -> str:
    """The stored form of a category path; the empty path is the empty string."""
    return SEPARATOR.join(segments)


def split_category(stored: str) -> tuple[str, ...]:
    """The segments of a stored category path."""
    return tuple(stored.split(SEPARATOR)) if stored else ()


def parse_category_filter(text: str) -> tuple[str, ...]:
    """Parse a ``Home/Kitchen`` filter; surrounding slashes are tolerated, empty segments not.

    Raises ValueError naming the problem.
    """
    segments = tuple(part.strip() for part in text.strip().strip(SEPARATOR).split(SEPARATOR))
    if segments == ("",):
        return ()
    for segment in segments:
        problem = segment_problem(segment)
        if problem:
            raise ValueError(problem)
    return segments
