"""The vectorised business rules agree with the per-candidate reference rules."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from nextbuy.engine.domain.filters import RequestFilters, cap_per_category, ranked_positions
from nextbuy.engine.domain.ports import CandidateColumns
from nextbuy.recommend import rules

CATEGORIES = ["Home/Kitchen", "Home/Lighting", "Garden", "Books"]
products = st.lists(
    st.tuples(
        st.sampled_from(range(len(CATEGORIES))),
        st.one_of(st.none(), st.sampled_from([1.0, 5.0, 10.0, 20.0])),
        st.booleans(),
    ),
    max_size=30,
)


@given(codes=st.lists(st.integers(0, 5), max_size=40), cap=st.one_of(st.none(), st.integers(1, 4)))
def test_diversity_cap_matches_the_reference(codes: list[int], cap: int | None) -> None:
    positions = np.arange(len(codes), dtype=np.int64)
    kept = cap_per_category(positions, np.asarray(codes, dtype=np.int64), cap)
    candidates = [rules.Candidate(str(i), 0, category=str(c)) for i, c in enumerate(codes)]
    expected = [int(c.product_id) for c in rules.cap_per_category(candidates, cap)]
    assert kept.tolist() == expected


@given(
    rows=products,
    prefixes=st.lists(st.sampled_from(["Home", "Garden", "Toys"]), max_size=2),
    low=st.one_of(st.none(), st.sampled_from([2.0, 5.0])),
    high=st.one_of(st.none(), st.sampled_from([10.0, 20.0])),
    cap=st.one_of(st.none(), st.integers(1, 3)),
)
def test_filters_match_the_reference(
    rows: list[tuple[int, float | None, bool]],
    prefixes: list[str],
    low: float | None,
    high: float | None,
    cap: int | None,
) -> None:
    columns = CandidateColumns(
        listed=np.ones(len(rows), dtype=np.bool_),
        sellable=np.array([stocked for _, _, stocked in rows], dtype=np.bool_),
        price=np.array([np.nan if p is None else p for _, p, _ in rows], dtype=np.float64),
        category=np.array([c for c, _, _ in rows], dtype=np.int64),
        in_categories=np.array(
            [not prefixes or rules.in_category(CATEGORIES[c], prefixes) for c, _, _ in rows],
            dtype=np.bool_,
        ),
    )
    filters = RequestFilters(
        categories=tuple(prefixes), min_price=low, max_price=high, max_per_category=cap
    )
    candidates = [
        rules.Candidate(str(i), -i, category=CATEGORIES[c], price=p, in_stock=stocked)
        for i, (c, p, stocked) in enumerate(rows)
    ]
    reference = rules.RankingRules(
        categories=prefixes, min_price=low, max_price=high, max_per_category=cap, limit=len(rows)
    )
    expected = [int(c.product_id) for c in rules.apply_rules(candidates, reference)]
    assert ranked_positions(columns, filters).tolist() == expected
