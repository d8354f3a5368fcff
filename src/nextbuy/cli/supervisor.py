"""Runs the platform's processes on one machine and stops exactly those, cleanly."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class ManagedProcess:
    name: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def exited(self) -> int | None:
        return self.process.poll()

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


class Supervisor:
    """Starts child processes (each in its own session, logging to a file) and stops them."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.children: list[ManagedProcess] = []
        self.steps: list[subprocess.Popen[bytes]] = []
        log_dir.mkdir(parents=True, exist_ok=True)

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> ManagedProcess:
        log_path = self.log_dir / f"{name}.log"
        with log_path.open("ab") as log:
            # Own session: a Ctrl-C in the terminal reaches only the supervisor, which then
            # stops the children in order instead of all of them dying at once.
            process = subprocess.Popen(
                argv,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        child = ManagedProcess(name, process, log_path)
        self.children.append(child)
        return child

    def run_to_completion(self, name: str, argv: list[str], env: dict[str, str]) -> ManagedProcess:
        """Run a one-off step (like migrations) to its end; it is not a supervised child."""
        log_path = self.log_dir / f"{name}.log"
        with log_path.open("ab") as log:
            process = subprocess.Popen(
                argv, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
            process.wait()
        return ManagedProcess(name, process, log_path)

    def start_step(
        self, name: str, argv: list[str], env: dict[str, str]
    ) -> subprocess.Popen[bytes]:
        """Start a one-off step in the background (it is not a supervised child)."""
        with (self.log_dir / f"{name}.log").open("ab") as log:
            step = subprocess.Popen(
                argv, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        self.steps.append(step)
        return step

    def first_exited(self) -> ManagedProcess | None:
        return next((c for c in self.children if c.exited() is not None), None)

    def stop_all(self, timeout_s: float = 10.0) -> None:
        """SIGTERM in reverse start order, then SIGKILL whatever is still running."""
        for step in self.steps:
            if step.poll() is None:
                step.terminate()
        for child in reversed(self.children):
            if child.exited() is None:
                with contextlib.suppress(ProcessLookupError):
                    child.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        for child in self.children:
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.process.pid, signal.SIGKILL)
                child.process.wait(timeout=5)


def nextbuy_command(*args: str) -> list[str]:
    """Run the ``nextbuy`` CLI with the same interpreter as this one."""
    return [sys.executable, "-m", "nextbuy", *args]


class StopRequestedError(Exception):
    """Raised in the main thread when SIGTERM arrives, to unwind into the clean shutdown."""


def raise_on_sigterm() -> None:
    def handler(_signum: int, _frame: object) -> None:
        raise StopRequestedError

    signal.signal(signal.SIGTERM, handler)
