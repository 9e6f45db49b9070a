"""Students never receive answer keys before the review policy allows it, in any endpoint;
attempts of others do not exist for them."""

import pytest

from quizcore.domain.quiz_payload import cache_key
from tests import factories
from tests.helpers import assert_error

SECRETS = ("SECRET-ACCEPTED", "SECRET-SAMPLE", "SECRET-RUBRIC")
KEY_FIELDS = {"correct_answer", "accepted_answers", "sample_answer", "marking_rubric"}


def keys_in(value) -> set[str]:
    """Every dict key anywhere in a JSON document."""
    if isinstance(value, dict):
        found = set(value)
        for item in value.values():
            found |= keys_in(item)
        return found
    if isinstance(value, list):
        return set().union(*(keys_in(item) for item in value)) if value else set()
    return set()


def assert_no_keys(response):
    text = response.text
    for secret in SECRETS:
        assert secret not in text, (response.request.path, secret)
    assert not keys_in(response.json) & KEY_FIELDS, (response.request.path, response.json)


@pytest.fixture
def secret_quiz(dbsession, teacher, school_class):
    questions = [
        factories.QuestionFactory(owner=teacher, type="mcq", options=["a", "b", "c"],
                                  correct_answer=2, sample_answer="SECRET-SAMPLE",
                                  marking_rubric="SECRET-RUBRIC"),
        factories.QuestionFactory(owner=teacher, type="short_answer", options=None,
                                  correct_answer=None, accepted_answers=["SECRET-ACCEPTED"]),
        factories.QuestionFactory(owner=teacher, type="descriptive", options=None,
                                  correct_answer=None, sample_answer="SECRET-SAMPLE",
                                  marking_rubric="SECRET-RUBRIC"),
    ]
    return factories.QuizFactory(owner=teacher, questions=questions, classes=[school_class],
                                 access_code="KEYS42", allow_review=True,
                                 show_answers_after_submission=False), questions


def test_students_never_see_keys_before_or_after_submission(testapp, secret_quiz, student, auth,
                                                            redis, grader):
    quiz, questions = secret_quiz
    headers = auth(student)
    responses = [
        testapp.get("/api/quizzes", headers=headers),
        testapp.get(f"/api/quizzes/{quiz.id}", headers=headers),
        testapp.get("/api/quizzes/access/KEYS42", headers=headers),
    ]
    started = testapp.post(f"/api/quizzes/{quiz.id}/start", headers=headers)
    attempt_id = started.json["attempt_id"]
    responses += [
        started,
        testapp.post_json(f"/api/attempts/{attempt_id}/answer",
                          {"question_id": questions[1].id, "answer_text": "guess"},
                          headers=headers),
        testapp.post(f"/api/quizzes/{quiz.id}/start", headers=headers),
        testapp.get(f"/api/attempts/{attempt_id}", headers=headers),
        testapp.get(f"/api/attempts/{attempt_id}/status", headers=headers),
        testapp.get("/api/attempts", headers=headers),
        testapp.post(f"/api/attempts/{attempt_id}/submit", headers=headers),
        testapp.get(f"/api/attempts/{attempt_id}", headers=headers),  # review, no keys
    ]
    for response in responses:
        assert_no_keys(response)
    review = responses[-1].json
    assert review["review"] == {"answers": True, "marks": True, "correct_answers": False,
                                "feedback": True}
    # The cached student view holds no keys either.
    cached = redis.get(cache_key(quiz.id))
    assert cached and not any(secret in cached for secret in SECRETS)
    assert not any(f'"{field}"' in cached for field in KEY_FIELDS)


def test_no_review_means_no_answers_at_all(testapp, secret_quiz, student, auth, dbsession):
    quiz, questions = secret_quiz
    quiz.allow_review = False
    quiz.show_answers_after_submission = True
    dbsession.flush()
    attempt_id = testapp.post(f"/api/quizzes/{quiz.id}/start", headers=auth(student)).json[
        "attempt_id"]
    testapp.post(f"/api/attempts/{attempt_id}/submit", headers=auth(student))
    detail = testapp.get(f"/api/attempts/{attempt_id}", headers=auth(student))
    assert_no_keys(detail)
    assert detail.json["answers"] == []


