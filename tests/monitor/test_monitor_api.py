"""GET /api/quizzes/{id}/monitor and the domain function behind it."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from quizcore import models
from quizcore.domain.monitor import quiz_status
from tests import factories
from tests.helpers import assert_error

from . import rows


def url(quiz_id):
    return f"/api/quizzes/{quiz_id}/monitor"


@pytest.fixture
def exam(teacher, school_class):
    return rows.exam(teacher, school_class, questions=4)


def test_owner_sees_progress_violations_and_waiting_students(testapp, auth, teacher,
                                                              school_class, student, exam):
    quiz, questions = exam
    waiting = factories.StudentFactory(school_class=school_class, name="Zoe Waiting")
    attempt = rows.attempt(quiz, student, total_violations=3)
    rows.answer(attempt, questions[0], seconds_ago=30)
    rows.answer(attempt, questions[2], seconds_ago=5)  # saved last: question 3
    rows.answer(attempt, questions[1], option=None, text="", seconds_ago=60)  # cleared
    rows.violation(attempt, models.ViolationType.TAB_SWITCH)
    rows.violation(attempt, models.ViolationType.TAB_SWITCH, counted=False)  # debounced twin
    rows.violation(attempt, models.ViolationType.FULLSCREEN_EXIT)
    rows.violation(attempt, models.ViolationType.COPY_ATTEMPT)

    body = testapp.get(url(quiz.id), headers=auth(teacher)).json

    assert body["quiz_id"] == quiz.id and body["title"] == quiz.title
    assert (body["active_attempts"], body["completed_attempts"], body["not_started"]) == (1, 0, 1)
    assert body["total_questions"] == 4 and body["generated_at"].endswith("Z")
    by_id = {entry["id"]: entry for entry in body["students"]}
    entry = by_id[student.id]
    assert entry["status"] == "in_progress"
    assert entry["answered_questions"] == 2 and entry["progress"] == 50.0
    assert entry["current_question"] == 2 and entry["current_question_number"] == 3
    assert entry["violations"] == 3
    assert (entry["tab_switches"], entry["fullscreen_exits"]) == (1, 1)
    assert 590 <= entry["time_spent_seconds"] <= 660
    assert entry["time_elapsed_minutes"] == pytest.approx(entry["time_spent_seconds"] / 60, 0.1)
    assert entry["last_activity_at"].endswith("Z") and entry["time_remaining_seconds"] > 0
    assert by_id[waiting.id]["status"] == "not_started"
    assert by_id[waiting.id]["progress"] == 0.0


def test_latest_attempt_represents_the_student_and_completed_ones_are_counted(
        testapp, auth, teacher, student, exam):
    quiz, questions = exam
    quiz.max_attempts = 2
    first = rows.attempt(quiz, student, status=models.AttemptStatus.GRADED, submitted=True,
                         score=3, started_minutes_ago=40)
    rows.answer(first, questions[0])
    rows.attempt(quiz, student, attempt_number=2, started_minutes_ago=1)

    body = testapp.get(url(quiz.id), headers=auth(teacher)).json

    assert (body["active_attempts"], body["completed_attempts"]) == (1, 1)
    [entry] = body["students"]
    assert entry["attempt_number"] == 2 and entry["answered_questions"] == 0
    assert entry["current_question"] is None and entry["current_question_number"] == 1


def test_submitted_attempt_time_stops_at_submission(testapp, auth, teacher, student, exam):
    quiz, _ = exam
    rows.attempt(quiz, student, status=models.AttemptStatus.AUTO_SUBMITTED, submitted=True,
                 started_minutes_ago=20)
    [entry] = testapp.get(url(quiz.id), headers=auth(teacher)).json["students"]
    assert entry["status"] == "auto_submitted"
    assert 1190 <= entry["time_spent_seconds"] <= 1210
    assert entry["time_remaining_seconds"] is None


def test_admin_may_watch_any_quiz(testapp, auth, admin, exam):
    quiz, _ = exam
    assert testapp.get(url(quiz.id), headers=auth(admin)).json["quiz_id"] == quiz.id


def test_other_teacher_gets_404_like_an_unknown_quiz(testapp, auth, other_teacher, exam):
    quiz, _ = exam
    assert_error(testapp.get(url(quiz.id), headers=auth(other_teacher), status=404), 404)
    assert_error(testapp.get(url(uuid.uuid4()), headers=auth(other_teacher), status=404), 404)
    assert_error(testapp.get(url("not-a-uuid"), headers=auth(other_teacher), status=404), 404)


def test_student_gets_403_and_anonymous_401(testapp, auth, student, exam):
    quiz, _ = exam
    assert_error(testapp.get(url(quiz.id), headers=auth(student), status=403), 403)
    assert_error(testapp.get(url(quiz.id), status=401), 401)


def test_query_count_does_not_grow_with_the_class(dbsession, teacher, school_class, exam):
    quiz, questions = exam

    def count_queries():
        statements = []

        def before(conn, cursor, statement, *args):
            statements.append(statement)

        sa.event.listen(dbsession.get_bind(), "before_cursor_execute", before)
        try:
            status = quiz_status(dbsession, quiz)
        finally:
            sa.event.remove(dbsession.get_bind(), "before_cursor_execute", before)
        return status, len(statements)

    def add_students(n):
        for _ in range(n):
            pupil = factories.StudentFactory(school_class=school_class)
            attempt = rows.attempt(quiz, pupil)
            rows.answer(attempt, questions[0])
            rows.violation(attempt)

    add_students(2)
    small, small_queries = count_queries()
    add_students(25)
    large, large_queries = count_queries()
    assert (len(small["students"]), len(large["students"])) == (2, 27)
    assert large_queries == small_queries <= 5
