"""Contract of the SPA's exam calls (``startQuiz``, ``submitAnswer``, ``submitQuiz``,
``getStudentAttempts``): the SPA's requests, the fields its pages read, and the same
attempt, answers and events as the canonical routes."""

from __future__ import annotations

import pytest

from quizcore.events import AttemptStarted, AttemptSubmitted
from quizcore.models import StudentAnswer
from tests import factories
from tests.accounts.test_refresh_cookie import NAME, set_cookie_header, spa_refresh_headers
from tests.assessment.conftest import make_questions, quiz_questions
from tests.helpers import assert_error

pytestmark = pytest.mark.plugin("quiz_plugins.spa_compat")


@pytest.fixture
def quiz(dbsession, teacher, school_class):
    return factories.QuizFactory(owner=teacher, questions=make_questions(teacher, 3),
                                 classes=[school_class])


def test_start_answer_submit_through_the_spas_paths(testapp, registry, dbsession, student,
                                                    other_student, auth, quiz):
    seen = []
    for kind in (AttemptStarted, AttemptSubmitted):
        registry.registerHandler(seen.append, (kind,))
    try:
        started = testapp.post(f"/api/student/quiz/{quiz.id}/start", headers=auth(student),
                               status=201).json
        # StudentQuizzes reads attempt_id (or attempt.id) to open the exam page.
        attempt_id = started["attempt_id"]
        assert started["attempt"]["id"] == attempt_id and started["questions"]
        again = testapp.post(f"/api/student/quiz/{quiz.id}/start", headers=auth(student),
                             status=200).json
        assert again["attempt_id"] == attempt_id and again["resumed"] is True
        mcq, true_false, short = quiz_questions(dbsession, quiz)
        # QuizTaking sends {question_id, answer}: an option index, a boolean or a text.
        for question, answer in ((mcq, 2), (true_false, True), (short, "Paris")):
            saved = testapp.post_json(f"/api/student/attempt/{attempt_id}/answer",
                                      {"question_id": question.id, "answer": answer},
                                      headers=auth(student)).json
            assert saved["question_id"] == question.id
        assert_error(testapp.post_json(f"/api/student/attempt/{attempt_id}/answer",
                                       {"question_id": mcq.id, "answer": [1]},
                                       headers=auth(student), status=400), 400)
        assert_error(testapp.post_json(f"/api/student/attempt/{attempt_id}/answer",
                                       {"question_id": mcq.id, "answer": 1},
                                       headers=auth(other_student), status=404), 404)
        dbsession.expire_all()
        assert dbsession.query(StudentAnswer).filter_by(attempt_id=attempt_id).count() == 3
        submitted = testapp.post(f"/api/student/attempt/{attempt_id}/submit",
                                 headers=auth(student)).json
        assert submitted["attempt_id"] == attempt_id and submitted["submitted_at"]
    finally:
        for kind in (AttemptStarted, AttemptSubmitted):
            registry.unregisterHandler(seen.append, (kind,))
    # The canonical domain events (the resume is announced too, resumed=True): the live
    # monitor sees attempts made through these paths like any other.
    assert [(type(e).__name__, getattr(e, "resumed", None)) for e in seen] == [
        ("AttemptStarted", False), ("AttemptStarted", True), ("AttemptSubmitted", None)]
    assert {e.attempt_id for e in seen} == {attempt_id}


def test_a_students_attempts_with_their_answers(testapp, dbsession, student, other_student,
                                                teacher, auth, quiz):
    """``getStudentAttempts(user.id)``: ``data[]`` (StudentResults) and ``attempts[]``
    (StudentQuizzes), each with ``quiz_id``, ``status``, ``score``, ``answers``,
    ``teacher_graded``."""
    started = testapp.post(f"/api/quizzes/{quiz.id}/start", headers=auth(student)).json
    mcq = quiz_questions(dbsession, quiz)[0]
    testapp.post_json(f"/api/attempts/{started['attempt_id']}/answer",
                      {"question_id": mcq.id, "answer_option": 1}, headers=auth(student))
    body = testapp.get(f"/api/attempts/student/{student.id}", headers=auth(student)).json
    (attempt,) = body["data"]
    assert body["attempts"] == body["data"]
    assert (attempt["id"], attempt["quiz_id"], attempt["status"]) == (
        started["attempt_id"], quiz.id, "in_progress")
    assert [a["question_id"] for a in attempt["answers"] if a.get("answer_option") is not None
            ] == [mcq.id]
    assert attempt["teacher_graded"] is False
    assert_error(testapp.get(f"/api/attempts/student/{student.id}",
                             headers=auth(other_student), status=404), 404)
    staff = testapp.get(f"/api/attempts/student/{student.id}", headers=auth(teacher)).json
    assert [a["id"] for a in staff["data"]] == [started["attempt_id"]]


