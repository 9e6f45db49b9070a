"""The deadline rules the exam storm checks quizcore against (bench/storm_deadlines.py)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import storm_deadlines as rules  # noqa: E402 - lives in bench/, used by bench/exam_storm.py

T0 = 1_800_000_000.0  # an exam's start, POSIX seconds
EXT = rules.Extension(minutes=1, sent=T0 + 90, received=T0 + 90.2)


def test_own_limit_is_rounded_up_to_whole_minutes():
    assert rules.own_limit_minutes(3, 1.0) == 3
    assert rules.own_limit_minutes(3, 1.5) == 5
    assert rules.own_limit_minutes(10, 1.1) == 11  # two decimals, not float 11.000000000000002
    assert rules.own_limit_minutes(1, 0.5) == 1


def test_in_progress_at_the_extension_from_submitted_at():
    assert rules.in_progress_at(None, T0) is False
    assert rules.in_progress_at(EXT, None) is True
    assert rules.in_progress_at(EXT, T0 + 50) is False
    assert rules.in_progress_at(EXT, T0 + 90.1) is None
    assert rules.in_progress_at(EXT, T0 + 200) is True


def test_deadline_windows():
    assert rules.deadline_windows(T0, 3, None, False) == [(T0 + 180, T0 + 180)]
    assert rules.deadline_windows(T0, 3, EXT, True) == [(T0 + 240, T0 + 240)]
    assert rules.deadline_windows(T0, 3, EXT, None) == [(T0 + 180, T0 + 180),
                                                        (T0 + 240, T0 + 240)]
    # Past its deadline at the extension (not swept yet): the minutes count from then.
    late = rules.Extension(minutes=1, sent=T0 + 200, received=T0 + 201)
    assert rules.deadline_windows(T0, 3, late, True) == [(T0 + 260, T0 + 261)]
    assert rules.within(T0 + 260.5, rules.deadline_windows(T0, 3, late, True))
    assert not rules.within(T0 + 180, rules.deadline_windows(T0, 3, late, True))


def test_save_deadline_bounds_before_during_and_after_the_extension():
    assert rules.save_deadline_bounds(T0 + 10, T0 + 11, T0, 3, EXT, True) == (T0 + 180,
                                                                              T0 + 180)
    assert rules.save_deadline_bounds(T0 + 100, T0 + 101, T0, 3, EXT, True) == (T0 + 240,
                                                                                T0 + 240)
    assert rules.save_deadline_bounds(T0 + 90.1, T0 + 90.3, T0, 3, EXT, True) == (T0 + 180,
                                                                                  T0 + 240)
    assert rules.save_deadline_bounds(T0 + 100, T0 + 101, T0, 3, EXT, False) == (T0 + 180,
                                                                                 T0 + 180)


def test_save_problem():
    bounds = (T0 + 240, T0 + 240)
    assert rules.save_problem(200, None, T0 + 269, T0 + 269.1, bounds, 30) is None
    assert rules.save_problem(200, None, T0 + 270.5, T0 + 270.6, bounds, 30) is not None
    assert rules.save_problem(409, "time_over", T0 + 270.5, T0 + 270.6, bounds, 30) is None
    assert rules.save_problem(409, "time_over", T0 + 260, T0 + 260.1, bounds, 30) is not None
    # Sent before the cut-off, answered after it: either answer is right.
    assert rules.save_problem(200, None, T0 + 269.9, T0 + 270.2, bounds, 30) is None
    assert rules.save_problem(409, "time_over", T0 + 269.9, T0 + 270.2, bounds, 30) is None
    assert rules.save_problem(409, "submitted", T0 + 10, T0 + 11, bounds, 30) is None
