"""Violation reports over HTTP: validation, debounce, threshold, refusals, the summary."""

import datetime as dt

import pytest

from quiz_plugins.anticheat.policy import TYPES
from quizcore.domain.grading import GRADER_KEY
from quizcore.events import AttemptSubmitted, ViolationRecorded
from quizcore.models import AttemptStatus, QuizAttempt, Severity, Violation, utcnow
from tests import factories
from tests.helpers import assert_error
from tests.plugins.exam import has_grader, save, start, submit

from .conftest import report

pytestmark = pytest.mark.plugin("quiz_plugins.anticheat")


def stored(dbsession, attempt_id):
    dbsession.expire_all()
    return dbsession.query(Violation).filter_by(attempt_id=attempt_id) \
        .order_by(Violation.detected_at).all()


def attempt_row(dbsession, attempt_id) -> QuizAttempt:
    dbsession.expire_all()
    return dbsession.get(QuizAttempt, attempt_id)


def test_a_report_is_stored_and_counted(testapp, auth, student, attempt_id, dbsession, events):
    body = report(testapp, attempt_id, student, auth, "tab_switch", question_index=1,
                  metadata={"visibility": "hidden", "at_ms": 1234}).json
    assert body["message"] and body["total_violations"] == 1
    assert body["auto_submit"] is False and body["counted"] is True
    assert body["attempt_status"] == "in_progress"
    [row] = stored(dbsession, attempt_id)
    assert (row.violation_type, row.question_index, row.is_counted) == ("tab_switch", 1, True)
    assert row.severity == Severity.MEDIUM  # the type's default from the settings
    assert row.details == {"visibility": "hidden", "at_ms": 1234}
    assert attempt_row(dbsession, attempt_id).total_violations == 1
    [event] = events.of(ViolationRecorded)
    assert (event.total_violations, event.counted, event.auto_submitted) == (1, True, False)
    assert event.student_name == student.name and event.question_index == 1


@pytest.mark.parametrize(("sent", "kind"), [
    ("WINDOW_FOCUS_LOST", "focus_lost"), ("FULLSCREEN_EXIT_ATTEMPT", "fullscreen_exit"),
    ("FULLSCREEN_EXIT_FINAL", "fullscreen_exit"), ("Copy_Attempt", "copy_attempt"),
])
def test_aliases_and_any_case_are_stored_canonically(testapp, auth, student, attempt_id,
                                                     dbsession, sent, kind):
    assert report(testapp, attempt_id, student, auth, sent).json["violation_type"] == kind
    assert [row.violation_type for row in stored(dbsession, attempt_id)] == [kind]


def test_an_unknown_type_is_a_400_listing_the_accepted_ones(testapp, auth, student,
                                                            attempt_id, dbsession):
    body = assert_error(report(testapp, attempt_id, student, auth, "screenshot", status=400),
                        400)
    assert body["errors"][0]["name"] == "violation_type"
    assert all(kind in body["message"] for kind in TYPES)
    assert stored(dbsession, attempt_id) == []


@pytest.mark.parametrize("body", [
    {"violation_type": None}, {}, {"violation_type": 3},
    {"violation_type": "tab_switch", "severity": "extreme"},
    {"violation_type": "tab_switch", "question_index": -1},
    {"violation_type": "tab_switch", "question_index": 10**12},
    {"violation_type": "tab_switch", "metadata": ["not", "an", "object"]},
    {"violation_type": "tab_switch", "metadata": {"blob": "x" * 5000}},
])
def test_bad_reports_are_400_and_store_nothing(testapp, auth, student, attempt_id, dbsession,
                                               body):
    response = testapp.post_json(f"/api/attempts/{attempt_id}/violations", body,
                                 headers=auth(student), status=400)
    assert_error(response, 400)
    assert stored(dbsession, attempt_id) == []
    assert attempt_row(dbsession, attempt_id).total_violations == 0


def test_nan_in_metadata_is_a_400(testapp, auth, student, attempt_id, dbsession):
    response = testapp.post(f"/api/attempts/{attempt_id}/violations",
                            '{"violation_type": "tab_switch", "metadata": {"x": NaN}}',
                            headers={**auth(student), "Content-Type": "application/json"},
                            status=400)
    assert assert_error(response, 400)["errors"][0]["name"] == "metadata"
    assert stored(dbsession, attempt_id) == []


def test_a_sent_severity_wins_over_the_default(testapp, auth, student, attempt_id, dbsession):
    report(testapp, attempt_id, student, auth, "right_click", severity="HIGH")
    assert stored(dbsession, attempt_id)[0].severity == Severity.HIGH


def test_default_severity_comes_from_the_settings(testapp_with, auth, student, attempt_id,
                                                  dbsession):
    client = testapp_with(**{"severity.right_click": "high"})
    report(client, attempt_id, student, auth, "right_click")
    report(client, attempt_id, student, auth, "focus_lost")
    assert [row.severity for row in stored(dbsession, attempt_id)] == [Severity.HIGH,
                                                                        Severity.LOW]


