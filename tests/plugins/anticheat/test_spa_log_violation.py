"""The SPA's ``POST /api/attempts/{id}/log-violation``: its labels, its body, the same
recording (and events) as the canonical report."""

import pytest

from quizcore.events import ViolationRecorded
from quizcore.models import Violation
from tests.helpers import assert_error

from .conftest import report

pytestmark = pytest.mark.plugin("quiz_plugins.anticheat")


def log(testapp, attempt_id, user, auth, label, status=200, **extra):
    """The body ``AntiCheatSystem.logViolation`` sends."""
    body = {"violation_type": label, "timestamp": "2026-01-05T10:00:00.000Z", **extra}
    return testapp.post_json(f"/api/attempts/{attempt_id}/log-violation", body,
                             headers=auth(user), status=status)


def stored(dbsession, attempt_id):
    dbsession.expire_all()
    return dbsession.query(Violation).filter_by(attempt_id=attempt_id) \
        .order_by(Violation.detected_at).all()


@pytest.mark.parametrize(("label", "details", "kind"), [
    ("TAB_SWITCH", None, "tab_switch"), ("WINDOW_FOCUS_LOST", None, "focus_lost"),
    ("RIGHT_CLICK", None, "right_click"), ("FULLSCREEN_EXIT_FINAL", {"attempts": 3},
                                           "fullscreen_exit"),
    ("FULLSCREEN_EXIT_ATTEMPT", {"attempts": 1}, "fullscreen_exit"),
    ("KEYBOARD_SHORTCUT", {"key": "c"}, "copy_attempt"),
    ("KEYBOARD_SHORTCUT", {"key": "v"}, "paste_attempt"),
    ("TAB_DETECTED", {"action": "tab_switch_detected"}, "tab_switch"),
])
def test_each_spa_label_is_recorded_as_its_type(testapp, auth, student, attempt_id,
                                                dbsession, events, label, details, kind):
    extra = {"details": details} if details is not None else {}
    body = log(testapp, attempt_id, student, auth, label, **extra).json
    assert body["recorded"] is True and body["violation_type"] == kind
    assert body["counted"] is True and body["total_violations"] == 1
    assert body["auto_submit"] is False and body["attempt_status"] == "in_progress"
    [row] = stored(dbsession, attempt_id)
    assert row.violation_type == kind and row.details == details
    [event] = events.of(ViolationRecorded)
    assert event.violation_type == kind and event.student_id == student.id


def test_the_flask_field_name_type_is_accepted(testapp, auth, student, attempt_id, dbsession):
    testapp.post_json(f"/api/attempts/{attempt_id}/log-violation", {"type": "TAB_SWITCH"},
                      headers=auth(student))
    assert [row.violation_type for row in stored(dbsession, attempt_id)] == ["tab_switch"]


@pytest.mark.parametrize(("label", "details"), [
    ("DEVELOPER_TOOLS", None), ("INVALID_ACCESS_CODE", {"attemptedCode": "ZZZ"}),
    ("KEYBOARD_SHORTCUT", {"key": "r"}),
])
def test_labels_without_a_counterpart_store_nothing(testapp, auth, student, attempt_id,
                                                    dbsession, events, label, details):
    extra = {"details": details} if details is not None else {}
    body = log(testapp, attempt_id, student, auth, label, **extra).json
    assert body["recorded"] is False and body["counted"] is False
    assert body["violation_type"] is None and label in body["message"]
    assert stored(dbsession, attempt_id) == [] and events.of(ViolationRecorded) == []


def test_it_shares_the_canonical_debounce_and_threshold(testapp_with, auth, student,
                                                        attempt_id, dbsession):
    client = testapp_with(threshold=2, debounce_seconds=3600)
    assert log(client, attempt_id, student, auth, "TAB_SWITCH").json["counted"] is True
    # the SPA's second listener for the same tab switch: stored, not counted
    assert log(client, attempt_id, student, auth, "TAB_DETECTED").json["counted"] is False
    report(client, attempt_id, student, auth, "focus_lost")  # canonical: reaches 2
    body = log(client, attempt_id, student, auth, "RIGHT_CLICK", status=409).json
    assert body["reason"] == "submitted"


def test_refusals(testapp, auth, student, other_student, attempt_id, dbsession):
    assert_error(log(testapp, attempt_id, student, auth, "NOT_A_LABEL", status=400), 400)
    assert_error(testapp.post_json(f"/api/attempts/{attempt_id}/log-violation",
                                   {"details": {}}, headers=auth(student), status=400), 400)
    log(testapp, attempt_id, other_student, auth, "TAB_SWITCH", status=404)
    assert stored(dbsession, attempt_id) == []
