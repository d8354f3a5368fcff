"""Generated shoppers: demographics, and latent tastes and budgets that follow from them.

Department affinity depends on age band and gender, so demographics carry real signal for
cold-start recommendations; the noise keeps it a tendency, not a rule.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from nextbuy.data.generator.catalogue import Catalogue
from nextbuy.data.generator.config import (
    AGE_BANDS,
    AGE_SHARES,
    COUNTRIES,
    COUNTRY_SHARES,
    DEPARTMENTS,
    GENDER_SHARES,
    GENDERS,
    GeneratorConfig,
)

TASTES = 3  # categories a shopper returns to: two in the favourite department, one elsewhere
_DEPARTMENT_NAMES = list(DEPARTMENTS)


def _affinity(rows: dict[str, dict[str, float]], labels: tuple[str, ...]) -> np.ndarray:
    table = np.zeros((len(labels), len(_DEPARTMENT_NAMES)))
    for label, boosts in rows.items():
        for department, boost in boosts.items():
            table[labels.index(label), _DEPARTMENT_NAMES.index(department)] = boost
    return table


AGE_AFFINITY = _affinity(
    {
        "18-24": {"Fashion": 1.5, "Electronics": 1.2, "Sports": 1.0},
        "25-34": {"Home": 1.0, "Electronics": 1.0, "Toys": 1.2, "Fashion": 0.6},
        "35-44": {"Toys": 1.3, "Home": 1.1, "Garden": 0.6},
        "45-54": {"Garden": 1.2, "Home": 1.0, "Books": 0.8},
        "55-64": {"Garden": 1.4, "Books": 1.2, "Grocery": 0.6},
        "65+": {"Books": 1.5, "Garden": 1.2, "Grocery": 0.8},
    },
    AGE_BANDS,
)
GENDER_AFFINITY = _affinity(
    {"female": {"Beauty": 1.2, "Fashion": 0.6}, "male": {"Electronics": 0.8, "Sports": 0.6}},
    GENDERS,
)
BUDGET_BY_AGE = np.array([-0.35, -0.1, 0.05, 0.15, 0.1, 0.0])  # log price multiplier


@dataclass(frozen=True)
class People:
    age: np.ndarray  # index into AGE_BANDS
    gender: np.ndarray
    tastes: np.ndarray  # (n, TASTES) category indices
    budget: np.ndarray  # price multiplier the shopper is comfortable with
    first_day: np.ndarray  # first day of the window they can shop (sign-up)
    sessions: np.ndarray  # mean sessions in the window


def make_people(
    rng: np.random.Generator, n: int, catalogue: Catalogue, config: GeneratorConfig
) -> People:
    age = rng.choice(len(AGE_BANDS), n, p=AGE_SHARES)
    gender = rng.choice(len(GENDERS), n, p=GENDER_SHARES)
    logits = AGE_AFFINITY[age] + GENDER_AFFINITY[gender] + rng.gumbel(size=(n, len(DEPARTMENTS)))
    ranked = np.argsort(-logits, axis=1)  # Gumbel-max: departments sampled without replacement
    per_department = len(catalogue.paths) // len(DEPARTMENTS)
    favourite = ranked[:, [0, 0, 1]] * per_department
    tastes = favourite + rng.integers(0, per_department, (n, TASTES))
    budget = np.exp(BUDGET_BY_AGE[age] + rng.normal(0.0, 0.35, n))
    joined = rng.random(n) < 0.3  # 30% sign up during the window
    first_day = np.where(joined, rng.uniform(0, config.days, n), 0.0)
    # Heavy-tailed activity: most shoppers visit a few times, a few visit very often.
    activity = rng.gamma(0.8, 1 / 0.8, n) * config.sessions_per_user
    sessions = activity * (config.days - first_day) / config.days
    return People(age, gender, tastes, budget, first_day, sessions)


def user_columns(
    rng: np.random.Generator, people: People, catalogue: Catalogue, config: GeneratorConfig
) -> dict[str, pa.Array]:
    """The users table's columns (ids ``u0001``…)."""
    n = people.age.size
    width = len(str(n))
    start_us = int(config.start.timestamp() * 1e6)
    signed_up = np.where(people.first_day > 0, people.first_day, -rng.uniform(1, 730, n))
    band = np.where(people.budget < 0.8, 0, np.where(people.budget > 1.25, 2, 1))
    return {
        "user_id": pa.array([f"u{i:0{width}d}" for i in range(1, n + 1)]),
        "created_at": pa.array(
            start_us + (signed_up * 86_400e6).astype(np.int64), pa.timestamp("us", tz="UTC")
        ),
        "age_band": pa.array(np.array(AGE_BANDS)[people.age].tolist()),
        "gender": pa.array(np.array(GENDERS)[people.gender].tolist()),
        "country": pa.array(
            np.array(COUNTRIES)[rng.choice(len(COUNTRIES), n, p=COUNTRY_SHARES)].tolist()
        ),
        "favourite_categories": pa.array(np.array(catalogue.paths)[people.tastes[:, 0]].tolist()),
        "price_band": pa.array(np.array(["budget", "mid", "premium"])[band].tolist()),
    }
