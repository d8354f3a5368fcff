"""Small columnar building blocks: growable typed arrays, a string buffer, text codes."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt


class GrowableArray:
    """A typed numpy array that doubles its capacity as rows are appended."""

    def __init__(self, dtype: Any, capacity: int = 1024) -> None:
        self._data: npt.NDArray[Any] = np.zeros(max(capacity, 16), dtype=dtype)
        self._length = 0

    @property
    def values(self) -> npt.NDArray[Any]:
        """A view of the used rows (writes through to the array)."""
        return self._data[: self._length]

    def at(self, row: int) -> Any:
        """One used row's value as a Python scalar (no view, no numpy scalar on the way)."""
        return self._data.item(row)

    def append_default(self) -> None:
        if self._length == self._data.size:
            grown = np.zeros(self._data.size * 2, dtype=self._data.dtype)
            grown[: self._length] = self._data
            self._data = grown
        self._length += 1


class StringColumn:
    """Strings in one UTF-8 buffer with offsets: ~1 byte a character instead of ~50 a str.

    An update appends the new text and moves the row's offsets; the old bytes stay until
    :meth:`compact`, which the owner may call after many updates.
    """

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._start = GrowableArray(np.int64)
        self._end = GrowableArray(np.int64)

    def append(self, text: str) -> None:
        self._start.append_default()
        self._end.append_default()
        self.set(len(self._start.values) - 1, text)

    def set(self, row: int, text: str) -> None:
        encoded = text.encode()
        self._start.values[row] = len(self._buffer)
        self._buffer.extend(encoded)
        self._end.values[row] = len(self._buffer)

    def get(self, row: int) -> str:
        return self._buffer[self._start.at(row) : self._end.at(row)].decode()

    @property
    def nbytes(self) -> int:
        return len(self._buffer) + self._start.values.nbytes + self._end.values.nbytes


class TextCodes:
    """Interns a small vocabulary (categories, currencies) as integer codes."""

    def __init__(self) -> None:
        self._codes: dict[str, int] = {}
        self._texts: list[str] = []

    def code(self, text: str) -> int:
        code = self._codes.get(text)
        if code is None:
            code = self._codes[text] = len(self._texts)
            self._texts.append(text)
        return code

    @property
    def texts(self) -> list[str]:
        """Every text, at the index of its code (read-only by convention)."""
        return self._texts

    def text(self, code: int) -> str:
        return self._texts[code] if 0 <= code < len(self._texts) else ""
