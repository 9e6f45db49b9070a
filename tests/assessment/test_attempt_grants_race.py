"""Grants of more attempts racing each other on real MariaDB with committed data: each one
counts exactly once, whether it is for one student or for the whole quiz."""

import pytest
import sqlalchemy as sa
import webtest

from quizcore.models import QuizOverride
from tests import factories
from tests.helpers import run_together

pytestmark = pytest.mark.slow

GRANTS = 8


@pytest.fixture
def school(committed_session):
    teacher = factories.TeacherFactory()
    school_class = factories.ClassFactory()
    factories.TeacherClassFactory(teacher=teacher, school_class=school_class)
    quiz = factories.QuizFactory(owner=teacher, classes=[school_class], max_attempts=1,
                                 questions=[factories.QuestionFactory(owner=teacher)])
    student = factories.StudentFactory(school_class=school_class)
    classmate = factories.StudentFactory(school_class=school_class)
    committed_session.commit()
    return {"teacher": teacher, "class": school_class, "quiz": quiz, "student": student,
            "classmate": classmate}


def test_racing_grants_each_count_once(committed_app, app, school, auth, engine):
    headers = auth(school["teacher"])
    path = f"/api/quizzes/{school['quiz'].id}/grant-attempts"

    def action(i):
        body = {"additional_attempts": 1, "reason": f"grant {i}"}
        if i % 2 == 0:
            body["student_id"] = school["student"].id  # half for the student alone
        return webtest.TestApp(app, extra_environ={"REMOTE_ADDR": "127.0.0.1"}).post_json(
            path, body, headers=headers, expect_errors=True)

    results = run_together(GRANTS, action)
    assert [r.status_code for r in results] == [200] * GRANTS, [r.text for r in results]
    with engine.connect() as connection:
        rows = {(r.student_id, r.class_id): r.extra_attempts for r in connection.execute(
            sa.select(QuizOverride).where(QuizOverride.quiz_id == school["quiz"].id))}
    half = GRANTS // 2
    assert rows[(None, school["class"].id)] == half
    # The student's own value carried the class's over and got every grant of both kinds.
    assert rows[(school["student"].id, None)] == GRANTS
    assert len(rows) == 2
    for who, allowed in ((school["student"], 1 + GRANTS), (school["classmate"], 1 + half)):
        view = webtest.TestApp(app).get(f"/api/quizzes/{school['quiz'].id}",
                                        headers=auth(who)).json
        assert view["attempts_allowed"] == allowed
