"""Real servers for tests: PostgreSQL databases made per test, and the CI-or-skip rule.

A test that needs a server it cannot reach is skipped with the reason on a laptop, and fails
when ``CI=true``: CI must never go green by skipping what it was meant to check.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager

import pytest

POSTGRES_HOST = os.environ.get("NEXTBUY_TEST_POSTGRES_HOST", "127.0.0.1")
POSTGRES_PORT = int(os.environ.get("NEXTBUY_TEST_POSTGRES_PORT", "5432"))
POSTGRES_USER = os.environ.get("NEXTBUY_TEST_POSTGRES_USER", "postgres")


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_server(name: str, reachable: bool, how: str) -> None:
    """Skip (laptop) or fail (CI) when a server a test needs is not reachable."""
    if reachable:
        return
    message = f"{name} is not reachable ({how})"
    if in_ci():
        pytest.fail(f"{message}; it is required when CI=true")
    pytest.skip(message)


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.settimeout(timeout)
        return sock.connect_ex((host, port)) == 0


def free_port() -> int:
    """A TCP port nobody listens on right now (the OS picks it)."""
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def postgres_admin_url(database: str = "postgres") -> str:
    return f"postgresql://{POSTGRES_USER}@{POSTGRES_HOST}:{POSTGRES_PORT}/{database}"


@contextmanager
def fresh_postgres_database(prefix: str = "nextbuy_test") -> Iterator[str]:
    """Create an empty PostgreSQL database, yield its URL, and drop it afterwards."""
    require_server(
        "PostgreSQL",
        port_open(POSTGRES_HOST, POSTGRES_PORT),
        f"{POSTGRES_HOST}:{POSTGRES_PORT}",
    )
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(postgres_admin_url(), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield postgres_admin_url(name)
    finally:
        with psycopg.connect(postgres_admin_url(), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
