"""Teacher actions on a running exam over HTTP: extend one attempt or the whole quiz,
force-submit, reopen; the extension shown live. (The audit and notification plugins' parts:
tests/plugins/audit and tests/plugins/notifications.)"""

import datetime as dt
import json

import pytest

from quizcore.models import AttemptStatus, QuizAttempt, utcnow
from quizcore.wire import stream_key
from tests import factories
from tests.helpers import assert_error

from .conftest import make_questions, quiz_questions


@pytest.fixture
def quiz(dbsession, teacher, school_class):
    return factories.QuizFactory(owner=teacher, questions=make_questions(teacher, 2),
                                 classes=[school_class], max_attempts=1, time_limit_minutes=30)


def start(testapp, quiz, student, auth):
    return testapp.post(f"/api/quizzes/{quiz.id}/start", headers=auth(student),
                        status=201).json


def when(text):
    return dt.datetime.fromisoformat(text.rstrip("Z"))


def test_extending_an_attempt_moves_the_deadline_the_student_sees(
        testapp, quiz, teacher, student, auth, dbsession, redis, grader):
    started = start(testapp, quiz, student, auth)
    attempt_id = started["attempt_id"]
    body = testapp.post_json(f"/api/attempts/{attempt_id}/extend", {"minutes": 10},
                             headers=auth(teacher)).json
    assert when(body["deadline_at"]) == when(started["deadline_at"]) + dt.timedelta(minutes=10)
    assert body["time_remaining_seconds"] > 30 * 60
    status = testapp.get(f"/api/attempts/{attempt_id}/status", headers=auth(student)).json
    assert status["deadline_at"] == body["deadline_at"]
    question = quiz_questions(dbsession, quiz)[0]
    saved = testapp.post_json(f"/api/attempts/{attempt_id}/answer",
                              {"question_id": question.id, "answer_option": 1},
                              headers=auth(student)).json
    assert saved["deadline_at"] == body["deadline_at"]

    target = (when(body["deadline_at"]) + dt.timedelta(minutes=5)).isoformat() + "Z"
    moved = testapp.post_json(f"/api/attempts/{attempt_id}/extend", {"deadline_at": target},
                              headers=auth(teacher)).json
    assert moved["deadline_at"] == target

    entries = [(fields["type"], json.loads(fields["data"]))
               for _, fields in redis.xrange(stream_key(quiz.id))]
    extended = [data for kind, data in entries if kind == "attempt_extended"]
    assert extended[-1] == {"attempt_id": attempt_id, "student_id": student.id,
                            "deadline_at": target}


def test_an_attempt_that_has_ended_cannot_be_extended(testapp, quiz, teacher, student, auth,
                                                      dbsession, grader):
    attempt_id = start(testapp, quiz, student, auth)["attempt_id"]
    testapp.post(f"/api/attempts/{attempt_id}/submit", headers=auth(student))
    before = dbsession.get(QuizAttempt, attempt_id).deadline_at
    body = assert_error(testapp.post_json(f"/api/attempts/{attempt_id}/extend",
                                          {"minutes": 5}, headers=auth(teacher),
                                          expect_errors=True), 409)
    assert body["reason"] == "not_in_progress"
    dbsession.expire_all()
    assert dbsession.get(QuizAttempt, attempt_id).deadline_at == before


@pytest.mark.parametrize("body", [
    {"minutes": -5}, {"minutes": 0}, {}, {"minutes": 5, "deadline_at": "2030-01-01T00:00:00Z"},
    {"deadline_at": "2001-01-01T00:00:00Z"}, {"deadline_at": "soon"},
])
def test_bad_extensions_are_refused_and_change_nothing(testapp, quiz, teacher, student, auth,
                                                      dbsession, body):
    attempt_id = start(testapp, quiz, student, auth)["attempt_id"]
    before = dbsession.get(QuizAttempt, attempt_id).deadline_at
    assert_error(testapp.post_json(f"/api/attempts/{attempt_id}/extend", body,
                                   headers=auth(teacher), expect_errors=True), 400)
    dbsession.expire_all()
    assert dbsession.get(QuizAttempt, attempt_id).deadline_at == before


def test_another_teacher_cannot_act_on_the_attempt(testapp, quiz, other_teacher, student, auth):
    attempt_id = start(testapp, quiz, student, auth)["attempt_id"]
    for path, body in (("extend", {"minutes": 5}), ("force-submit", {"reason": "x"}),
                       ("reopen", {})):
        assert_error(testapp.post_json(f"/api/attempts/{attempt_id}/{path}", body,
                                       headers=auth(other_teacher), expect_errors=True), 404)
    assert_error(testapp.post_json(f"/api/quizzes/{quiz.id}/extend", {"minutes": 5},
                                   headers=auth(other_teacher), expect_errors=True), 404)


