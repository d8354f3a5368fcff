"""Ranking metrics against values computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nextbuy.evaluation import metrics

# User 0 finds item 2 at rank 2 of 3 and has two relevant items; user 1 finds nothing;
# user 2 has no relevant item and is left out of every mean.
RANKED = np.array([[1, 2, 3], [4, 5, 6], [7, 8, -1]])
RELEVANT = [np.array([2, 9]), np.array([7]), np.array([], dtype=np.int64)]
K = 3


def test_precision_divides_hits_by_k() -> None:
    assert metrics.precision_at_k(RANKED, RELEVANT, K) == pytest.approx((1 / 3 + 0) / 2)


def test_recall_divides_hits_by_relevant_count() -> None:
    assert metrics.recall_at_k(RANKED, RELEVANT, K) == pytest.approx((1 / 2 + 0) / 2)


def test_hit_rate_counts_users_with_a_hit() -> None:
    assert metrics.hit_rate_at_k(RANKED, RELEVANT, K) == pytest.approx(0.5)


def test_ndcg_discounts_by_rank_and_normalises_by_the_ideal_list() -> None:
    dcg = 1 / math.log2(3)
    ideal = 1 + 1 / math.log2(3)  # two relevant items could fill ranks 1 and 2
    assert metrics.ndcg_at_k(RANKED, RELEVANT, K) == pytest.approx((dcg / ideal) / 2)


def test_ndcg_is_one_for_a_perfect_list() -> None:
    assert metrics.ndcg_at_k(np.array([[5, 6, 1]]), [np.array([6, 5])], K) == pytest.approx(1.0)


def test_map_averages_precision_at_each_hit() -> None:
    # User 0: precision at rank 2 is 1/2, normalised by min(k, |R|) = 2.
    assert metrics.map_at_k(RANKED, RELEVANT, K) == pytest.approx((0.5 / 2) / 2)


def test_mrr_is_the_reciprocal_rank_of_the_first_hit() -> None:
    assert metrics.mrr(RANKED, RELEVANT, K) == pytest.approx((1 / 2) / 2)


def test_k_truncates_the_lists() -> None:
    assert metrics.hit_rate_at_k(RANKED, RELEVANT, 1) == 0.0


def test_coverage_counts_distinct_items_and_ignores_padding() -> None:
    assert metrics.coverage(RANKED, 16) == pytest.approx(8 / 16)


def test_novelty_is_mean_self_information() -> None:
    item_users = np.array([4.0, 1.0, 0.0])
    # −log2(4/8) = 1, −log2(1/8) = 3, an untouched item counts as one user: 3.
    assert metrics.novelty(np.array([[0, 1, 2]]), item_users, 8) == pytest.approx(7 / 3)


def test_no_scorable_user_gives_zero() -> None:
    empty = [np.array([], dtype=np.int64)]
    assert metrics.ndcg_at_k(np.array([[1, 2, 3]]), empty, K) == 0.0