def test_a_repeat_within_the_window_is_stored_but_not_counted(testapp_with, auth, student,
                                                              attempt_id, dbsession):
    client = testapp_with(debounce_seconds=3600)
    report(client, attempt_id, student, auth, "tab_switch")
    repeat = report(client, attempt_id, student, auth, "TAB_SWITCH").json
    assert (repeat["counted"], repeat["total_violations"]) == (False, 1)
    other = report(client, attempt_id, student, auth, "copy_attempt").json
    assert (other["counted"], other["total_violations"]) == (True, 2)
    assert [row.is_counted for row in stored(dbsession, attempt_id)] == [True, False, True]
    assert attempt_row(dbsession, attempt_id).total_violations == 2


def test_without_a_window_every_report_counts(testapp_with, auth, student, attempt_id):
    client = testapp_with(debounce_seconds=0, threshold=10)
    totals = [report(client, attempt_id, student, auth, "tab_switch").json["total_violations"]
              for _ in range(3)]
    assert totals == [1, 2, 3]


def test_the_window_runs_from_the_last_counted_report(testapp, auth, student, attempt_id,
                                                      dbsession):
    # The previous counted tab switch was 2.5 s ago, a debounced one 1 s ago: this counts.
    attempt = dbsession.get(QuizAttempt, attempt_id)
    now = utcnow()
    factories.ViolationFactory(attempt=attempt, detected_at=now - dt.timedelta(seconds=2.5))
    factories.ViolationFactory(attempt=attempt, detected_at=now - dt.timedelta(seconds=1),
                               is_counted=False)
    attempt.total_violations = 1
    dbsession.flush()
    body = report(testapp, attempt_id, student, auth, "tab_switch").json
    assert (body["counted"], body["total_violations"]) == (True, 2)


def test_the_threshold_auto_submits_and_grades_through_the_hook(
        testapp, auth, student, attempt_id, exam, dbsession, events, registry):
    save(testapp, attempt_id, student, auth, exam_question(dbsession, exam), answer_option=1)
    assert report(testapp, attempt_id, student, auth, "tab_switch").json["auto_submit"] is False
    assert report(testapp, attempt_id, student, auth, "copy_attempt").json["auto_submit"] is False
    third = report(testapp, attempt_id, student, auth, "fullscreen_exit").json
    assert third["auto_submit"] is True and third["total_violations"] == 3
    assert third["attempt_status"] == "auto_submitted"

    attempt = attempt_row(dbsession, attempt_id)
    assert attempt.status == AttemptStatus.AUTO_SUBMITTED
    assert attempt.auto_submitted_due_to_violations is True and attempt.submitted_at
    assert attempt.total_violations == 3
    # Graded through the core's hook whenever a grader is registered.
    assert (attempt.score is not None) is has_grader(registry)
    assert [(e.auto_submitted, e.total_violations) for e in events.of(ViolationRecorded)] == \
        [(False, 1), (False, 2), (True, 3)]
    [ended] = events.of(AttemptSubmitted)
    assert (ended.reason, ended.status) == ("violations", "auto_submitted")
    # The student's later actions meet an ended attempt.
    assert submit(testapp, attempt_id, student, auth)["auto_submitted_due_to_violations"]


def exam_question(dbsession, exam):
    from quizcore.models import Question, QuizQuestion

    link = dbsession.query(QuizQuestion).filter_by(quiz_id=exam.id, order_index=0).one()
    return dbsession.get(Question, link.question_id)


def test_auto_submit_works_without_a_grader(testapp, auth, student, attempt_id, registry,
                                            dbsession):
    grader = registry.pop(GRADER_KEY, None)
    try:
        for kind in ("tab_switch", "copy_attempt", "focus_lost"):
            body = report(testapp, attempt_id, student, auth, kind).json
    finally:
        if grader is not None:
            registry[GRADER_KEY] = grader
    assert body["auto_submit"] is True
    attempt = attempt_row(dbsession, attempt_id)
    assert (attempt.status, attempt.score) == (AttemptStatus.AUTO_SUBMITTED, None)


def test_the_threshold_comes_from_the_settings(testapp_with, auth, student, attempt_id):
    client = testapp_with(threshold=1)
    assert report(client, attempt_id, student, auth).json["auto_submit"] is True


def test_reports_after_submission_are_refused_and_not_counted(testapp, auth, student,
                                                              attempt_id, dbsession):
    report(testapp, attempt_id, student, auth, "tab_switch")
    submit(testapp, attempt_id, student, auth)
    body = assert_error(report(testapp, attempt_id, student, auth, "copy_attempt",
                               status=409), 409)
    assert body["reason"] == "submitted"
    assert len(stored(dbsession, attempt_id)) == 1
    assert attempt_row(dbsession, attempt_id).total_violations == 1


