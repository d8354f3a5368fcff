"""The five services as real child processes on SQLite, for the seeding tests.

Each gets a free port and the data home of the test; they are migrated once, started side by
side, and stopped by pid (never by name) when the module's tests are done.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from nextbuy.data.seeding import ServiceUrls
from tests.support.servers import free_port

SERVICES = ("profiles", "catalog", "orders", "inventory", "engine")
READY_TIMEOUT_S = 60.0


@contextmanager
def running_services(home: Path) -> Iterator[ServiceUrls]:
    """Migrate and start every service under ``home``; yield their URLs; stop them."""
    ports = {name: free_port() for name in SERVICES}
    env = _environment(home, ports)
    subprocess.run(
        [sys.executable, "-m", "nextbuy", "migrate"],
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    logs = home / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    children: list[subprocess.Popen[bytes]] = []
    try:
        for name in SERVICES:
            with (logs / f"{name}.log").open("wb") as log:
                children.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "nextbuy", "serve", name],
                        env=env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )
        urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
        for name, url in urls.items():
            _wait_ready(name, f"{url}/readyz", logs / f"{name}.log")
        yield ServiceUrls(**urls)
    finally:
        for child in children:
            child.terminate()
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def _environment(home: Path, ports: dict[str, int]) -> dict[str, str]:
    env = dict(os.environ)
    env["NEXTBUY_HOME"] = str(home)
    for name, port in ports.items():
        env[f"NEXTBUY_{name.upper()}__PORT"] = str(port)
        env[f"NEXTBUY_{name.upper()}__LOG_LEVEL"] = "WARNING"
        env.pop(f"NEXTBUY_{name.upper()}__DATABASE_URL", None)  # SQLite under the home
        env.pop(f"NEXTBUY_{name.upper()}__BUS_URL", None)
        if name != "engine":
            env[f"NEXTBUY_ENGINE__{name.upper()}_URL"] = f"http://127.0.0.1:{port}"
    return env


def _wait_ready(name: str, url: str, log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
    raise RuntimeError(f"{name} not ready after {READY_TIMEOUT_S:.0f} s:\n{tail}")
