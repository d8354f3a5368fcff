"""Brokers for the bus tests: the machine's shared RabbitMQ, and a node of our own to kill.

Every test on the shared broker gets its own exchange name and deletes everything it
declared, so tests (and engineers) sharing that broker never see each other's messages.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from nextbuy.bus.rabbitmq import Topology
from tests.bus.rabbit_node import RabbitNode, rabbitmq_server_script
from tests.support.servers import port_open, require_server

RABBITMQ_HOST = os.environ.get("NEXTBUY_TEST_RABBITMQ_HOST", "127.0.0.1")
RABBITMQ_PORT = int(os.environ.get("NEXTBUY_TEST_RABBITMQ_PORT", "5672"))


@dataclass
class BrokerNames:
    """A test's exchange and the consumer groups it declared under it (deleted afterwards)."""

    url: str
    exchange: str
    groups: list[str] = field(default_factory=list)

    def group(self, name: str = "g") -> str:
        self.groups.append(name)
        return name

    @property
    def topology(self) -> Topology:
        return Topology(self.exchange)


@pytest.fixture
def rabbitmq_url() -> str:
    require_server(
        "RabbitMQ", port_open(RABBITMQ_HOST, RABBITMQ_PORT), f"{RABBITMQ_HOST}:{RABBITMQ_PORT}"
    )
    return f"amqp://guest:guest@{RABBITMQ_HOST}:{RABBITMQ_PORT}/"


@pytest.fixture
def broker(rabbitmq_url: str) -> Iterator[BrokerNames]:
    """Unique names on the shared broker; every queue and exchange is deleted afterwards."""
    names = BrokerNames(rabbitmq_url, f"nbtest.{uuid.uuid4().hex[:10]}")
    yield names
    asyncio.run(delete_topology(names))


@pytest.fixture(scope="session")
def own_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RabbitNode]:
    """A RabbitMQ node of our own (own ports, data and logs) that tests may SIGKILL."""
    script = rabbitmq_server_script()
    require_server("rabbitmq-server", script is not None, "no rabbitmq-server script to start")
    assert script is not None
    node = RabbitNode(script, tmp_path_factory.mktemp("rabbit"))
    try:
        node.start()
        require_server("our own RabbitMQ node", node.wait_ready(), node.describe())
        yield node
    finally:
        node.kill()


@pytest.fixture
def own_broker(own_node: RabbitNode) -> Iterator[BrokerNames]:
    """Unique names on our own node, which a test may kill and restart."""
    if not own_node.running:
        own_node.start()
        assert own_node.wait_ready(), own_node.describe()
    names = BrokerNames(own_node.url, f"nbtest.{uuid.uuid4().hex[:10]}")
    yield names
    if own_node.running:
        asyncio.run(delete_topology(names))


async def delete_topology(names: BrokerNames) -> None:
    import aio_pika

    async with await aio_pika.connect(names.url, timeout=10) as connection:
        channel = await connection.channel()
        for group in names.groups:
            await channel.queue_delete(names.topology.queue(group))
            await channel.queue_delete(names.topology.dead_letters(group))
            await channel.exchange_delete(names.topology.dead_letters(group))
        await channel.exchange_delete(names.exchange)