def test_a_report_after_the_deadline_submits_the_attempt_and_is_refused(
        testapp, auth, student, attempt_id, dbsession, registry, events):
    attempt = dbsession.get(QuizAttempt, attempt_id)
    grace = registry.settings["quizcore.answer_grace_seconds"]
    attempt.deadline_at = utcnow() - dt.timedelta(seconds=grace + 5)
    dbsession.flush()
    body = assert_error(report(testapp, attempt_id, student, auth, status=409), 409)
    assert body["reason"] == "time_over"
    attempt = attempt_row(dbsession, attempt_id)
    assert attempt.status == AttemptStatus.AUTO_SUBMITTED  # committed with the refusal
    assert attempt.auto_submitted_due_to_violations is False and attempt.total_violations == 0
    assert stored(dbsession, attempt_id) == []
    assert [e.reason for e in events.of(AttemptSubmitted)] == ["deadline"]


def test_only_the_attempts_student_may_report(testapp, auth, attempt_id, other_student,
                                              teacher, dbsession):
    assert_error(report(testapp, attempt_id, other_student, auth, status=404), 404)
    assert_error(report(testapp, "00000000-0000-0000-0000-000000000000", other_student, auth,
                        status=404), 404)
    assert_error(report(testapp, attempt_id, teacher, auth, status=403), 403)
    assert_error(testapp.post_json(f"/api/attempts/{attempt_id}/violations",
                                   {"violation_type": "tab_switch"}, status=401), 401)
    assert stored(dbsession, attempt_id) == []


def test_the_attempt_detail_lists_the_reports(testapp_with, auth, student, teacher,
                                              attempt_id):
    client = testapp_with(debounce_seconds=3600)
    report(client, attempt_id, student, auth, "tab_switch", question_index=0)
    report(client, attempt_id, student, auth, "tab_switch", question_index=0)
    staff = client.get(f"/api/attempts/{attempt_id}", headers=auth(teacher)).json
    assert staff["total_violations"] == 1
    assert [(v["type"], v["counted"]) for v in staff["violations"]] == \
        [("tab_switch", True), ("tab_switch", False)]
    own = client.get(f"/api/attempts/{attempt_id}", headers=auth(student)).json
    assert [v["type"] for v in own["violations"]] == ["tab_switch", "tab_switch"]
    assert "counted" not in own["violations"][0]


# -- the teacher's summary -------------------------------------------------------------------


def test_summary_by_type_and_by_student(testapp_with, testapp, auth, teacher, admin, exam,
                                        student, school_class, attempt_id):
    client = testapp_with(debounce_seconds=3600, threshold=10)
    other = factories.StudentFactory(school_class=school_class, name="Zed Other")
    other_attempt = start(client, exam, other, auth)
    report(client, attempt_id, student, auth, "tab_switch")
    report(client, attempt_id, student, auth, "tab_switch")  # debounced
    report(client, attempt_id, student, auth, "paste_attempt")
    report(client, other_attempt, other, auth, "focus_lost")
    factories.StudentFactory(school_class=school_class)  # no attempt: not listed

    body = client.get(f"/api/quizzes/{exam.id}/violations", headers=auth(teacher)).json
    assert (body["total_violations"], body["total_reports"]) == (3, 4)
    assert body["by_type"] == {**dict.fromkeys(TYPES, 0), "tab_switch": 1,
                               "paste_attempt": 1, "focus_lost": 1}
    assert body["reports_by_type"]["tab_switch"] == 2
    first, second = body["by_student"]
    assert first["student"] == {"id": student.id, "name": student.name,
                                "registration_number": student.student.registration_number}
    assert (first["total_violations"], first["total_reports"]) == (2, 3)
    assert first["by_type"]["tab_switch"] == 1 and first["reports_by_type"]["tab_switch"] == 2
    assert first["last_detected_at"].endswith("Z")
    assert (second["student"]["name"], second["total_violations"]) == ("Zed Other", 1)
    assert body["students_with_violations"] == 2 and body["auto_submitted_attempts"] == 0
    assert client.get(f"/api/quizzes/{exam.id}/violations", headers=auth(admin)).status_code \
        == 200


def test_summary_is_for_the_quiz_teacher_and_admins(testapp, auth, exam, other_teacher,
                                                    student):
    assert_error(testapp.get(f"/api/quizzes/{exam.id}/violations",
                             headers=auth(other_teacher), status=404), 404)
    assert_error(testapp.get(f"/api/quizzes/{exam.id}/violations", headers=auth(student),
                             status=403), 403)
    assert_error(testapp.get("/api/quizzes/nope/violations", headers=auth(other_teacher),
                             status=404), 404)


def test_the_core_quiz_routes_still_win(testapp, auth, student, exam):
    # /api/quizzes/access/{code} is the core's; a quiz code "violations" is looked up there
    # (404 for a student), not taken for the summary route (403 for a student).
    response = testapp.get("/api/quizzes/access/violations", headers=auth(student),
                           status=404)
    assert_error(response, 404)
    assert testapp.get(f"/api/quizzes/{exam.id}", headers=auth(student)).json["id"] == exam.id


def test_the_violation_endpoints_are_in_the_openapi_document(testapp):
    paths = testapp.get("/api/openapi.json").json["paths"]
    assert "post" in paths["/api/attempts/{id}/violations"]
    assert "get" in paths["/api/quizzes/{id}/violations"]