def test_keys_after_submission_when_the_quiz_shows_them_but_never_the_rubric(
        testapp, secret_quiz, student, teacher, auth, dbsession):
    quiz, questions = secret_quiz
    quiz.show_answers_after_submission = True
    quiz.randomize_options = True
    dbsession.flush()
    headers = auth(student)
    attempt_id = testapp.post(f"/api/quizzes/{quiz.id}/start", headers=headers).json[
        "attempt_id"]
    in_progress = testapp.get(f"/api/attempts/{attempt_id}", headers=headers)
    assert_no_keys(in_progress)
    testapp.post(f"/api/attempts/{attempt_id}/submit", headers=headers)
    review = testapp.get(f"/api/attempts/{attempt_id}", headers=headers).json
    mcq = next(a for a in review["answers"] if a["question_id"] == questions[0].id)
    # The key is given as the student saw the options.
    assert mcq["question"]["options"][mcq["correct_answer"]] == "c"
    short = next(a for a in review["answers"] if a["question_id"] == questions[1].id)
    assert short["accepted_answers"] == ["SECRET-ACCEPTED"]
    assert "SECRET-RUBRIC" not in str(review) and "marking_rubric" not in keys_in(review)
    staff = testapp.get(f"/api/attempts/{attempt_id}", headers=auth(teacher)).json
    assert "SECRET-RUBRIC" in str(staff)


def test_another_students_attempt_does_not_exist_for_them(testapp, secret_quiz, student, auth,
                                                          dbsession):
    quiz, questions = secret_quiz
    classmate = factories.StudentFactory(school_class=dbsession.get(
        factories.models.SchoolClass, quiz_class_id(dbsession, quiz)))
    attempt_id = testapp.post(f"/api/quizzes/{quiz.id}/start", headers=auth(student)).json[
        "attempt_id"]
    for response in (
        testapp.get(f"/api/attempts/{attempt_id}", headers=auth(classmate), status=404),
        testapp.get(f"/api/attempts/{attempt_id}/status", headers=auth(classmate), status=404),
        testapp.post_json(f"/api/attempts/{attempt_id}/answer",
                          {"question_id": questions[0].id, "answer_option": 0},
                          headers=auth(classmate), status=404),
        testapp.post(f"/api/attempts/{attempt_id}/submit", headers=auth(classmate), status=404),
    ):
        body = assert_error(response, 404)
        assert body["message"] == "Attempt not found."
    # The same 404 as for an attempt that never existed.
    ghost = testapp.get("/api/attempts/00000000-0000-0000-0000-000000000000",
                        headers=auth(classmate), status=404).json
    assert ghost["message"] == "Attempt not found."


def quiz_class_id(dbsession, quiz):
    return dbsession.query(factories.models.QuizClass).filter_by(quiz_id=quiz.id).one().class_id


def test_students_cannot_use_teacher_endpoints(testapp, secret_quiz, student, auth):
    quiz, questions = secret_quiz
    headers = auth(student)
    assert_error(testapp.get(f"/api/questions/{questions[0].id}", headers=headers,
                             status=403), 403)
    assert_error(testapp.post(f"/api/quizzes/{quiz.id}/publish", headers=headers, status=403),
                 403)
    assert_error(testapp.put_json(f"/api/quizzes/{quiz.id}", {"title": "x"}, headers=headers,
                                  status=403), 403)


def test_anonymous_requests_are_401(testapp, secret_quiz):
    quiz, _ = secret_quiz
    assert_error(testapp.get(f"/api/quizzes/{quiz.id}", status=401), 401)
    assert_error(testapp.post(f"/api/quizzes/{quiz.id}/start", status=401), 401)
