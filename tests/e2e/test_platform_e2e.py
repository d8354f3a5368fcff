"""End to end: ``nextbuy up`` runs every service as a real process, seeds the demo shop through
the APIs, and the gateway serves recommendations of products that exist in the catalogue.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from nextbuy.bench.event_bench import run_event_bench
from nextbuy.bench.event_platform import RunningPlatform as EventBenchPlatform
from nextbuy.cli.gateway import find_nginx
from tests.support.servers import free_port, port_open

pytestmark = pytest.mark.e2e

SERVICES = ("engine", "profiles", "catalog", "orders", "inventory")
START_TIMEOUT_S = 150


@dataclass
class RunningPlatform:
    process: subprocess.Popen[str]
    ports: dict[str, int]
    gateway_url: str | None
    demo_user: str
    output: list[str] = field(default_factory=list)

    def url(self, service: str) -> str:
        if self.gateway_url:
            return f"{self.gateway_url}/api/{service}"
        return f"http://127.0.0.1:{self.ports[service]}"


def _pump(stream: Iterable[str], lines: list[str]) -> None:
    for line in stream:
        lines.append(line)


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    home = tmp_path_factory.mktemp("platform")
    ports = {name: free_port() for name in SERVICES}
    gateway_port = free_port()
    env = dict(
        os.environ,
        NEXTBUY_HOME=str(home),
        NEXTBUY_GATEWAY_PORT=str(gateway_port),
        # Low enough that a burst of 60 parallel requests must be limited.
        NEXTBUY_GATEWAY_RATE_LIMIT="20",
        NEXTBUY_GATEWAY_BURST="20",
        NEXTBUY_TRAIN_EVERY="3",  # exercise scheduled retraining within the test's lifetime
        COLUMNS="200",
    )
    env.update({f"NEXTBUY_{name.upper()}__PORT": str(port) for name, port in ports.items()})
    process = subprocess.Popen(
        [sys.executable, "-m", "nextbuy", "up"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []
    threading.Thread(target=_pump, args=(process.stdout, output), daemon=True).start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while not any("Nextbuy is up" in line for line in output):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail("nextbuy up did not come up:\n" + "".join(output[-60:]))
        time.sleep(0.2)
    match = re.search(r"user_id=([A-Za-z0-9]+)", "".join(output))
    assert match, "".join(output)
    gateway = f"http://127.0.0.1:{gateway_port}" if find_nginx() else None
    running = RunningPlatform(process, ports, gateway, match.group(1), output)
    try:
        yield running
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def test_recommendations_through_the_gateway_exist_in_the_catalogue(
    platform: RunningPlatform,
) -> None:
    response = httpx.get(
        f"{platform.url('engine')}/v1/recommendations",
        params={"user_id": platform.demo_user, "k": 10},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["personalized"] is True
    assert body["degraded"] is False
    assert len(body["items"]) == 10
    ids = [item["product_id"] for item in body["items"]]
    assert len(set(ids)) == 10
    lookup = httpx.post(f"{platform.url('catalog')}/v1/products:lookup", json={"ids": ids})
    assert lookup.status_code == 200, lookup.text
    assert lookup.json()["missing"] == []
    catalogue = {p["id"]: p for p in lookup.json()["items"]}
    for item in body["items"]:
        assert catalogue[item["product_id"]]["title"] == item["title"]
        assert catalogue[item["product_id"]]["active"] is True


def test_recommended_products_are_in_stock_and_not_already_bought(
    platform: RunningPlatform,
) -> None:
    body = httpx.get(
        f"{platform.url('engine')}/v1/recommendations",
        params={"user_id": platform.demo_user, "k": 20},
    ).json()
    ids = [item["product_id"] for item in body["items"]]
    stock = httpx.post(f"{platform.url('inventory')}/v1/stock:lookup", json={"ids": ids}).json()
    assert all(level["available"] - level["reserved"] > 0 for level in stock["items"])
    orders = httpx.get(
        f"{platform.url('orders')}/v1/users/{platform.demo_user}/orders", params={"limit": 1000}
    ).json()
    bought = {line["product_id"] for order in orders["items"] for line in order["lines"]}
    assert bought, "the demo user has orders"
    assert not bought & set(ids)


def test_unknown_user_gets_popular_products(platform: RunningPlatform) -> None:
    response = httpx.get(
        f"{platform.url('engine')}/v1/recommendations", params={"user_id": "stranger", "k": 5}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["personalized"] is False
    assert len(body["items"]) == 5


def test_similar_products_and_bad_input_through_the_gateway(platform: RunningPlatform) -> None:
    listed = httpx.get(f"{platform.url('catalog')}/v1/products:export", params={"limit": 1})
    product = listed.json()["items"][0]["id"]  # the generated demo shop's first product
    similar = httpx.get(f"{platform.url('engine')}/v1/products/{product}/similar", params={"k": 5})
    assert similar.status_code == 200
    assert len(similar.json()["items"]) == 5
    assert httpx.get(f"{platform.url('engine')}/v1/products/nope/similar").status_code == 404
    bad = httpx.get(
        f"{platform.url('engine')}/v1/recommendations", params={"user_id": "u1", "k": 0}
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "query.k"


def test_gateway_refuses_oversized_bodies_with_json(platform: RunningPlatform) -> None:
    if platform.gateway_url is None:
        pytest.skip("nginx is not installed: no gateway to test")
    response = httpx.post(
        f"{platform.url('catalog')}/v1/products:lookup", content=b"x" * (2 * 1024 * 1024)
    )
    assert response.status_code == 413
    assert response.json()["type"] == "payload_too_large"


def test_gateway_rate_limits_a_burst_with_fast_json_429s(platform: RunningPlatform) -> None:
    if platform.gateway_url is None:
        pytest.skip("nginx is not installed: no gateway to test")

    async def burst() -> list[httpx.Response]:
        async with httpx.AsyncClient(timeout=5) as client:
            url = f"{platform.url('engine')}/healthz"
            return list(await asyncio.gather(*(client.get(url) for _ in range(60))))

    responses = asyncio.run(burst())
    limited = [r for r in responses if r.status_code == 429]
    assert limited, [r.status_code for r in responses]
    assert all(r.status_code in {200, 429} for r in responses)
    assert limited[0].json()["type"] == "rate_limited"
    assert limited[0].headers["Retry-After"] == "1"
    time.sleep(1.5)  # let the bucket refill for the tests after this one


def _poll_until(check: Callable[[], bool], timeout_s: float, every_s: float = 0.05) -> float:
    """Seconds until ``check`` held (polling every ``every_s``); fails after ``timeout_s``."""
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > timeout_s:
            pytest.fail(f"not visible within {timeout_s} s")
        time.sleep(every_s)
    return time.monotonic() - started


def _recommended(platform: RunningPlatform) -> list[str]:
    """The demo user's top 10 product ids, straight from the engine."""
    body = httpx.get(
        f"{platform.url('engine')}/v1/recommendations",
        params={"user_id": platform.demo_user, "k": 10},
    ).json()
    return [item["product_id"] for item in body["items"]]


