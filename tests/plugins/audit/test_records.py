"""What the audit trail records for each event, and that secrets never reach it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

import pytest

from quiz_plugins.audit.records import REDACTED, describe, scrub
from quizcore import events

pytestmark = pytest.mark.plugin("quiz_plugins.audit")

HASH = "$2b$12$abcdefghijklmnopqrstuuJ3bLxZ9Zq9oQ2m4v7yqvH8bF0Wc8m8e"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"


def test_scrub_redacts_secret_keys_and_secret_looking_values_recursively():
    value = {
        "password": "hunter2", "new_password": "s3cret!", "password_hash": HASH,
        "refresh_token": "opaque-refresh", "reset_token": JWT, "code": "123456",
        "nested": {"api_key": "k", "list": [{"access_token": "t"}], "note": HASH},
        "profile_token": JWT, "bio": JWT,
        "token_version": 3, "access_code": "ABC234", "email": "a@b.org",
        "already": REDACTED, "nothing": None,
    }
    assert scrub(value) == {
        "password": REDACTED, "new_password": REDACTED, "password_hash": REDACTED,
        "refresh_token": REDACTED, "reset_token": REDACTED, "code": REDACTED,
        "nested": {"api_key": REDACTED, "list": [{"access_token": REDACTED}],
                   "note": REDACTED},
        "profile_token": REDACTED, "bio": REDACTED,
        "token_version": 3, "access_code": "ABC234", "email": "a@b.org",
        "already": REDACTED, "nothing": None,
    }


def test_scrub_makes_values_json_ready():
    assert scrub({"when": dt.datetime(2026, 1, 2, 3, 4), "day": dt.date(2026, 1, 2),
                  "score": Decimal("7.50"), "ids": ("a", "b"), "other": object}) == {
        "when": "2026-01-02T03:04:00Z", "day": "2026-01-02", "score": 7.5,
        "ids": ["a", "b"], "other": str(object)}


def test_entity_changes_use_type_and_action_and_keep_old_and_new():
    entry = describe(events.EntityChanged(
        actor_id="admin-1", action="update", entity_type="user", entity_id="u-1",
        old={"name": "A", "password": "***"}, new={"name": "B", "password": "***"}))
    assert (entry.action, entry.user_id, entry.entity_type, entry.entity_id) == (
        "user.update", "admin-1", "user", "u-1")
    assert entry.old_value == {"name": "A", "password": "***"}
    assert entry.new_value == {"name": "B", "password": "***"}


def test_an_event_carrying_a_secret_by_mistake_is_scrubbed():
    entry = describe(events.EntityChanged(
        actor_id="a", action="update", entity_type="user", entity_id="u",
        old={"password_hash": HASH}, new={"password_hash": "$2b$04$" + "x" * 53,
                                          "password": "plain text"}))
    assert entry.old_value == {"password_hash": REDACTED}
    assert entry.new_value == {"password_hash": REDACTED, "password": REDACTED}


@pytest.mark.parametrize("event, expected", [
    (events.LoginSucceeded(actor_id="u", user_id="u"), ("auth.login", "u", "user", "u", None)),
    (events.LoginFailed(user_id="u", reason="invalid_credentials"),
     ("auth.login_failed", None, "user", "u", {"reason": "invalid_credentials"})),
    (events.LoginFailed(user_id=None, reason="rate_limited"),
     ("auth.login_failed", None, "user", None, {"reason": "rate_limited"})),
    (events.LoggedOut(actor_id="u", user_id="u"), ("auth.logout", "u", "user", "u", None)),
    (events.AccountClaimed(actor_id="u", user_id="u"),
     ("auth.account_claimed", "u", "user", "u", None)),
    (events.PasswordResetRequested(user_id="u"),
     ("auth.password_reset_requested", None, "user", "u", None)),
    (events.PasswordChanged(actor_id="u", user_id="u", via="reset"),
     ("auth.password_changed", "u", "user", "u", {"via": "reset"})),
    (events.QuizPublished(actor_id="t", quiz_id="q", title="T", teacher_id="t",
                          class_ids=["c1"]),
     ("quiz.published", "t", "quiz", "q",
      {"status": "published", "title": "T", "class_ids": ["c1"]})),
    (events.QuizArchived(actor_id="t", quiz_id="q", title="T", teacher_id="t"),
     ("quiz.archived", "t", "quiz", "q", {"status": "archived", "title": "T"})),
    (events.AttemptGraded(actor_id="x", attempt_id="a", quiz_id="q", student_id="s",
                          score=5.0, total_marks=10, percentage=50.0, passed=True,
                          status="graded", graded_by="t", how="manual"),
     ("attempt.graded", "t", "attempt", "a",
      {"quiz_id": "q", "student_id": "s", "score": 5.0, "total_marks": 10,
       "percentage": 50.0, "passed": True, "status": "graded", "how": "manual"})),
    (events.ViolationRecorded(actor_id="s", attempt_id="a", quiz_id="q", student_id="s",
                              student_name="S", violation_type="tab_switch",
                              total_violations=2, counted=True),
     ("attempt.violation", "s", "attempt", "a",
      {"quiz_id": "q", "student_id": "s", "violation_type": "tab_switch",
       "total_violations": 2, "counted": True, "auto_submitted": False})),
], ids=lambda value: getattr(value, "name", None))
def test_each_event_becomes_its_entry(event, expected):
    entry = describe(event)
    assert (entry.action, entry.user_id, entry.entity_type, entry.entity_id,
            entry.new_value) == expected


@pytest.mark.parametrize("reason, action", [("student", "attempt.submitted"),
                                            ("deadline", "attempt.auto_submitted"),
                                            ("violations", "attempt.auto_submitted")])
def test_submissions_by_the_server_are_auto_submits(reason, action):
    entry = describe(events.AttemptSubmitted(
        actor_id=None, attempt_id="a", quiz_id="q", student_id="s", student_name="S",
        submitted_at=dt.datetime(2026, 1, 1), status="auto_submitted", reason=reason,
        score=1.0, pending_manual_grading=True))
    assert entry.action == action and entry.entity_id == "a"
    assert entry.new_value["reason"] == reason
    assert entry.new_value["pending_manual_grading"] is True


def test_resumed_starts_and_skipped_events_are_not_recorded():
    start = dict(attempt_id="a", quiz_id="q", student_id="s", student_name="S",
                 attempt_number=1, total_questions=3)
    assert describe(events.AttemptStarted(resumed=True, **start)) is None
    assert describe(events.AttemptStarted(**start)).action == "attempt.started"
    saved = events.AnswerSaved(attempt_id="a", quiz_id="q", student_id="s", student_name="S",
                               question_index=1, answered_count=1, total_questions=3)
    assert describe(saved, skip=frozenset({"attempt.answer_saved"})) is None
    assert describe(saved).new_value == {"question_index": 1, "answered_count": 1}


def test_unknown_events_are_recorded_under_their_name_with_a_scrubbed_payload():
    @dataclass(kw_only=True)
    class QuestionsImported(events.DomainEvent):
        name: ClassVar[str] = "question.imported"
        question_id: str
        count: int
        upload_token: str

    entry = describe(QuestionsImported(actor_id="t", question_id="qq", count=3,
                                       upload_token="abc"))
    assert (entry.action, entry.user_id, entry.entity_type, entry.entity_id) == (
        "question.imported", "t", "question", "qq")
    assert entry.new_value == {"question_id": "qq", "count": 3, "upload_token": REDACTED}