def test_extending_the_quiz_extends_every_attempt_in_progress(testapp, quiz, teacher, student,
                                                              school_class, auth, dbsession,
                                                              grader):
    second = factories.StudentFactory(school_class=school_class)
    done = factories.StudentFactory(school_class=school_class)
    first_id = start(testapp, quiz, student, auth)["attempt_id"]
    second_id = start(testapp, quiz, second, auth)["attempt_id"]
    done_id = start(testapp, quiz, done, auth)["attempt_id"]
    testapp.post(f"/api/attempts/{done_id}/submit", headers=auth(done))
    dbsession.expire_all()
    before = {i: dbsession.get(QuizAttempt, i).deadline_at for i in (first_id, second_id, done_id)}
    body = testapp.post_json(f"/api/quizzes/{quiz.id}/extend", {"minutes": 10},
                             headers=auth(teacher)).json
    assert body == {"extended": 2}
    dbsession.expire_all()
    for attempt_id in (first_id, second_id):
        assert dbsession.get(QuizAttempt, attempt_id).deadline_at == \
            before[attempt_id] + dt.timedelta(minutes=10)
    assert dbsession.get(QuizAttempt, done_id).deadline_at == before[done_id]


def test_force_submit_grades_the_saved_answers_and_records_the_reason(
        testapp, quiz, teacher, student, auth, dbsession, grader):
    attempt_id = start(testapp, quiz, student, auth)["attempt_id"]
    mcq = quiz_questions(dbsession, quiz)[0]
    testapp.post_json(f"/api/attempts/{attempt_id}/answer",
                      {"question_id": mcq.id, "answer_option": 1}, headers=auth(student))
    body = testapp.post_json(f"/api/attempts/{attempt_id}/force-submit",
                             {"reason": "Phone on the desk"}, headers=auth(teacher)).json
    assert body["attempt_status"] == "force_submitted"
    assert grader.calls == [attempt_id]
    dbsession.expire_all()
    attempt = dbsession.get(QuizAttempt, attempt_id)
    assert attempt.status == AttemptStatus.FORCE_SUBMITTED
    assert attempt.force_submit_reason == "Phone on the desk"
    shown = testapp.get(f"/api/attempts/{attempt_id}", headers=auth(student)).json
    assert (shown["status"], shown["force_submit_reason"]) == \
        ("force_submitted", "Phone on the desk")
    # Saves are refused afterwards, and a second force-submit is a conflict.
    assert_error(testapp.post_json(f"/api/attempts/{attempt_id}/answer",
                                   {"question_id": mcq.id, "answer_option": 0},
                                   headers=auth(student), expect_errors=True), 409)
    assert_error(testapp.post_json(f"/api/attempts/{attempt_id}/force-submit", {"reason": "x"},
                                   headers=auth(teacher), expect_errors=True), 409)


def test_force_submit_needs_a_reason(testapp, quiz, teacher, student, auth, dbsession):
    attempt_id = start(testapp, quiz, student, auth)["attempt_id"]
    for body in ({}, {"reason": "   "}):
        assert_error(testapp.post_json(f"/api/attempts/{attempt_id}/force-submit", body,
                                       headers=auth(teacher), expect_errors=True), 400)
    dbsession.expire_all()
    assert dbsession.get(QuizAttempt, attempt_id).status == AttemptStatus.IN_PROGRESS


def test_reopen_grants_another_attempt(testapp, quiz, teacher, student, auth, dbsession,
                                       grader):
    attempt_id = start(testapp, quiz, student, auth)["attempt_id"]
    assert_error(testapp.post(f"/api/attempts/{attempt_id}/reopen", headers=auth(teacher),
                              expect_errors=True), 409)  # still in progress
    testapp.post(f"/api/attempts/{attempt_id}/submit", headers=auth(student))
    assert_error(testapp.post(f"/api/quizzes/{quiz.id}/start", headers=auth(student),
                              expect_errors=True), 403)
    body = testapp.post(f"/api/attempts/{attempt_id}/reopen", headers=auth(teacher)).json
    assert (body["attempts_allowed"], body["attempts_used"]) == (2, 1)
    second = start(testapp, quiz, student, auth)
    assert second["attempt_number"] == 2 and second["attempt_id"] != attempt_id
    assert second["attempts_allowed"] == 2


def test_an_extension_after_the_deadline_counts_from_now(testapp, quiz, teacher, student,
                                                         auth, dbsession):
    attempt_id = start(testapp, quiz, student, auth)["attempt_id"]
    attempt = dbsession.get(QuizAttempt, attempt_id)
    attempt.deadline_at = utcnow() - dt.timedelta(minutes=3)
    dbsession.flush()
    before = utcnow()
    body = testapp.post_json(f"/api/attempts/{attempt_id}/extend", {"minutes": 5},
                             headers=auth(teacher)).json
    assert when(body["deadline_at"]) >= before + dt.timedelta(minutes=5)
    question = quiz_questions(dbsession, quiz)[0]
    testapp.post_json(f"/api/attempts/{attempt_id}/answer",
                      {"question_id": question.id, "answer_option": 1}, headers=auth(student))
