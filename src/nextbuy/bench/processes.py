"""The bench's own processes: start, kill -9, SIGSTOP/SIGCONT and restart them, by pid only.

Every child runs in its own session (the CLI's supervisor), so a signal sent to its process group
reaches a gunicorn master and its workers together and nothing else on the machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from nextbuy.cli.supervisor import ManagedProcess, Supervisor

READY_TIMEOUT_S = 90.0


class BenchProcessError(RuntimeError):
    """A process the bench needs did not start, or died; the message names its log."""


def free_port() -> int:
    """A TCP port nobody listens on right now (the OS picks it)."""
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class _Child:
    argv: list[str]
    env: dict[str, str]
    ready_url: str | None
    managed: ManagedProcess


class ProcessSet:
    """Named child processes that can be signalled and restarted with the same command."""

    def __init__(self, log_dir: Path) -> None:
        self.supervisor = Supervisor(log_dir)
        self.children: dict[str, _Child] = {}

    def start(
        self, name: str, argv: list[str], env: dict[str, str], *, ready_url: str | None = None
    ) -> None:
        managed = self.supervisor.start(name, argv, env)
        self.children[name] = _Child(argv, env, ready_url, managed)

    def run_all_once(self, steps: dict[str, list[str]], env: dict[str, str]) -> None:
        """Run one-off steps (migrations) side by side to their end; fail with a failed log."""
        started = [self.supervisor.start(name, argv, env) for name, argv in steps.items()]
        for done in started:
            if done.process.wait() != 0:
                raise BenchProcessError(
                    f"{done.name} failed; see {done.log_path}:\n{done.log_tail()}"
                )

    def pid(self, name: str) -> int:
        return self.children[name].managed.process.pid

    def cpu_seconds(self) -> float | None:
        """CPU time used so far by every child still running (None: no /proc to read it from)."""
        if not Path("/proc/self/stat").exists():
            return None
        total, ticks = 0.0, os.sysconf("SC_CLK_TCK")
        for child in self.children.values():
            if child.managed.process.poll() is not None:
                continue
            try:
                stat = Path(f"/proc/{child.managed.process.pid}/stat").read_text()
            except OSError:
                continue  # it has just exited
            # Fields after the command's closing parenthesis: utime and stime are 12th and 13th.
            fields = stat.rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
        return total

    def send_signal(self, name: str, signum: signal.Signals) -> None:
        """Send ``signum`` to the child's whole process group (its session)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid(name), signum)

    def kill(self, name: str) -> None:
        """``kill -9``: no clean-up, open connections die with it."""
        self.send_signal(name, signal.SIGKILL)
        self.children[name].managed.process.wait(timeout=10)

    def terminate(self, name: str, timeout_s: float = 10.0) -> None:
        """Stop cleanly (SIGTERM), SIGKILL after ``timeout_s``."""
        process = self.children[name].managed.process
        self.send_signal(name, signal.SIGCONT)
        self.send_signal(name, signal.SIGTERM)
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.kill(name)

    def restart(self, name: str) -> None:
        child = self.children[name]
        if child.managed.exited() is None:
            self.terminate(name)
        self.start(name, child.argv, child.env, ready_url=child.ready_url)

    async def wait_ready(self, *names: str, timeout_s: float = READY_TIMEOUT_S) -> None:
        """Poll each child's readiness URL until it answers 200; fail fast if it exits."""
        deadline = time.monotonic() + timeout_s
        timeout = aiohttp.ClientTimeout(total=2)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            for name in names:
                child = self.children[name]
                while child.ready_url and not await _answers_200(session, child.ready_url):
                    self._fail_if_exited(name)
                    if time.monotonic() > deadline:
                        raise BenchProcessError(f"{name} not ready after {timeout_s:.0f} s")
                    await asyncio.sleep(0.1)

    def _fail_if_exited(self, name: str) -> None:
        managed = self.children[name].managed
        if managed.exited() is not None:
            raise BenchProcessError(
                f"{name} exited with {managed.exited()}; "
                f"see {managed.log_path}:\n{managed.log_tail()}"
            )

    def stop_all(self) -> None:
        """Resume anything paused, then stop every child this set started."""
        for name in self.children:
            self.send_signal(name, signal.SIGCONT)
        self.supervisor.stop_all()


async def _answers_200(session: aiohttp.ClientSession, url: str) -> bool:
    try:
        async with session.get(url) as response:
            return response.status == 200
    except (aiohttp.ClientError, TimeoutError):
        return False
