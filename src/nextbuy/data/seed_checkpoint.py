"""Which batches of a seed were accepted, so an interrupted ``nextbuy data seed`` resumes.

The file is a log with one ``{"kind", "batch"}`` line appended per accepted batch: a mark
costs one small write however many batches a dataset has (rewriting a whole JSON set per
batch grew quadratically with 20,000 event batches), and a line cut short by a crash is
ignored. The first line names the batch layout; a log written with another layout (other
batch sizes) is ignored, which is safe because every call is an idempotent upsert anyway.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO


@dataclass
class Checkpoint:
    """Batches already accepted, per kind of record; each mark is appended to ``path``."""

    path: Path | None  # None: kept in memory only, for a run with nothing to resume
    layout: str = ""
    done: dict[str, set[int]] = field(default_factory=dict)
    _log: IO[str] | None = field(default=None, repr=False)

    @classmethod
    def open(cls, path: Path, *, layout: str = "") -> Checkpoint:
        """Read what an earlier run of the same layout finished; start afresh otherwise."""
        checkpoint = cls(path, layout)
        if path.is_file():
            lines = path.read_text(encoding="utf-8").splitlines()
            if lines and _parse(lines[0]).get("layout") == layout:
                for line in lines[1:]:
                    entry = _parse(line)
                    kind, batch = entry.get("kind"), entry.get("batch")
                    if isinstance(kind, str) and isinstance(batch, int):
                        checkpoint.done.setdefault(kind, set()).add(batch)
        return checkpoint

    def is_done(self, kind: str, batch: int) -> bool:
        return batch in self.done.get(kind, ())

    def mark(self, kind: str, batch: int) -> None:
        self.done.setdefault(kind, set()).add(batch)
        if self.path is None:
            return
        log = self._open_log(self.path)
        log.write(json.dumps({"kind": kind, "batch": batch}) + "\n")
        # Flushed, not fsynced: a crash of this process loses nothing; a crash of the machine
        # may lose the last marks, and those batches are merely sent again.
        log.flush()

    def close(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

    def finish(self) -> None:
        """Everything was sent: the next run starts from the beginning (and changes nothing)."""
        self.close()
        if self.path is not None:
            self.path.unlink(missing_ok=True)

    def _open_log(self, path: Path) -> IO[str]:
        if self._log is None:
            path.parent.mkdir(parents=True, exist_ok=True)
            resuming = self._same_layout_on_disk(path)
            self._log = path.open("a" if resuming else "w", encoding="utf-8")
            # After a crash the last line may lack its newline: start on a fresh line.
            self._log.write("\n" if resuming else json.dumps({"layout": self.layout}) + "\n")
        return self._log

    def _same_layout_on_disk(self, path: Path) -> bool:
        try:
            with path.open(encoding="utf-8") as existing:
                return _parse(existing.readline()).get("layout") == self.layout
        except OSError:
            return False


def _parse(line: str) -> dict[str, object]:
    try:
        value = json.loads(line)
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}
