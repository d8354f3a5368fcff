"""nextbuy train, the model registry, and engines swapping to a new version without a restart."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from nextbuy.cli.main import app as cli
from nextbuy.contracts.engine import InteractionEvent
from nextbuy.core.sql import create_database_engine
from nextbuy.engine.app import create_app, migrate
from nextbuy.engine.domain.ports import StockLevel
from nextbuy.engine.settings import EngineSettings, models_path
from nextbuy.engine.storage.event_log import EventLog
from nextbuy.engine.storage.model_registry import ModelRegistry, ModelRegistryError
from nextbuy.engine.training.watcher import load_trained
from tests.engine.unit.builders import make_product
from tests.support.servers import free_port

runner = CliRunner()
KITCHEN = ["kettle", "teapot", "mug", "cups"]
LIGHTING = ["lamp", "bulb", "shade", "switch"]


def record_events(settings: EngineSettings) -> None:
    """Kitchen people and lighting people: a planted structure a trained model must find."""
    migrate(settings)
    now = datetime(2026, 6, 1, tzinfo=UTC)
    events = []
    for user in range(40):
        group = KITCHEN if user % 2 == 0 else LIGHTING
        for i, product in enumerate(group):
            if (user // 2) % 4 != i:  # each user skips one item, a different one per user
                events.append(
                    InteractionEvent(
                        event_id=f"e{user}-{product}",
                        type="purchase",
                        user_id=f"u{user}",
                        product_id=product,
                        timestamp=now,
                    )
                )
    engine = create_database_engine(settings.database_url.get_secret_value())
    try:
        EventLog(engine).append(events)
    finally:
        engine.dispose()


def train(*extra: str) -> str:
    result = runner.invoke(cli, ["train", "--no-services", *extra], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "published model version" in result.output
    return result.output


def test_train_publishes_a_version_that_ranks_the_planted_structure(nextbuy_home: Path) -> None:
    settings = EngineSettings()
    record_events(settings)
    train("--algorithms", "popularity,item-knn", "--serving", "item-knn")
    registry = ModelRegistry(models_path(settings))
    version = registry.current()
    assert version is not None
    manifest = registry.get(version)
    assert manifest.algorithms == ("item-knn", "popularity")
    assert manifest.details["users"] == 40
    model = load_trained(registry, version)
    similar = [product for product, _ in model.similar("kettle")]
    assert set(similar[:3]) == {"teapot", "mug", "cups"}
    scores = model.co_purchase_scores(["lamp"])
    top = model.top_scored(scores, 3, exclude=["lamp"])
    assert {product for product, _ in top} == {"bulb", "shade", "switch"}
    assert model.strongest_seeds(["bulb", "mug"], ["kettle", "lamp"]) == {
        "bulb": "lamp",
        "mug": "kettle",
    }


def test_models_list_and_rollback(nextbuy_home: Path) -> None:
    record_events(EngineSettings())
    train("--algorithms", "popularity,item-knn", "--serving", "item-knn")
    registry = ModelRegistry(models_path(EngineSettings()))
    first = registry.current()
    train("--algorithms", "popularity,item-knn", "--serving", "item-knn")
    second = registry.current()
    assert first is not None
    assert second is not None
    assert first != second
    listing = runner.invoke(cli, ["models", "list"], env={"COLUMNS": "200"})
    assert listing.exit_code == 0
    assert first in listing.output
    assert second in listing.output
    assert runner.invoke(cli, ["models", "rollback", str(first)]).exit_code == 0
    assert registry.current() == first
    refused = runner.invoke(cli, ["models", "rollback", "no-such-version"])
    assert refused.exit_code == 1
    with pytest.raises(ModelRegistryError):
        registry.publish("no-such-version")


def test_training_with_nothing_to_learn_fails_clearly(nextbuy_home: Path) -> None:
    migrate(EngineSettings())
    result = runner.invoke(cli, ["train", "--no-services"])
    assert result.exit_code == 1
    assert "no interactions" in result.output


def test_a_running_engine_swaps_to_a_published_version_without_a_restart(
    nextbuy_home: Path,
) -> None:
    settings = EngineSettings(
        profiles_url=f"http://127.0.0.1:{free_port()}",
        catalog_url=f"http://127.0.0.1:{free_port()}",
        orders_url=f"http://127.0.0.1:{free_port()}",
        inventory_url=f"http://127.0.0.1:{free_port()}",
        log_format="text",
        refresh_interval_s=3600,
    )
    record_events(settings)
    with TestClient(create_app(settings)) as client:
        app_state = client.app.state  # type: ignore[attr-defined]
        app_state.read_model.apply_products(make_product(p) for p in KITCHEN + LIGHTING)
        app_state.read_model.apply_stock(StockLevel(p, 5) for p in KITCHEN + LIGHTING)
        train("--algorithms", "popularity,item-knn", "--serving", "item-knn")
        published = ModelRegistry(models_path(settings)).current()
        deadline = time.monotonic() + 10
        body: dict[str, object] = {}
        while time.monotonic() < deadline:
            body = client.get("/v1/products/kettle/similar", params={"k": 3}).json()
            if body.get("model_version") == published:
                break
            time.sleep(0.1)
        assert body.get("model_version") == published
        items = body["items"]
        assert isinstance(items, list)
        assert {item["product_id"] for item in items} == {"teapot", "mug", "cups"}