def test_out_of_stock_disappears_from_recommendations_within_2_s(platform: RunningPlatform) -> None:
    victim = _recommended(platform)[0]
    adjust = {"adjustments": [{"product_id": victim, "set_available": 0, "set_reserved": 0}]}
    response = httpx.post(f"{platform.url('inventory')}/v1/stock:adjust", json=adjust)
    assert response.status_code == 200, response.text
    seconds = _poll_until(lambda: victim not in _recommended(platform), timeout_s=2.0)
    print(f"out-of-stock visible after {seconds * 1000:.0f} ms")


def test_a_product_just_bought_disappears_from_recommendations_within_2_s(
    platform: RunningPlatform,
) -> None:
    """The engine reads purchases from the orders it follows (ADR 0024): a new order must
    reach that index (by its event or the next feed poll) before it can be recommended again."""

    bought = _recommended(platform)[0]
    order = {
        "id": f"e2e-{bought}",
        "user_id": platform.demo_user,
        "lines": [{"product_id": bought, "quantity": 1, "unit_price": "9.90"}],
    }
    response = httpx.post(f"{platform.url('orders')}/v1/orders", json=order)
    assert response.status_code == 201, response.text
    seconds = _poll_until(lambda: bought not in _recommended(platform), timeout_s=2.0)
    print(f"a new purchase left the recommendations after {seconds * 1000:.0f} ms")


