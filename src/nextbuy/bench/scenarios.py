"""The scenarios of the data-plane benchmark: which users, which clients, which faults and when.

Fault scenarios follow the shared reliability scenarios (S2 orders killed, S3 profiles hung,
S4 catalogue slow, S5 1% slow calls, S14 Redis killed): the fault starts a third of the way into
the run and ends two thirds in, so every run shows before, during and after. They use *cold*
users (new to the engine's caches), so that every request needs the upstreams: with warm users
an optimised engine would answer from its caches and the fault would test nothing.

Fault and hedging scenarios run the optimised engine only: at R the naive plane times out on
every request with or without a fault (docs/benchmarks.md), so its rows there said nothing and
took a third of a full run's time. Warm and cold keep both: the speed-up target needs them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Client = Literal["naive", "optimized"]
Users = Literal["warm", "cold", "none"]
Target = Literal["engine", "static", "hello"]
Action = Literal[
    "kill", "restart", "stop", "resume", "slow", "unslow", "redis_kill", "redis_restart"
]
FAULT_START, FAULT_END = 1 / 3, 2 / 3
SLOW_UPSTREAM_MS = 150.0
TAIL_FRACTION, TAIL_EXTRA_MS = 0.01, 200.0


@dataclass(frozen=True, slots=True)
class FaultStep:
    """Do ``action`` to ``target`` (an upstream, or Redis) at ``at`` × the run's duration."""

    at: float
    action: Action
    target: str = ""

    @property
    def recovers(self) -> bool:
        """This step ends the fault: the time it completes is the recovery time."""
        return self.action in {"restart", "resume", "unslow", "redis_restart"}


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    description: str
    clients: tuple[Client, ...]
    users: Users = "warm"
    target: Target = "engine"
    steps: tuple[FaultStep, ...] = ()
    tail_slow: bool = False
    """1% of every upstream call slowed by 200 ms for the whole run (the hedging scenario)."""
    hedging: bool = True
    """Which optimised engine answers: with hedging (the default) or without."""
    capacity: bool = False
    """Also measure the closed-loop throughput ceiling (a ``<name>_capacity`` row)."""
    needs_redis: bool = False

    @property
    def is_fault(self) -> bool:
        return bool(self.steps)

    def engine_for(self, client: Client) -> str:
        if client == "naive":
            return "naive"
        return "optimized" if self.hedging else "optimized_no_hedging"


BOTH: tuple[Client, ...] = ("naive", "optimized")
ONLY_OPTIMIZED: tuple[Client, ...] = ("optimized",)


def _window(
    start: Action, end: Action, target: str, at: tuple[float, float] = (FAULT_START, FAULT_END)
) -> tuple[FaultStep, ...]:
    return (FaultStep(at[0], start, target), FaultStep(at[1], end, target))


KILL_WINDOW = (1 / 4, 1 / 2)
"""A killed service is back only once it has booted again (Django: 4–7 s on the loaded VM), so
the kill comes earlier and the restart at half time, leaving as long after it as other faults."""


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("warm", "hot users the engine has seen", BOTH, capacity=True),
    Scenario(
        "ceiling_static_json",
        "FastAPI+uvicorn returning a precomputed body of the engine's size",
        ONLY_OPTIMIZED,
        users="none",
        target="static",
        capacity=True,
    ),
    Scenario(
        "ceiling_asgi_hello",
        "raw ASGI hello on uvicorn, one worker",
        ONLY_OPTIMIZED,
        users="none",
        target="hello",
        capacity=True,
    ),
    Scenario("cold", "every request a user new to the engine's caches", BOTH, users="cold"),
    Scenario(
        "upstream_killed_orders",
        "orders kill -9 at 1/4, restarted at 1/2 (ready a boot later)",
        ONLY_OPTIMIZED,
        users="cold",
        steps=_window("kill", "restart", "orders", KILL_WINDOW),
    ),
    Scenario(
        "upstream_hung_profiles",
        "profiles SIGSTOP at 1/3, SIGCONT at 2/3",
        ONLY_OPTIMIZED,
        users="cold",
        steps=_window("stop", "resume", "profiles"),
    ),
    Scenario(
        "upstream_slow_catalog",
        f"catalog +{SLOW_UPSTREAM_MS:.0f} ms from 1/3 to 2/3",
        ONLY_OPTIMIZED,
        users="cold",
        steps=_window("slow", "unslow", "catalog"),
    ),
    Scenario(
        "slow_1pct_hedging_off",
        f"{TAIL_FRACTION:.0%} of upstream calls +{TAIL_EXTRA_MS:.0f} ms, no hedging",
        ONLY_OPTIMIZED,
        users="cold",
        tail_slow=True,
        hedging=False,
    ),
    Scenario(
        "slow_1pct_hedging_on",
        f"{TAIL_FRACTION:.0%} of upstream calls +{TAIL_EXTRA_MS:.0f} ms, hedged",
        ONLY_OPTIMIZED,
        users="cold",
        tail_slow=True,
    ),
    Scenario(
        "redis_killed",
        "redis-server kill -9 at 1/3, restarted at 2/3, warm users",
        ONLY_OPTIMIZED,
        steps=_window("redis_kill", "redis_restart", "redis"),
        needs_redis=True,
    ),
)
SCENARIO_NAMES = tuple(s.name for s in SCENARIOS)


def select_scenarios(names: list[str] | None) -> tuple[Scenario, ...]:
    """The named scenarios in their standard order (all of them when ``names`` is empty)."""
    if not names:
        return SCENARIOS
    unknown = sorted(set(names) - set(SCENARIO_NAMES))
    if unknown:
        raise ValueError(f"unknown scenario(s) {', '.join(unknown)}; choose from {SCENARIO_NAMES}")
    return tuple(s for s in SCENARIOS if s.name in names)
