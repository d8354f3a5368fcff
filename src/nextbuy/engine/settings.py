"""Engine settings: where the upstreams are, how long to wait, how stale each source may be."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field, SecretStr, field_validator

from nextbuy.bus.settings import validate_bus_url
from nextbuy.core.settings import DatabaseServiceSettings, nextbuy_home, service_settings_config

HOUR = 3600.0
DAY = 24 * HOUR


class EngineSettings(DatabaseServiceSettings):
    service_name: ClassVar[str] = "engine"
    default_port: ClassVar[int] = 8000
    model_config = service_settings_config("engine")

    profiles_url: str = "http://127.0.0.1:8001"
    catalog_url: str = "http://127.0.0.1:8002"
    orders_url: str = "http://127.0.0.1:8003"
    inventory_url: str = "http://127.0.0.1:8004"

    data_plane: Literal["optimized", "naive"] = "optimized"
    """``naive`` keeps the sequential-REST baseline the benchmark compares against."""

    request_budget_ms: int = Field(default=180, ge=10, le=10_000)
    """The whole request's deadline (answers land inside a 200 ms budget with margin)."""
    upstream_timeout_ms: int = Field(default=1000, ge=1, le=60_000)
    """Per upstream call that fills a cache. Fills run detached from requests (a request waits
    only its own deadline, then answers degraded while the fill goes on and warms the cache),
    so a 500-order history that takes 150 ms is fetched once instead of timing out forever."""
    slow_call_ms: int = Field(default=500, ge=1, le=60_000)
    """A call slower than this counts toward the breaker's slow-call rate (50% opens it)."""
    fill_budget_ms: int = Field(default=2000, ge=10, le=60_000)
    """The whole budget of one cache fill, its one retry included."""
    bulkhead_limit: int = Field(default=10, ge=1, le=1000)
    hedging: bool = True
    upstream_max_body_bytes: int = Field(default=8 * 1024 * 1024, gt=0)

    redis_url: SecretStr = SecretStr("")
    """Shared L2 cache across engine replicas; empty keeps only the in-process L1."""
    redis_timeout_ms: int = Field(default=20, ge=1, le=5_000)
    """Past this a Redis call counts as a miss: a slow cache must not slow the answer."""
    l1_cache_mib: int = Field(default=64, ge=1, le=65_536)
    profile_ttl_s: float = Field(default=2 * HOUR, gt=0)
    profile_max_stale_s: float = Field(default=DAY, gt=0)
    orders_ttl_s: float = Field(default=DAY, gt=0)
    orders_max_stale_s: float = Field(default=3 * DAY, gt=0)
    catalogue_staleness_s: float = Field(default=600.0, gt=0)
    stock_staleness_s: float = Field(default=120.0, gt=0)

    answer_cache_entries: int = Field(default=10_000, ge=0, le=1_000_000)
    """Finished answers kept per process, each checked on every hit against everything it was
    computed from (docs/decisions/0019); 0 turns the cache off. ~2 KB each at k=10."""
    answer_cache_ttl_s: float = Field(default=60.0, gt=0)
    """An answer not asked for again within this long is dropped (memory, not correctness)."""
    precompute: bool = True
    """Keep candidates of recently active users precomputed in the background."""
    bus_url: SecretStr = SecretStr("")
    """Where service events come from: ``amqp://…`` or ``kafka://…`` consumes the ``engine``
    group on RabbitMQ or Kafka; empty means events arrive by webhook
    (``POST /v1/internal/events``) or not at all."""
    bus_prefetch: int = Field(default=300, ge=1, le=10_000)
    """Unacked RabbitMQ messages (or Kafka records per poll) in flight, and the largest batch
    the consumer applies at once. 300 measured ~1.7–2.3k events/s and ~140 µs CPU/event in
    process against ~1.0k/s and ~220 µs one message at a time (RabbitMQ); a killed engine has
    at most this many redelivered."""
    models_dir: str = ""
    """Where ``nextbuy train`` writes versioned models; empty is ``$NEXTBUY_HOME/engine/models``."""
    train_algorithms: list[str] = Field(default_factory=lambda: ["popularity", "als", "hybrid"])
    serving_algorithm: str = "hybrid"
    """The best measured on MovieLens 100k (NDCG@10 0.488, docs/benchmarks.md)."""
    refresh_interval_s: float = Field(default=5.0, gt=0)
    """How often the catalogue and stock change feeds are polled (their events come first)."""
    orders_poll_interval_s: float = Field(default=1.0, gt=0)
    """How often the orders feed is polled. With ``purchases_from_feed`` answers read purchases
    from it, so this bounds how soon a dead Order History service is named in answers (S2:
    within a second) and how stale an order without an event can be."""
    purchases_from_feed: bool = True
    """Answer "what has this user bought" from the followed orders feed (ADR 0024) instead of a
    call to the Order History service per new user; the call remains until the feed is read."""
    neighbours_per_item: int = Field(default=50, ge=1, le=500)
    trending_half_life_s: float = Field(default=3600.0, gt=0)
    """How fast ``/v1/trending`` forgets: an event this old counts half as much as a new one."""
    consumable_categories: list[str] = Field(default_factory=list, max_length=100)
    """Category path prefixes bought again and again (``["Grocery", "Beauty"]``): a past
    purchase under one is recommended again instead of hidden. Empty: every purchase hidden."""

    @field_validator("bus_url")
    @classmethod
    def _known_bus_scheme(cls, value: SecretStr) -> SecretStr:
        # A typo must stop start-up, not leave the engine silently deaf to service events.
        validate_bus_url(value.get_secret_value())
        return value


def models_path(settings: EngineSettings) -> Path:
    """The model registry folder of these settings."""
    return (
        Path(settings.models_dir) if settings.models_dir else nextbuy_home() / "engine" / "models"
    )
