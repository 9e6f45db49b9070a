"""With the anti-cheat plugin removed from the ini: its endpoints answer 404 and exams run
as before."""

import pytest

from tests import factories
from tests.helpers import assert_error
from tests.plugins.exam import app_without, client_of, has_grader, save, start, submit


@pytest.fixture(scope="module")
def app_without_anticheat(app_settings, engine):
    return app_without(app_settings, engine, "quiz_plugins.anticheat")


@pytest.fixture
def client(app_without_anticheat, dbsession):
    return client_of(app_without_anticheat)


def test_the_violation_endpoints_are_404_and_exams_still_run(client, auth, teacher,
                                                             school_class, student):
    question = factories.QuestionFactory(owner=teacher, correct_answer=1)
    quiz = factories.QuizFactory(owner=teacher, classes=[school_class], questions=[question])
    attempt_id = start(client, quiz, student, auth)
    response = client.post_json(f"/api/attempts/{attempt_id}/violations",
                                {"violation_type": "tab_switch"}, headers=auth(student),
                                status=404)
    assert_error(response, 404)
    assert_error(client.get(f"/api/quizzes/{quiz.id}/violations", headers=auth(teacher),
                            status=404), 404)
    save(client, attempt_id, student, auth, question, answer_option=1)
    graded = has_grader(client.app.registry)
    assert submit(client, attempt_id, student, auth)["attempt_status"] == \
        ("graded" if graded else "submitted")
    detail = client.get(f"/api/attempts/{attempt_id}", headers=auth(teacher)).json
    assert detail["violations"] == [] and detail["total_violations"] == 0
