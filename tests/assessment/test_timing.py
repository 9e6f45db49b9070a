"""Deadlines, the grace period and expiry (plain functions)."""

import datetime as dt

from quizcore.domain import timing
from quizcore.models import AttemptStatus

T0 = dt.datetime(2026, 3, 2, 9, 0, 0)


def test_window_state_opens_at_start_and_closes_at_end():
    start, end = T0, T0 + dt.timedelta(hours=1)
    second = dt.timedelta(seconds=1)
    assert timing.window_state(start, end, start - second) == timing.UPCOMING
    assert timing.window_state(start, end, start) == timing.OPEN
    assert timing.window_state(start, end, end - second) == timing.OPEN
    assert timing.window_state(start, end, end) == timing.CLOSED
    assert timing.window_state(None, None, T0) == timing.OPEN
    assert timing.window_state(None, end, end) == timing.CLOSED
    assert timing.window_state(start, None, start - second) == timing.UPCOMING


def test_deadline_is_start_plus_time_limit():
    assert timing.compute_deadline(T0, 30, None) == T0 + dt.timedelta(minutes=30)


def test_deadline_is_capped_by_the_quiz_end():
    end = T0 + dt.timedelta(minutes=10)
    assert timing.compute_deadline(T0, 30, end) == end
    assert timing.compute_deadline(T0, 30, T0 + dt.timedelta(hours=2)) == \
        T0 + dt.timedelta(minutes=30)


def test_remaining_time_rounds_up_and_never_goes_negative():
    deadline = T0 + dt.timedelta(seconds=90)
    assert timing.seconds_remaining(deadline, T0 + dt.timedelta(seconds=0.5)) == 90
    assert timing.seconds_remaining(deadline, deadline) == 0
    assert timing.seconds_remaining(deadline, deadline + dt.timedelta(hours=1)) == 0


def test_saves_are_accepted_until_the_end_of_the_grace_period():
    deadline = T0
    grace = 30
    inside = deadline + dt.timedelta(seconds=30)
    after = deadline + dt.timedelta(seconds=30, microseconds=1)
    assert timing.save_refusal(AttemptStatus.IN_PROGRESS, deadline, inside, grace) is None
    assert timing.save_refusal(AttemptStatus.IN_PROGRESS, deadline, after, grace) == \
        timing.TIME_OVER


def test_a_submitted_attempt_refuses_saves_whatever_the_time():
    for status in (AttemptStatus.SUBMITTED, AttemptStatus.GRADED, AttemptStatus.AUTO_SUBMITTED):
        assert timing.save_refusal(status, T0 + dt.timedelta(hours=1), T0, 30) == \
            timing.SUBMITTED


def test_expiry_waits_for_the_grace_period():
    assert not timing.is_expired(AttemptStatus.IN_PROGRESS, T0, T0 + dt.timedelta(seconds=29),
                                 30)
    assert timing.is_expired(AttemptStatus.IN_PROGRESS, T0, T0 + dt.timedelta(seconds=31), 30)
    assert not timing.is_expired(AttemptStatus.SUBMITTED, T0, T0 + dt.timedelta(days=1), 30)


def test_auto_submitted_at_is_the_deadline():
    assert timing.auto_submitted_at(T0, T0 + dt.timedelta(hours=3)) == T0
    assert timing.auto_submitted_at(None, T0) == T0


def test_dates_must_fit_a_timestamp_column():
    assert timing.storable(dt.datetime(2037, 12, 31, 23, 59))
    assert not timing.storable(dt.datetime(1969, 12, 31))
    assert not timing.storable(dt.datetime(1970, 1, 1))
    assert not timing.storable(dt.datetime(2038, 1, 1))


def test_aware_times_are_converted_to_utc():
    aware = dt.datetime(2026, 3, 2, 11, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert timing.to_naive_utc(aware) == T0
    assert timing.iso(T0) == "2026-03-02T09:00:00Z"
