"""A change feed re-reads its overlap once per new newest change: no late commit is missed,
and a burst of writes is not read again on every poll."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from nextbuy.engine.upstream.feed_resume import JUST_AFTER, FeedResume

T0 = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
OVERLAP = timedelta(seconds=5)


def now_is(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def poll(
    resume: FeedResume, clock: Clock, newest_read: datetime | None, after_s: float
) -> tuple[datetime | None, bool]:
    """Advance the clock, plan a poll, record what it read; returns the plan."""
    clock.now += after_s
    plan = resume.next_since()
    resume.polled(newest_read, rechecked=plan[1])
    return plan


def test_the_first_poll_reads_everything_then_resumes_just_after_the_newest() -> None:
    clock = Clock()
    resume = FeedResume(OVERLAP, clock, now_is(T0 + timedelta(seconds=1)))
    assert poll(resume, clock, T0, 0) == (None, False)
    assert poll(resume, clock, None, 1) == (T0 + JUST_AFTER, False)


def test_a_burst_is_read_again_once_after_the_overlap_not_on_every_poll() -> None:
    clock = Clock()
    resume = FeedResume(OVERLAP, clock, now_is(T0 + timedelta(seconds=1)))
    poll(resume, clock, T0, 0)  # a bulk write, newest T0
    plans = [poll(resume, clock, None, 5.01) for _ in range(6)]  # 30 s of quiet polls
    assert plans[0] == (T0 - OVERLAP, True)  # its last 5 s once more: late commits land here
    assert all(plan == (T0 + JUST_AFTER, False) for plan in plans[1:])


def test_a_late_commit_found_by_the_re_read_is_kept_and_checked_in_its_turn() -> None:
    clock = Clock()
    resume = FeedResume(OVERLAP, clock, now_is(T0 + timedelta(seconds=1)))
    poll(resume, clock, T0, 0)
    assert poll(resume, clock, None, 2) == (T0 + JUST_AFTER, False)  # not yet due
    # The re-read finds a row stamped before T0 that committed late: nothing newer, so no
    # further re-read is owed.
    assert poll(resume, clock, T0 - timedelta(seconds=1), 3.5) == (T0 - OVERLAP, True)
    assert poll(resume, clock, None, 5.01) == (T0 + JUST_AFTER, False)


def test_steady_traffic_re_reads_the_overlap_of_every_new_newest() -> None:
    clock = Clock()
    resume = FeedResume(OVERLAP, clock, now_is(T0 + timedelta(seconds=1)))
    poll(resume, clock, T0, 0)
    newest = T0
    for _ in range(4):
        newest += timedelta(seconds=5)
        since, rechecked = poll(resume, clock, newest, 5.0)
        assert rechecked
        assert since == newest - timedelta(seconds=5) - OVERLAP  # from before the last newest


def test_an_owed_re_read_starts_from_the_oldest_window_owed() -> None:
    clock = Clock()
    resume = FeedResume(OVERLAP, clock, now_is(T0 + timedelta(seconds=1)))
    poll(resume, clock, T0, 0)
    poll(resume, clock, T0 + timedelta(seconds=2), 1)  # newer rows before the re-read is due
    assert poll(resume, clock, None, 4.5) == (T0 - OVERLAP, True)  # covers both windows


def test_a_first_sync_of_changes_long_settled_owes_no_re_read() -> None:
    clock = Clock()
    resume = FeedResume(OVERLAP, clock, now_is(T0 + timedelta(minutes=5)))  # a restart
    poll(resume, clock, T0, 0)
    assert poll(resume, clock, None, 5.01) == (T0 + JUST_AFTER, False)
