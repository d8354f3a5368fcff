"""A RabbitMQ node of the tests' own, so a kill test never touches the machine's shared broker.

It runs ``rabbitmq-server`` in the foreground as our child, in its own session, with its own
node name, AMQP and distribution ports, data and log directories under a temp dir: killing
it (SIGKILL to its process group, by the pid we started) is a real broker crash, and
restarting it on the same data directory is a real recovery.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from contextlib import closing
from pathlib import Path

import aio_pika  # noqa: F401  (fail early when the bus extra is missing)

SCRIPT_CANDIDATES = ("/usr/lib/rabbitmq/bin/rabbitmq-server",)
# Ports below Linux's ephemeral range (32768+), so no client socket can be squatting on them.
PORT_RANGE = (20000, 32000)
BOOT_TIMEOUT_S = 60.0


def rabbitmq_server_script() -> str | None:
    """The server start script, called directly (the /usr/sbin wrapper switches users)."""
    for candidate in SCRIPT_CANDIDATES:
        if os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("rabbitmq-server")


class RabbitNode:
    """One broker node: ``start``, ``wait_ready``, ``kill`` (SIGKILL), and start again."""

    def __init__(self, script: str, directory: Path) -> None:
        self._script = script
        self._dir = directory
        self.port, self.dist_port = _free_port_pair()
        self.name = f"nbtest{uuid.uuid4().hex[:6]}@localhost"
        self._process: subprocess.Popen[bytes] | None = None
        (directory / "home").mkdir(exist_ok=True)
        (directory / "rabbitmq.conf").write_text("loopback_users = none\n")
        (directory / "enabled_plugins").write_text("[].\n")
        (directory / "rabbitmq-env.conf").write_text("")

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        """Start the node in the background (see :meth:`wait_ready`)."""
        if self.running:
            return
        with (self._dir / "server.log").open("ab") as log:
            self._process = subprocess.Popen(
                [self._script],
                env=self._environment(),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own process group: the kill reaches beam.smp
            )

    def wait_ready(self, timeout_s: float = BOOT_TIMEOUT_S) -> bool:
        """Wait until the node accepts AMQP connections; False if it died or took too long."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if not self.running:
                return False
            if _accepts(self.port):
                # The AMQP listener opens before the node has recovered its queues; on a busy
                # machine publishes then time out for a while. "Back" means fully booted.
                return self._await_boot(max(1.0, deadline - time.monotonic()))
            time.sleep(0.1)
        return False

    def _await_boot(self, timeout_s: float) -> bool:
        ctl = Path(self._script).with_name("rabbitmqctl")
        if not ctl.exists():
            ctl = Path(shutil.which("rabbitmqctl") or "rabbitmqctl")
        try:
            done = subprocess.run(
                [str(ctl), "-n", self.name, "await_startup", "--timeout", str(int(timeout_s))],
                env=self._environment(),
                capture_output=True,
                timeout=timeout_s + 15,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            return False
        return done.returncode == 0

    def restart_gracefully(self, timeout_s: float = BOOT_TIMEOUT_S) -> bool:
        """Stop the node cleanly (SIGTERM), start it on the same data, wait until it is ready.

        A clean stop is what makes a just-declared quorum queue survive a later SIGKILL: the
        node registers each queue's Raft server in a DETS table that it does not sync at once.
        Killed a few seconds after the declare, a node (3.10 here) came back with the queue in
        its metadata but no Raft server to start for it ("pre init for 1 registered servers"
        with two queues; "leader not known" on every publish for minutes).
        """
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=timeout_s)
            self._wait_for_group_exit(process.pid)
        self.start()
        return self.wait_ready(timeout_s)

    def kill(self) -> None:
        """SIGKILL the node's process group (the group of the pid we started) and reap it."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        self._wait_for_group_exit(process.pid)

    @staticmethod
    def _wait_for_group_exit(group: int) -> None:
        # The script dies first; beam.smp (same group) may still hold the listener a moment,
        # and a restart must not mistake the dying node's socket for the new one.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                os.killpg(group, 0)
            except ProcessLookupError:
                return
            time.sleep(0.02)
        raise RuntimeError(f"RabbitMQ node group {group} did not exit")

    def describe(self) -> str:
        log = self._dir / "server.log"
        tail = log.read_text(errors="replace").splitlines()[-15:] if log.exists() else []
        return f"node {self.name} on port {self.port}; log tail:\n" + "\n".join(tail)

    def _environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("RABBITMQ_")}
        env.update(
            HOME=str(self._dir / "home"),  # its own Erlang cookie
            RABBITMQ_NODENAME=self.name,
            RABBITMQ_NODE_IP_ADDRESS="127.0.0.1",
            RABBITMQ_NODE_PORT=str(self.port),
            RABBITMQ_DIST_PORT=str(self.dist_port),
            RABBITMQ_MNESIA_BASE=str(self._dir / "mnesia"),
            RABBITMQ_LOG_BASE=str(self._dir / "log"),
            RABBITMQ_CONFIG_FILE=str(self._dir / "rabbitmq.conf"),
            RABBITMQ_ENABLED_PLUGINS_FILE=str(self._dir / "enabled_plugins"),
            RABBITMQ_CONF_ENV_FILE=str(self._dir / "rabbitmq-env.conf"),
            RABBITMQ_PID_FILE=str(self._dir / "rabbit.pid"),
        )
        return env


def _accepts(port: int) -> bool:
    """True once the AMQP listener answers (a TCP connect is enough: it opens last at boot)."""
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _free_port_pair() -> tuple[int, int]:
    """Two free adjacent ports in :data:`PORT_RANGE` (AMQP, then Erlang distribution)."""
    rng = uuid.uuid4().int
    span = PORT_RANGE[1] - PORT_RANGE[0]
    for attempt in range(200):
        port = PORT_RANGE[0] + (rng + attempt * 7919) % span
        if _bindable(port) and _bindable(port + 1):
            return port, port + 1
    raise RuntimeError("no free port pair for a RabbitMQ node")


def _bindable(port: int) -> bool:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True