def test_a_bad_body_is_a_400(testapp, student, auth, quiz):
    response = testapp.post(f"/api/student/quiz/{quiz.id}/start", params="[1, 2]",
                            content_type="application/json", headers=auth(student),
                            status=400)
    assert_error(response, 400)


def test_registration_is_refused_and_creates_nothing(testapp, dbsession):
    """``register()`` (the SPA's sign-up form): accounts are the school's to create."""
    from quizcore.models import User

    before = dbsession.query(User).count()
    body = assert_error(testapp.post_json("/api/auth/register", {
        "email": "intruder@example.com", "password": "Secret123!", "name": "Intruder",
        "role": "admin"}, status=403), 403)
    assert body["reason"] == "registration_closed"
    assert dbsession.query(User).count() == before


def test_the_exam_page_reads_an_attempt_whose_start_it_can_parse(testapp, student, auth,
                                                                 quiz):
    """``QuizTaking`` reads ``(response.attempt || response)`` and parses
    ``started_at + "Z"``: the ``attempt`` field carries ``started_at`` without its "Z"
    (the canonical field keeps it), ``quiz`` and ``quiz_id``."""
    started = testapp.post(f"/api/quizzes/{quiz.id}/start", headers=auth(student)).json
    body = testapp.get(f"/api/attempts/{started['attempt_id']}", headers=auth(student)).json
    assert body["started_at"].endswith("Z")
    attempt = body["attempt"]
    assert attempt["started_at"] + "Z" == body["started_at"]
    assert attempt["quiz_id"] == quiz.id and attempt["quiz"]["questions"]
    assert attempt["status"] == "in_progress" and attempt["teacher_graded"] is False


def test_the_result_page_reads_a_final_grade(testapp, student, auth, quiz):
    """``ResultDetail`` reads the same ``attempt``: ``teacher_graded`` true once graded (else
    it shows any quiz with a short answer as pending manual grading), ``score``,
    ``total_marks``, ``answers``."""
    started = testapp.post(f"/api/quizzes/{quiz.id}/start", headers=auth(student)).json
    testapp.post(f"/api/student/attempt/{started['attempt_id']}/submit", headers=auth(student))
    attempt = testapp.get(f"/api/attempts/{started['attempt_id']}",
                          headers=auth(student)).json["attempt"]
    assert attempt["status"] in {"graded", "submitted"}
    assert attempt["teacher_graded"] is (attempt["status"] == "graded")
    assert {"score", "total_marks", "answers"} <= set(attempt)


# -- the session outliving its access token (api.ts refreshToken) ----------------------------


def test_the_spa_refresh_keeps_the_session_through_the_cookie(testapp, registry, student):
    """The SPA posts ``/auth/refresh`` with no body and its expired access token, then reads
    ``data.access_token``: the plugin's refresh cookie (Secure: the school serves HTTPS)
    carries the session, rotating."""
    https = {"wsgi.url_scheme": "https", "HTTP_HOST": "localhost"}
    login = testapp.post_json("/api/auth/login", {"email": student.email,
                                                  "password": factories.PASSWORD},
                              extra_environ=https)
    assert "httponly" in set_cookie_header(login).lower()
    body = testapp.post("/api/auth/refresh", headers=spa_refresh_headers(registry, student),
                        extra_environ=https, status=200).json
    assert body["data"] == {"access_token": body["access_token"], "token_type": "bearer",
                            "expires_in": body["expires_in"]}
    assert testapp.cookies[NAME] == body["refresh_token"] != login.json["refresh_token"]
    me = testapp.get("/api/auth/me",
                     headers={"Authorization": f"Bearer {body['data']['access_token']}"})
    assert me.json["user"]["id"] == student.id
    # Without the cookie the expired access token alone is refused, as any bad refresh.
    testapp.cookiejar.clear()
    refused = testapp.post("/api/auth/refresh", headers=spa_refresh_headers(registry, student),
                           extra_environ=https, status=401).json
    assert "data" not in refused
