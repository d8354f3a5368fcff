"""The engine's own Prometheus metrics: upstream calls, cache outcomes, degraded answers."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, ProcessCollector

from nextbuy.core.metrics import LATENCY_BUCKETS

GC_PAUSE_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1.0)


class EngineMetrics:
    """Registered on the app's own registry, next to the HTTP metrics."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.upstream_calls = Counter(
            "nextbuy_engine_upstream_calls_total",
            "Calls to upstream services, by source and outcome.",
            ["source", "outcome"],
            registry=registry,
        )
        self.upstream_latency = Histogram(
            "nextbuy_engine_upstream_call_seconds",
            "Duration of upstream calls, by source.",
            ["source"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.degraded = Counter(
            "nextbuy_engine_degraded_responses_total",
            "Answers given without one of their sources, by source.",
            ["source"],
            registry=registry,
        )
        self.breaker_open = Gauge(
            "nextbuy_engine_breaker_open",
            "1 while the circuit breaker of an upstream is open or half-open.",
            ["source"],
            registry=registry,
        )
        self.in_flight = Gauge(
            "nextbuy_engine_upstream_in_flight",
            "Upstream calls in flight, hedges included (bounded by the bulkhead).",
            ["source"],
            registry=registry,
        )
        self.in_flight_peak = Gauge(
            "nextbuy_engine_upstream_in_flight_peak",
            "The most upstream calls ever in flight at once since the process started (S3).",
            ["source"],
            registry=registry,
        )
        # process_open_fds and friends: S3 checks the descriptors return to baseline after a
        # hung upstream resumes (a leaked connection per timed-out call would show here).
        ProcessCollector(registry=registry)
        # A collection stops every request in flight: its duration tells a stall of our own
        # from a slow upstream when answers are late all at once.
        self.gc_pause = Histogram(
            "nextbuy_gc_pause_seconds",
            "Duration of garbage collections, by generation.",
            ["generation"],
            buckets=GC_PAUSE_BUCKETS,
            registry=registry,
        )
        self.loop_lag = Gauge(
            "nextbuy_engine_event_loop_lag_seconds",
            "The most the event loop woke a sleeper late over the last second: the queue "
            "every request waits in before its handler runs.",
            registry=registry,
        )
        self.events = Counter(
            "nextbuy_engine_events_total",
            "Visitor events at POST /v1/events, by outcome (accepted, duplicate, rejected).",
            ["outcome"],
            registry=registry,
        )
        self.service_events = Counter(
            "nextbuy_engine_service_events_total",
            "Service events from the bus, by outcome (applied, duplicate).",
            ["outcome"],
            registry=registry,
        )
        self.read_model_products = Gauge(
            "nextbuy_engine_read_model_products",
            "Products in the local read model.",
            registry=registry,
        )

    def on_breaker_change(self, name: str, _old: str, new: str) -> None:
        """A breaker's state-change hook: 1 while it is not closed."""
        self.breaker_open.labels(name).set(0 if new == "closed" else 1)

    def on_gc_pause(self, generation: int, seconds: float) -> None:
        """The ``GcPauseTimer`` hook."""
        self.gc_pause.labels(str(generation)).observe(seconds)

    def on_call(self, name: str, outcome: str, seconds: float) -> None:
        """The resilience policy's observer hook."""
        self.upstream_calls.labels(name, outcome).inc()
        if outcome not in {"retry", "hedge"}:  # markers of extra attempts carry no duration
            self.upstream_latency.labels(name).observe(seconds)
