"""The API/sidecar contract of ``quizcore.wire``: message formats, stream entries, claims."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest

from quizcore import events, wire
from quizcore.models import Role

T = dt.datetime(2026, 3, 2, 9, 0, 0, 123456)
IDS = {"attempt_id": "a1", "quiz_id": "q1", "student_id": "s1"}


def published(event: events.DomainEvent) -> str:
    """The stream entry's ``data`` field, as the API writes it."""
    return wire.stream_entry(event.monitor_message())["data"]


# Each event's monitor data, byte for byte as the monitor page has always read it.
@pytest.mark.parametrize("event, kind, data", [
    (events.AttemptStarted(occurred_at=T, student_name="Ada", attempt_number=2,
                           total_questions=5, **IDS),
     "attempt_started",
     '{"attempt_id": "a1", "student_id": "s1", "student_name": "Ada", "attempt_number": 2, '
     '"total_questions": 5, "resumed": false, "timestamp": "2026-03-02T09:00:00.123456Z"}'),
    (events.AnswerSaved(occurred_at=T, student_name="Ada", question_index=None,
                        answered_count=3, total_questions=5, **IDS),
     "answer_saved",
     '{"attempt_id": "a1", "student_id": "s1", "student_name": "Ada", '
     '"current_question": null, "answered_questions": 3, "total_questions": 5, '
     '"timestamp": "2026-03-02T09:00:00.123456Z"}'),
    (events.AttemptSubmitted(occurred_at=T, student_name="Ada",
                             submitted_at=T.replace(microsecond=0), status="graded",
                             score=7.5, **IDS),
     "attempt_submitted",
     '{"attempt_id": "a1", "student_id": "s1", "student_name": "Ada", '
     '"submitted_at": "2026-03-02T09:00:00Z", "score": 7.5, "status": "graded", '
     '"reason": "student", "pending_manual_grading": false}'),
    (events.AttemptGraded(occurred_at=T, score=None, total_marks=10, percentage=None,
                          passed=None, status="submitted", how="manual", **IDS),
     "attempt_graded",
     '{"attempt_id": "a1", "student_id": "s1", "score": null, "total_marks": 10, '
     '"percentage": null, "passed": null, "status": "submitted"}'),
    (events.ViolationRecorded(occurred_at=T, student_name="Ada", violation_type="tab_switch",
                              total_violations=3, counted=True, question_index=2, **IDS),
     "violation",
     '{"attempt_id": "a1", "student_id": "s1", "student_name": "Ada", '
     '"violation_type": "tab_switch", "total_violations": 3, "counted": true, '
     '"question_index": 2, "auto_submitted": false, '
     '"timestamp": "2026-03-02T09:00:00.123456Z"}'),
])
def test_each_monitor_event_publishes_its_declared_data(event, kind, data):
    message = event.monitor_message()
    assert (message["type"], message["quiz_id"]) == (kind, "q1")
    assert published(event) == data
    assert list(json.loads(data)) == list(wire.MONITOR_MESSAGES[kind].fields)


def test_events_without_a_monitor_type_are_not_published():
    assert events.QuizPublished(quiz_id="q1", title="T", teacher_id="t").monitor_message() \
        is None


def test_every_monitor_event_declares_a_known_type_and_existing_attributes():
    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    shown = {cls for cls in subclasses(events.DomainEvent) if cls.monitor is not None}
    assert {cls.monitor.name for cls in shown} == set(wire.MONITOR_MESSAGES)
    for cls in shown:
        attributes = {f.name for f in dataclasses.fields(cls)}
        names = {"timestamp": "occurred_at", **cls.monitor_fields}
        assert "quiz_id" in attributes
        assert {names.get(name, name) for name in cls.monitor.fields} <= attributes, cls


def test_data_that_does_not_match_the_declaration_is_refused():
    with pytest.raises(ValueError, match=r"missing \['status'\], undeclared \['extra'\]"):
        wire.monitor_message(wire.ATTEMPT_GRADED, "q1", {
            "attempt_id": "a", "student_id": "s", "score": 1, "total_marks": 2,
            "percentage": 50.0, "passed": True, "extra": 1})


def test_a_stream_entry_reads_back_as_written():
    message = wire.monitor_message(wire.ATTEMPT_GRADED, "q1", {
        "attempt_id": "a", "student_id": "s", "score": 1, "total_marks": 2,
        "percentage": 50.0, "passed": True, "status": "graded"})
    assert wire.read_stream_entry(wire.stream_entry(message)) == \
        ("attempt_graded", message["data"])
    assert wire.read_stream_entry({"data": "{}"}) == ("event", {})
    with pytest.raises(ValueError):
        wire.read_stream_entry({"type": "violation", "data": "{not json"})


def test_stream_key_and_channel_are_the_documented_names():
    assert wire.stream_key("q1") == "quiz:q1:events"
    assert wire.WAKEUP_CHANNEL == "quizcore:quiz-events"


@pytest.mark.parametrize("value, text", [
    (None, None),
    (dt.datetime(2026, 3, 2, 9, 0), "2026-03-02T09:00:00Z"),
    (dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=1))),
     "2026-03-02T09:00:00Z"),
    (dt.date(2026, 3, 2), "2026-03-02"),
])
def test_iso_is_utc_with_a_z_and_dates_stay_dates(value, text):
    assert wire.iso(value) == text


def test_monitor_roles_are_roles_of_the_api():
    assert wire.MONITOR_ROLES <= {role.value for role in Role}
    assert {Role.TEACHER.value, Role.ADMIN.value} == set(wire.MONITOR_ROLES)
