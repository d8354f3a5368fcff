"""Seeding and verifying against the real services, each a process on SQLite.

One small generated shop (every table, events of every kind) goes in, first with the engine
down: that run fails, and the next resumes where it stopped. ``verify`` must then find all of
it, and a second full run must change nothing. One story, so the services start once.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nextbuy.cli.main import app
from nextbuy.data.format import Dataset, read_dataset
from nextbuy.data.generator import GeneratorConfig, generate
from nextbuy.data.seed_checkpoint import Checkpoint
from nextbuy.data.seed_dataset import LAYOUT, seed_dataset
from nextbuy.data.seed_events import engine_events
from nextbuy.data.seeding import SeedReport, ServiceUrls
from nextbuy.data.verify import verify_dataset
from tests.data.service_processes import running_services
from tests.support.servers import free_port

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceUrls]:
    with running_services(tmp_path_factory.mktemp("home")) as urls:
        yield urls


def _shop(folder: Path, seed: int) -> Dataset:
    generate(GeneratorConfig(users=60, products=40, days=14, seed=seed), folder)
    return read_dataset(folder)


def _seed(dataset: Dataset, urls: ServiceUrls, log: Path) -> SeedReport:
    checkpoint = Checkpoint.open(log, layout=LAYOUT)
    events = engine_events(dataset)
    return asyncio.run(seed_dataset(dataset, urls, checkpoint, lambda _k, _n: None, events=events))


def _statuses(report: SeedReport, status: str) -> dict[str, int]:
    return {kind: counts[status] for kind, counts in report.counts.items()}


def test_an_interrupted_seed_resumes_verifies_and_a_second_run_changes_nothing(
    services: ServiceUrls, tmp_path: Path
) -> None:
    folder, log = tmp_path / "shop", tmp_path / "seed.log"
    dataset = _shop(folder, seed=11)
    counts, sendable = dataset.counts(), engine_events(dataset)
    engine_down = dataclasses.replace(services, engine=f"http://127.0.0.1:{free_port()}")

    with pytest.raises(OSError, match="Cannot connect"):
        _seed(dataset, engine_down, log)
    assert Checkpoint.open(log, layout=LAYOUT).done["products"] == {0}

    resumed = _seed(dataset, services, log)
    assert _statuses(resumed, "skipped")["products"] == counts["products"]
    assert _statuses(resumed, "skipped")["users"] == counts["users"]
    assert _statuses(resumed, "created")["events"] == sendable.count == counts["events"]
    assert _statuses(resumed, "rejected")["events"] == 0
    stored = {k: c["created"] + c["skipped"] + c["unchanged"] for k, c in resumed.counts.items()}
    assert stored["orders"] == counts["orders"]
    assert stored["stock"] == counts["inventory"]
    assert not log.exists()  # a finished run leaves no checkpoint

    urls = [f"--{name}-url={url}" for name, url in dataclasses.asdict(services).items()]
    result = CliRunner().invoke(app, ["data", "verify", str(folder), *urls, "--events"])
    assert result.exit_code == 0, result.output
    assert "MISMATCH" not in result.output

    second = _seed(dataset, services, log)
    for kind, by_status in second.counts.items():
        assert by_status["unchanged"] == sum(resumed.counts[kind].values()), kind
    checks = asyncio.run(verify_dataset(dataset, services, events=sendable))
    assert {c.kind for c in checks} >= {"products", "stock", "users", "orders", "events (engine)"}
    assert all(check.ok for check in checks), checks
