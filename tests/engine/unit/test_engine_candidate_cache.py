"""Precomputed candidates are kept packed: the same lists back, nothing for the collector."""

from __future__ import annotations

import gc

import pytest

from nextbuy.engine.domain.precompute import CandidateCache, candidate_key
from nextbuy.engine.domain.ranking import PERSONAL, Candidate, Reason


def personal(n: int, offset: int = 0) -> list[Candidate]:
    return [Candidate(f"p{offset + i}", 1.0 / (i + 1), PERSONAL) for i in range(n)]


def test_gives_back_the_candidates_it_was_given_in_order() -> None:
    cache = CandidateCache()
    key = candidate_key("bob", "v1", hash(("mug",)))
    cache.put(key, personal(5))
    assert cache.get(key) == personal(5)
    assert cache.get(candidate_key("bob", "v2", hash(("mug",)))) is None
    assert (cache.hits, cache.misses) == (1, 1)


def test_evicts_the_least_recently_used_user() -> None:
    cache = CandidateCache(max_users=2)
    a, b, c = (candidate_key(user, "v1", 0) for user in "abc")
    cache.put(a, personal(1))
    cache.put(b, personal(1))
    cache.get(a)
    cache.put(c, personal(1))
    assert a in cache
    assert c in cache
    assert b not in cache


def test_refuses_candidates_whose_reason_it_would_lose() -> None:
    with pytest.raises(ValueError, match="PERSONAL"):
        CandidateCache().put(
            candidate_key("bob", "v1", 0), [Candidate("p1", 1.0, Reason("popular", count=3))]
        )


def test_cached_users_add_next_to_nothing_for_the_garbage_collector_to_walk() -> None:
    # 100 Candidate objects per user made every full collection walk 100k objects on the
    # bench (60-125 ms stalls); packed, a user costs the collector no tracked object at all
    # once the young collections have untracked its tuples.
    cache = CandidateCache()
    lists = [personal(100, offset=user * 100) for user in range(500)]
    gc.collect()
    before = len(gc.get_objects())
    for user, candidates in enumerate(lists):
        cache.put(candidate_key(f"u{user}", "v1", 0), candidates)
    del lists, candidates
    gc.collect()
    tracked_per_user = (len(gc.get_objects()) - before) / 500
    assert tracked_per_user < 2, f"{tracked_per_user:.1f} tracked objects per cached user"
