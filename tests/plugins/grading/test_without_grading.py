"""With the grading plugin removed from the ini: no grader, no /api/grading, attempts still
end (ungraded) and the rest works."""

import pytest

from tests import factories
from tests.helpers import assert_error
from tests.plugins.exam import app_without, client_of, save, start, submit


@pytest.fixture(scope="module")
def app_without_grading(app_settings, engine):
    return app_without(app_settings, engine, "quiz_plugins.grading")


@pytest.fixture
def client(app_without_grading, dbsession):
    return client_of(app_without_grading)


def test_submitted_attempts_stay_ungraded_and_the_grading_api_is_gone(
        client, auth, teacher, school_class, student):
    question = factories.QuestionFactory(owner=teacher, correct_answer=1)
    quiz = factories.QuizFactory(owner=teacher, classes=[school_class], questions=[question])
    attempt_id = start(client, quiz, student, auth)
    save(client, attempt_id, student, auth, question, answer_option=1)
    body = submit(client, attempt_id, student, auth)
    assert (body["status"], body["attempt_status"], body["score"]) == \
        ("pending", "submitted", None)
    for path in ("/api/grading/pending", "/api/grading/graded",
                 f"/api/grading/attempts/{attempt_id}"):
        assert_error(client.get(path, headers=auth(teacher), status=404), 404)
    assert_error(client.post_json(f"/api/grading/quizzes/{quiz.id}/regrade", {},
                                  headers=auth(teacher), status=404), 404)
    detail = client.get(f"/api/attempts/{attempt_id}", headers=auth(teacher)).json
    assert detail["status"] == "submitted" and detail["answers"][0]["marks_awarded"] is None
