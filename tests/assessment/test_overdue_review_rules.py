"""Overdue handling and review timing (plain functions, injected ``now``)."""

import datetime as dt

import pytest

from quizcore.domain import overdue, review
from quizcore.domain.errors import Invalid
from quizcore.models import AttemptStatus

DEADLINE = dt.datetime(2026, 3, 2, 10, 0, 0)
SECOND = dt.timedelta(seconds=1)
IN_PROGRESS = AttemptStatus.IN_PROGRESS


def expired(now, mode, minutes=None, net=0):
    return overdue.is_expired(IN_PROGRESS, DEADLINE, now, mode=mode, minutes=minutes,
                              network_grace_seconds=net)


# -- overdue handling, at the edges ----------------------------------------------------------


@pytest.mark.parametrize("mode", [overdue.AUTOSUBMIT, overdue.NOTCOUNTED])
def test_autosubmit_and_notcounted_end_the_attempt_at_the_deadline(mode):
    assert not expired(DEADLINE - SECOND, mode)
    assert not expired(DEADLINE, mode)
    assert expired(DEADLINE + SECOND, mode)


@pytest.mark.parametrize("mode", list(overdue.MODES))
def test_the_network_grace_applies_in_every_mode(mode):
    minutes = 5 if mode == overdue.GRACEPERIOD else None
    end = overdue.submit_until(DEADLINE, mode, minutes, 30)
    assert not expired(end, mode, minutes, net=30)
    assert expired(end + SECOND, mode, minutes, net=30)


def test_graceperiod_lets_the_student_submit_until_the_grace_ends():
    grace_end = DEADLINE + dt.timedelta(minutes=10)
    assert overdue.submit_until(DEADLINE, overdue.GRACEPERIOD, 10, 0) == grace_end
    assert not expired(DEADLINE + SECOND, overdue.GRACEPERIOD, 10)
    assert not expired(grace_end - SECOND, overdue.GRACEPERIOD, 10)
    assert not expired(grace_end, overdue.GRACEPERIOD, 10)
    assert expired(grace_end + SECOND, overdue.GRACEPERIOD, 10)


def test_in_grace_period_is_after_the_deadline_and_before_the_grace_end():
    def inside(now):
        return overdue.in_grace_period(IN_PROGRESS, DEADLINE, now, mode=overdue.GRACEPERIOD,
                                       minutes=10, network_grace_seconds=0)
    assert not inside(DEADLINE - SECOND)
    assert inside(DEADLINE + SECOND)
    assert inside(DEADLINE + dt.timedelta(minutes=10))
    assert not inside(DEADLINE + dt.timedelta(minutes=10) + SECOND)
    assert not overdue.in_grace_period(IN_PROGRESS, DEADLINE, DEADLINE + SECOND,
                                       mode=overdue.AUTOSUBMIT, minutes=None,
                                       network_grace_seconds=0)


def test_grace_minutes_count_only_in_graceperiod_mode():
    assert overdue.submit_until(DEADLINE, overdue.AUTOSUBMIT, 10, 0) == DEADLINE
    assert overdue.grace_minutes(overdue.NOTCOUNTED, 10) == 0


def test_an_ended_attempt_is_never_expired():
    assert not overdue.is_expired(AttemptStatus.SUBMITTED, DEADLINE, DEADLINE + 9 * SECOND,
                                  mode=overdue.AUTOSUBMIT, minutes=None,
                                  network_grace_seconds=0)


def test_expired_status_per_mode():
    assert overdue.expired_status(overdue.NOTCOUNTED) == AttemptStatus.NOT_COUNTED
    assert overdue.expired_status(overdue.AUTOSUBMIT) == AttemptStatus.AUTO_SUBMITTED
    assert overdue.expired_status(overdue.GRACEPERIOD) == AttemptStatus.AUTO_SUBMITTED


def test_clean_overdue_settings():
    assert overdue.clean({}) == {"overdue_handling": "autosubmit", "grace_period_minutes": None}
    assert overdue.clean({"overdue_handling": "graceperiod", "grace_period_minutes": 15}) == \
        {"overdue_handling": "graceperiod", "grace_period_minutes": 15}
    # Leaving graceperiod drops the minutes; keeping it keeps them.
    assert overdue.clean({"overdue_handling": "notcounted"}, "graceperiod", 15)[
        "grace_period_minutes"] is None
    assert overdue.clean({}, "graceperiod", 15)["grace_period_minutes"] == 15


@pytest.mark.parametrize("values", [
    {"overdue_handling": "late"},
    {"overdue_handling": "autosubmit", "grace_period_minutes": 5},
    {"grace_period_minutes": 5},
    {"overdue_handling": "graceperiod"},
    {"overdue_handling": "graceperiod", "grace_period_minutes": -1},
    {"overdue_handling": "graceperiod", "grace_period_minutes": 0},
    {"overdue_handling": "graceperiod", "grace_period_minutes": overdue.MAX_GRACE_MINUTES + 1},
    {"overdue_handling": "graceperiod", "grace_period_minutes": True},
    {"overdue_handling": "graceperiod", "grace_period_minutes": "5"},
])
def test_bad_overdue_settings_are_refused(values):
    with pytest.raises(Invalid):
        overdue.clean(values)


