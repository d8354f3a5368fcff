"""What the generator makes, and the shop "physics" it follows (one place to tune them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

DEPARTMENTS: dict[str, tuple[str, ...]] = {
    "Home": ("Kitchen", "Bedding", "Decor"),
    "Garden": ("Tools", "Plants", "Furniture"),
    "Electronics": ("Audio", "Phones", "Computers"),
    "Fashion": ("Women", "Men", "Shoes"),
    "Sports": ("Running", "Cycling", "Fitness"),
    "Toys": ("Baby", "Games", "Outdoor"),
    "Beauty": ("Skincare", "Fragrance", "Hair"),
    "Books": ("Fiction", "Cooking", "Children"),
    "Grocery": ("Pantry", "Drinks", "Snacks"),
}
LEAVES = ("Essentials", "Premium", "Accessories", "Sets")
# Bought again and again: purchases here schedule a repeat purchase weeks later.
CONSUMABLE_DEPARTMENTS = frozenset({"Beauty", "Grocery"})
# Median price per department (EUR); each category varies around it, each product around that.
DEPARTMENT_PRICE = {
    "Home": 30.0,
    "Garden": 40.0,
    "Electronics": 120.0,
    "Fashion": 45.0,
    "Sports": 50.0,
    "Toys": 25.0,
    "Beauty": 15.0,
    "Books": 12.0,
    "Grocery": 6.0,
}
BRANDS = ("Acme", "Borealis", "Cobalt", "Dune", "Ember", "Fjord", "Gala", "Helio", "Iris", "Juno")
ADJECTIVES = ("Classic", "Compact", "Deluxe", "Eco", "Essential", "Pro", "Smart", "Vintage")
AGE_BANDS = ("18-24", "25-34", "35-44", "45-54", "55-64", "65+")
AGE_SHARES = (0.14, 0.24, 0.22, 0.18, 0.13, 0.09)
GENDERS = ("female", "male", "other")
GENDER_SHARES = (0.52, 0.46, 0.02)
COUNTRIES = ("GB", "DE", "FR", "NL", "ES", "IT", "SE", "PL")
COUNTRY_SHARES = (0.30, 0.22, 0.16, 0.08, 0.08, 0.08, 0.04, 0.04)
# Relative visits per weekday, Monday first: shops peak on Sunday evening and Monday.
WEEKDAY_WEIGHTS = (1.10, 0.95, 0.92, 0.95, 0.98, 1.00, 1.15)
EPOCH = datetime(2025, 1, 6, tzinfo=UTC)  # a Monday


@dataclass(frozen=True, slots=True)
class GeneratorConfig:
    """The size of the shop and the rates of its funnel; the defaults give ~20 events a user."""

    users: int = 1000
    products: int = 500
    days: int = 90
    seed: int = 7
    start: datetime = EPOCH
    sessions_per_user: float = 4.0
    views_per_session: float = 3.9
    anonymous_share: float = 0.2
    in_taste_share: float = 0.75
    cart_rate: float = 0.09
    checkout_rate: float = 0.38
    remove_rate: float = 0.15
    repeat_rate: float = 0.45
    repeat_interval_days: float = 21.0
    zipf_exponent: float = 1.05
    new_product_share: float = 0.2
    out_of_stock_share: float = 0.06
    chunk_users: int = 50_000