def test_a_new_product_reaches_the_engine_within_5_s(platform: RunningPlatform) -> None:
    new = {
        "id": "p-fresh-1",
        "sku": "SKU-FRESH-1",
        "title": "Fresh arrival",
        "category_path": ["Home", "Kitchen"],
        "price": "19.90",
    }
    response = httpx.post(f"{platform.url('catalog')}/v1/products", json=new)
    assert response.status_code == 201, response.text
    url = f"{platform.url('engine')}/v1/products/p-fresh-1/similar"
    seconds = _poll_until(lambda: httpx.get(url).status_code == 200, timeout_s=5.0)
    print(f"new product visible after {seconds * 1000:.0f} ms")


def test_scheduled_training_publishes_a_model_the_engine_serves(platform: RunningPlatform) -> None:
    def serving_version() -> str:
        body = httpx.get(
            f"{platform.url('engine')}/v1/recommendations",
            params={"user_id": platform.demo_user, "k": 10},
        ).json()
        assert len(body["items"]) == 10
        return str(body["model_version"])

    # The online model's versions start with "copurchase-"; trained ones are registry versions.
    # Polled slowly: the gateway in this test limits each client to 20 requests/s.
    seconds = _poll_until(
        lambda: not serving_version().startswith("copurchase-"), timeout_s=90, every_s=0.5
    )
    print(f"trained model serving after {seconds:.1f} s more")
    body = httpx.get(
        f"{platform.url('engine')}/v1/recommendations",
        params={"user_id": platform.demo_user, "k": 10},
    ).json()
    assert body["personalized"] is True


def test_event_bench_counts_every_event_once(platform: RunningPlatform) -> None:
    direct = EventBenchPlatform(platform.process, platform.ports, platform.demo_user)
    report = asyncio.run(
        run_event_bench(direct, events=3000, trials=5, broker_events=0, bus_url=None)
    )
    assert report.lost == 0
    assert report.duplicates_after_dedupe == 0
    assert report.resent > 0
    assert report.visible_p99_ms < 1000
    assert report.trending_p99_ms < 1000, report.notes
    assert report.stock_out_p99_ms < 2000, report.notes
    assert report.new_product_p99_ms < 5000, report.notes


def test_status_reports_every_service_ready(platform: RunningPlatform) -> None:
    env = dict(
        os.environ, **{f"NEXTBUY_{n.upper()}__PORT": str(p) for n, p in platform.ports.items()}
    )
    result = subprocess.run(
        [sys.executable, "-m", "nextbuy", "status", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count('"ready": "yes"') == len(SERVICES)


def test_sigterm_stops_every_process_it_started(platform: RunningPlatform) -> None:
    platform.process.send_signal(signal.SIGTERM)
    assert platform.process.wait(timeout=30) == 0, "".join(platform.output[-30:])
    deadline = time.monotonic() + 10
    while (
        any(port_open("127.0.0.1", p) for p in platform.ports.values())
        and time.monotonic() < deadline
    ):
        time.sleep(0.2)
    still_open = [name for name, p in platform.ports.items() if port_open("127.0.0.1", p)]
    assert still_open == []
    # Popen types args as a str, bytes or path, or a sequence of them; the fixture passed a
    # list of str, so its first item is the interpreter's path as a str.
    args = platform.process.args
    assert isinstance(args, list)
    executable = args[0]
    assert isinstance(executable, str)
    assert Path(executable).exists()
