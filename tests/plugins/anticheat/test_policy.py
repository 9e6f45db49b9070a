"""The anti-cheat rules, directly."""

import datetime as dt

import pytest

from quiz_plugins.anticheat.policy import (
    TYPES,
    Policy,
    accepted_types_text,
    decide,
    is_debounced,
    metadata_problem,
    parse_type,
)
from quizcore.models import Severity, ViolationType

pytestmark = pytest.mark.plugin("quiz_plugins.anticheat")

T0 = dt.datetime(2026, 3, 1, 9, 0, 0)
POLICY = Policy(threshold=3, debounce_seconds=2)


@pytest.mark.parametrize(("sent", "kind"), [
    ("tab_switch", ViolationType.TAB_SWITCH),
    ("TAB_SWITCH", ViolationType.TAB_SWITCH),
    (" Copy_Attempt ", ViolationType.COPY_ATTEMPT),
    ("WINDOW_FOCUS_LOST", ViolationType.FOCUS_LOST),
    ("window_focus_lost", ViolationType.FOCUS_LOST),
    ("FULLSCREEN_EXIT_ATTEMPT", ViolationType.FULLSCREEN_EXIT),
    ("FULLSCREEN_EXIT_FINAL", ViolationType.FULLSCREEN_EXIT),
    ("multiple_windows", ViolationType.MULTIPLE_WINDOWS),
    ("tab-switch", None), ("tabswitch", None), ("", None), ("focus", None),
])
def test_types_and_aliases(sent, kind):
    assert parse_type(sent) == kind


def test_the_accepted_types_are_listed():
    text = accepted_types_text()
    assert all(kind in text for kind in TYPES) and len(TYPES) == 7
    assert "WINDOW_FOCUS_LOST" in text and "FULLSCREEN_EXIT_FINAL" in text


def test_debounce_window_is_measured_from_the_last_counted_report():
    window = dt.timedelta(seconds=2)
    assert not is_debounced(None, T0, window)
    assert is_debounced(T0, T0, window)
    assert is_debounced(T0, T0 + dt.timedelta(seconds=1.999), window)
    assert not is_debounced(T0, T0 + dt.timedelta(seconds=2), window)
    assert not is_debounced(T0, T0, dt.timedelta(0))  # a window of 0 counts everything
    # Timed before the counted report (clocks of two API servers disagree): a repeat.
    assert is_debounced(T0, T0 - dt.timedelta(seconds=1), window)


def test_decide_counts_and_reaches_the_threshold():
    first = decide(0, None, T0, POLICY)
    assert (first.counted, first.total_violations, first.auto_submit) == (True, 1, False)
    repeat = decide(2, T0, T0 + dt.timedelta(seconds=1), POLICY)
    assert (repeat.counted, repeat.total_violations, repeat.auto_submit) == (False, 2, False)
    third = decide(2, T0, T0 + dt.timedelta(seconds=3), POLICY)
    assert (third.counted, third.total_violations, third.auto_submit) == (True, 3, True)
    assert decide(0, None, T0, Policy(threshold=1)).auto_submit is True


def test_severity_defaults_per_type_and_the_clients_wins():
    assert POLICY.severity_of(ViolationType.RIGHT_CLICK) == Severity.LOW
    assert POLICY.severity_of(ViolationType.COPY_ATTEMPT) == Severity.HIGH
    assert POLICY.severity_of(ViolationType.RIGHT_CLICK, Severity.HIGH) == Severity.HIGH
    custom = Policy(severities={kind: Severity.HIGH for kind in ViolationType})
    assert custom.severity_of(ViolationType.FOCUS_LOST) == Severity.HIGH


def test_metadata_limits():
    assert metadata_problem(None, 10) is None
    assert metadata_problem({"a": 1}, 10) is None  # {"a":1} is 7 bytes
    assert "larger than 6 bytes" in metadata_problem({"a": 1}, 6)
    assert "object" in metadata_problem(["a"], 100)
    assert "NaN" in metadata_problem({"x": float("nan")}, 100)
    assert metadata_problem({"é": "ü"}, 100) is None
