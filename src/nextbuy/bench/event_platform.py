"""The platform an event benchmark runs against: ``nextbuy up`` in a temporary home."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

SERVICES = ("engine", "profiles", "catalog", "orders", "inventory")
START_TIMEOUT_S = 180.0


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RunningPlatform:
    process: subprocess.Popen[str]
    ports: dict[str, int]
    demo_user: str
    output: list[str] = field(default_factory=list)

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def stop(self) -> None:
        """SIGTERM (nextbuy up stops its children), then SIGKILL if it lingers."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start_platform(home: Path, *, engine_bus_url: str = "") -> RunningPlatform:
    """Start every service with the demo shop; the engine also consumes ``engine_bus_url``."""
    ports = {name: free_port() for name in SERVICES}
    env = dict(os.environ, NEXTBUY_HOME=str(home), NEXTBUY_TRAIN_EVERY="0", COLUMNS="200")
    env.update({f"NEXTBUY_{name.upper()}__PORT": str(port) for name, port in ports.items()})
    env["NEXTBUY_ENGINE__LOG_LEVEL"] = "WARNING"
    if engine_bus_url:
        env["NEXTBUY_ENGINE__BUS_URL"] = engine_bus_url
    process = subprocess.Popen(
        [sys.executable, "-m", "nextbuy", "up", "--no-gateway"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []
    threading.Thread(target=_pump, args=(process, output), daemon=True).start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while not any("Nextbuy is up" in line for line in output):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("nextbuy up did not come up:\n" + "".join(output[-40:]))
        time.sleep(0.2)
    match = re.search(r"user_id=([A-Za-z0-9]+)", "".join(output))
    return RunningPlatform(process, ports, match.group(1) if match else "u0001", output)


def _pump(process: subprocess.Popen[str], lines: list[str]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        lines.append(line)
