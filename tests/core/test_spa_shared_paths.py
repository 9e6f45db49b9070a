"""Contract of the paths the Quizmaster SPA shares with the canonical API (on MariaDB).

Each test sends the SPA's own request (``src/lib/api.ts`` and the pages of
tpaccy6-star/Quizmaster-Python-Group1) and asserts every field the SPA reads, with its type
and meaning. The canonical fields are asserted next to them: the SPA's fields are additions.
"""

from __future__ import annotations

import time

from tests import factories
from tests.assessment.conftest import make_questions
from tests.security.tokens import claims_for, signed

SPA_HEADERS = {"Content-Type": "application/json"}


def spa_auth(token: str) -> dict:
    """``getAuthHeaders()``: JSON content type and the stored access token."""
    return {**SPA_HEADERS, "Authorization": f"Bearer {token}"}


def spa_login(testapp, user) -> dict:
    """``apiService.login({email, password})``; AuthContext needs all three fields."""
    body = testapp.post_json("/api/auth/login", {"email": user.email,
                                                 "password": factories.PASSWORD},
                             headers=SPA_HEADERS, status=200).json
    assert isinstance(body["access_token"], str) and body["access_token"]
    assert isinstance(body["refresh_token"], str) and body["refresh_token"]
    assert body["user"]["id"] == user.id
    return body


def assert_spa_user(user_json: dict, user) -> None:
    """AuthContext's ``User``: id, name, email, role (admin|teacher|student), and for a
    student registration_number and class_id."""
    assert user_json["id"] == user.id
    assert user_json["name"] == user.name
    assert user_json["email"] == user.email
    assert user_json["role"] == str(user.role)


def test_auth_me_carries_user_for_a_page_reload(testapp, student, school_class):
    """``initializeAuth``: ``getCurrentUser()`` then ``response.user``, or the SPA logs out."""
    tokens = spa_login(testapp, student)
    body = testapp.get("/api/auth/me", headers=spa_auth(tokens["access_token"]),
                       status=200).json
    assert_spa_user(body["user"], student)
    assert body["user"]["registration_number"] == student.student.registration_number
    assert body["user"]["class_id"] == school_class.id
    assert "classes" not in body["user"]
    # The canonical answer is unchanged around it.
    assert body["id"] == student.id and body["role"] == "student"


def test_auth_me_user_for_staff(testapp, teacher):
    tokens = spa_login(testapp, teacher)
    body = testapp.get("/api/auth/me", headers=spa_auth(tokens["access_token"])).json
    assert_spa_user(body["user"], teacher)
    assert body["classes"] == [] or isinstance(body["classes"], list)


def test_the_spa_refresh_with_only_an_expired_access_token_is_refused_cleanly(
        testapp, registry, student, redis):
    """``refreshToken()`` posts no body and the (expired) access token: nothing identifies
    a session, so 401 in the error format (never a 500), and the refresh-token family of
    the session is untouched."""
    tokens = spa_login(testapp, student)
    past = int(time.time()) - 7200
    expired = signed(claims_for(student, iat=past, exp=past + 60),
                     registry.settings["quizcore.jwt_secret"])
    body = testapp.post("/api/auth/refresh", headers=spa_auth(expired), status=401).json
    assert body["code"] == 401
    assert isinstance(body["message"], str)
    testapp.post_json("/api/auth/refresh", {"refresh_token": tokens["refresh_token"]},
                      status=200)


def test_logout_with_the_spa_body(testapp, student):
    """``logout()``: ``{refresh_token}`` in the body with the access token."""
    tokens = spa_login(testapp, student)
    testapp.post("/api/auth/logout", params=f'{{"refresh_token": "{tokens["refresh_token"]}"}}',
                 headers=spa_auth(tokens["access_token"]), status=200)
    testapp.post_json("/api/auth/refresh", {"refresh_token": tokens["refresh_token"]},
                      status=401)


def test_access_code_lookup_carries_quiz_and_attempt_id(testapp, teacher, school_class,
                                                        student):
    """``QuizAccess``: ``GET /quizzes/access/{code}``; the SPA reads the quiz (``id``,
    ``status`` == "published") and the attempt to open."""
    quiz = factories.QuizFactory(owner=teacher, questions=make_questions(teacher, 2),
                                 classes=[school_class])
    tokens = spa_login(testapp, student)
    headers = spa_auth(tokens["access_token"])
    body = testapp.get(f"/api/quizzes/access/{quiz.access_code}", headers=headers,
                       status=200).json
    assert body["quiz"]["id"] == quiz.id
    assert body["quiz"]["status"] == "published"
    assert body["quiz"]["title"] == quiz.title
    assert body["attempt_id"] is None  # looking a code up starts nothing
    assert body["id"] == quiz.id and body["can_start"] is True  # canonical fields stay
    started = testapp.post(f"/api/quizzes/{quiz.id}/start", headers=headers,
                           status=201).json
    again = testapp.get(f"/api/quizzes/access/{quiz.access_code}/", headers=headers,
                        status=200).json
    assert again["attempt_id"] == started["attempt_id"]
    assert isinstance(again["attempt_id"], str)


def test_attempt_carries_the_questions_the_exam_page_reads(testapp, teacher, school_class,
                                                           student):
    """``QuizTaking``: ``getAttempt(id)``; reads ``status``, ``started_at``,
    ``quiz.duration_minutes``, ``quiz.questions[i].{id,type,text,options,marks}`` and the
    saved ``answers[].{question_id,answer_option,answer_text}``."""
    quiz = factories.QuizFactory(owner=teacher, questions=make_questions(teacher, 3),
                                 classes=[school_class], time_limit_minutes=20)
    tokens = spa_login(testapp, student)
    headers = spa_auth(tokens["access_token"])
    started = testapp.post(f"/api/quizzes/{quiz.id}/start", headers=headers,
                           status=201).json
    body = testapp.get(f"/api/attempts/{started['attempt_id']}", headers=headers,
                       status=200).json
    assert body["status"] == "in_progress"
    assert isinstance(body["started_at"], str)
    assert body["quiz"]["duration_minutes"] == 20
    questions = body["quiz"]["questions"]
    # The same questions, in the same order and option order, as the start answered, each
    # with the version this attempt answers.
    assert questions == started["questions"]
    assert all(q["version"] == 1 for q in questions)
    for question in questions:
        assert isinstance(question["id"], str)
        assert question["type"] in {"mcq", "true_false", "short_answer", "descriptive"}
        assert isinstance(question["text"], str)
        assert isinstance(question["marks"], int)
        assert question["options"] is None or isinstance(question["options"], list)
        assert "correct_answer" not in question  # no keys while it is in progress
    assert [a["question_id"] for a in body["answers"]] == [q["id"] for q in questions]
    assert all("answer_option" in a and "answer_text" in a for a in body["answers"])


def test_attempt_questions_follow_the_review_policy(testapp, teacher, school_class, student):
    """After submission without review, neither answers nor questions are shown."""
    quiz = factories.QuizFactory(owner=teacher, questions=make_questions(teacher, 2),
                                 classes=[school_class], allow_review=False)
    tokens = spa_login(testapp, student)
    headers = spa_auth(tokens["access_token"])
    attempt_id = testapp.post(f"/api/quizzes/{quiz.id}/start", headers=headers).json[
        "attempt_id"]
    testapp.post_json(f"/api/attempts/{attempt_id}/submit", {}, headers=headers,
                      status=200)
    body = testapp.get(f"/api/attempts/{attempt_id}", headers=headers, status=200).json
    assert body["answers"] == []
    assert body["quiz"]["questions"] == []