# -- review timing ---------------------------------------------------------------------------

CLOSE = dt.datetime(2026, 3, 2, 12, 0, 0)
OPEN = review.Closing(CLOSE)
SITTING = review.Closing(CLOSE, sitting=True)
ALL_AFTER_CLOSE = dict.fromkeys(review.ITEMS, review.AFTER_CLOSE)


def timed(settings, now, closing, status=AttemptStatus.GRADED):
    return review.review_timing({**review.review_from_flags(True, True), **settings},
                                status=status, now=now, closing=closing)


def test_after_close_waits_for_the_close_date():
    before = timed(ALL_AFTER_CLOSE, CLOSE - SECOND, OPEN)
    assert before == review.NOTHING
    after = timed(ALL_AFTER_CLOSE, CLOSE + SECOND, OPEN)
    assert (after.answers, after.marks, after.keys, after.shows_feedback) == \
        (True, True, True, True)
    assert timed(ALL_AFTER_CLOSE, CLOSE, OPEN).keys


def test_an_early_finisher_sees_no_key_while_classmates_are_still_sitting():
    # Past the close date (a classmate was extended) but someone is still sitting.
    settings = {"correct_answers": review.AFTER_CLOSE}
    early = timed(settings, CLOSE + dt.timedelta(minutes=5), SITTING)
    assert early.answers and early.marks and not early.keys
    assert timed(settings, CLOSE + dt.timedelta(minutes=5), OPEN).keys
    # A date waits for the last one too; "immediately" does not.
    dated = {"correct_answers": (CLOSE - dt.timedelta(hours=1)).isoformat()}
    assert not timed(dated, CLOSE, SITTING).keys
    assert timed(dated, CLOSE, OPEN).keys
    assert timed({"correct_answers": review.IMMEDIATELY}, CLOSE - SECOND, SITTING).keys


def test_a_quiz_without_an_end_closes_when_archived():
    assert not timed(ALL_AFTER_CLOSE, CLOSE, review.Closing(None)).answers
    assert timed(ALL_AFTER_CLOSE, CLOSE, review.Closing(None, archived=True)).keys


def test_a_date_shows_from_that_second():
    when = dt.datetime(2026, 4, 1, 8, 0, 0)
    settings = {"marks": when.isoformat()}
    assert not timed(settings, when - SECOND, OPEN).marks
    assert timed(settings, when, OPEN).marks


def test_never_and_the_items_are_independent():
    policy = timed({"marks": review.NEVER, "feedback": review.IMMEDIATELY,
                    "correct_answers": review.NEVER}, CLOSE, OPEN)
    assert policy.answers and not policy.marks and policy.shows_feedback and not policy.keys
    assert timed({"answers": review.NEVER}, CLOSE + dt.timedelta(days=9), OPEN) == \
        review.NOTHING


def test_in_progress_shows_own_answers_only():
    policy = timed({}, CLOSE, OPEN, status=IN_PROGRESS)
    assert policy.answers and not (policy.marks or policy.keys or policy.shows_feedback)


def test_the_older_flags_map_onto_review():
    assert review.review_from_flags(False, True) == dict.fromkeys(review.ITEMS, review.NEVER)
    assert review.review_from_flags(True, False) == {
        "answers": "immediately", "marks": "immediately", "feedback": "immediately",
        "correct_answers": "never"}
    assert review.review_from_flags(True, True)["correct_answers"] == "immediately"
    assert review.flags_from_review(ALL_AFTER_CLOSE) == {
        "allow_review": True, "show_answers_after_submission": True}
    assert review.flags_from_review(review.review_from_flags(True, False)) == {
        "allow_review": True, "show_answers_after_submission": False}


def test_clean_review():
    base = review.review_from_flags(True, False)
    cleaned = review.clean_review({"correct_answers": "after_close",
                                   "feedback": "2026-05-01T08:00:00+02:00"}, base)
    assert cleaned == {**base, "correct_answers": "after_close",
                       "feedback": "2026-05-01T06:00:00"}
    assert review.clean_review({"marks": "2026-05-01T06:00:00Z"}, base)["marks"] == \
        "2026-05-01T06:00:00"


@pytest.mark.parametrize("value", [
    {"answers": "later"}, {"marks": "2026-13-01T00:00:00"}, {"grades": "never"},
    {"feedback": "1969-01-01T00:00:00"}, {"feedback": 5}, {"answers": None}, "never",
])
def test_bad_review_values_are_refused(value):
    with pytest.raises(Invalid):
        review.clean_review(value, review.review_from_flags(True, True))
