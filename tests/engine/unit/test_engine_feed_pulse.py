"""A followed feed is current only while its polls succeed, none hangs, and one succeeded lately."""

from __future__ import annotations

from dataclasses import dataclass

from nextbuy.engine.domain.feed_pulse import FeedPulse
from tests.support.fresh_reads import feed_synced


@dataclass
class Clock:
    now: float = 100.0

    def __call__(self) -> float:
        return self.now


def pulse(clock: Clock) -> FeedPulse:
    return FeedPulse(hung_after_s=1.0, stale_after_s=10.0, clock=clock)


def test_not_synced_until_a_poll_succeeds() -> None:
    clock = Clock()
    feed = pulse(clock)
    assert not feed_synced(feed)
    assert not feed.current()
    feed.poll_started()
    feed.poll_failed()
    assert not feed_synced(feed)
    assert not feed.current()
    feed.poll_started()
    clock.now += 30  # a long first sync is not a hang once it has finished
    feed.poll_succeeded()
    assert feed_synced(feed)
    assert feed.current()


def test_a_failed_poll_is_noticed_at_once_and_the_next_success_clears_it() -> None:
    clock = Clock()
    feed = pulse(clock)
    feed.poll_started()
    feed.poll_succeeded()
    feed.poll_started()
    feed.poll_failed()
    assert feed_synced(feed)
    assert not feed.current()
    clock.now += 1
    feed.poll_started()
    assert not feed.current()  # still failing while the next poll runs
    feed.poll_succeeded()
    assert feed.current()


def test_a_poll_that_hangs_is_noticed_after_hung_after_s() -> None:
    clock = Clock()
    feed = pulse(clock)
    feed.poll_started()
    feed.poll_succeeded()
    feed.poll_started()
    clock.now += 0.9
    assert feed.current()
    clock.now += 0.2
    assert not feed.current()


def test_a_follower_that_stopped_polling_goes_stale() -> None:
    clock = Clock()
    feed = pulse(clock)
    feed.poll_started()
    feed.poll_succeeded()
    clock.now += 10.0
    assert feed.current()
    clock.now += 0.1
    assert not feed.current()
