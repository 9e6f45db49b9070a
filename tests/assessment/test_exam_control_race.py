"""Extensions racing the sweeper on real MariaDB with committed data: an extension either
wins (the attempt keeps running to its new deadline and later saves count) or loses with a
409 and changes nothing; never a half-extended attempt."""

import datetime as dt

import pytest
import sqlalchemy as sa
import webtest
from pyramid.scripting import prepare

from quizcore.domain.attempts import expire_attempt
from quizcore.models import AttemptStatus, QuizAttempt, StudentAnswer, utcnow
from tests import factories
from tests.helpers import run_together

pytestmark = pytest.mark.slow

PAIRS = 6


@pytest.fixture
def overdue(committed_session):
    """``PAIRS`` attempts whose deadline (and grace) passed a minute ago, not yet swept."""
    now = utcnow().replace(microsecond=0)
    teacher = factories.TeacherFactory()
    school_class = factories.ClassFactory()
    factories.TeacherClassFactory(teacher=teacher, school_class=school_class)
    question = factories.QuestionFactory(owner=teacher, marks=2, correct_answer=1)
    quiz = factories.QuizFactory(owner=teacher, questions=[question], classes=[school_class])
    students = [factories.StudentFactory(school_class=school_class) for _ in range(PAIRS)]
    attempts = [factories.QuizAttemptFactory(quiz=quiz, student=s,
                                             started_at=now - dt.timedelta(minutes=40),
                                             deadline_at=now - dt.timedelta(minutes=1))
                for s in students]
    committed_session.commit()
    return {"teacher": teacher, "students": students, "attempts": attempts,
            "question": question, "deadline": now - dt.timedelta(minutes=1)}


def client(app):
    return webtest.TestApp(app, extra_environ={"REMOTE_ADDR": "127.0.0.1"})


def sweep_one(app, attempt_id):
    env = prepare(registry=app.registry)
    try:
        with env["request"].tm:
            return expire_attempt(env["request"].dbsession, attempt_id, now=utcnow())
    finally:
        env["closer"]()


def test_an_extension_racing_the_sweeper_wins_whole_or_loses_with_a_409(
        committed_app, app, overdue, auth, engine, grader):
    teacher_headers = auth(overdue["teacher"])
    attempts = overdue["attempts"]

    def action(i):
        attempt_id = attempts[i // 2].id
        if i % 2 == 0:
            return sweep_one(app, attempt_id)
        return client(app).post_json(f"/api/attempts/{attempt_id}/extend", {"minutes": 15},
                                     headers=teacher_headers, expect_errors=True)

    results = run_together(2 * PAIRS, action)
    for index, attempt in enumerate(attempts):
        swept, extension = results[2 * index], results[2 * index + 1]
        assert not isinstance(swept, Exception), swept
        with engine.connect() as connection:
            row = connection.execute(sa.select(QuizAttempt.status, QuizAttempt.deadline_at)
                                     .where(QuizAttempt.id == attempt.id)).one()
        if extension.status_code == 200:
            # The extension won: the sweeper found time left and did nothing.
            assert swept is None
            assert row.status == AttemptStatus.IN_PROGRESS
            assert row.deadline_at > utcnow() + dt.timedelta(minutes=14)
            assert extension.json["deadline_at"].startswith(row.deadline_at.isoformat()[:19])
        else:
            # The sweeper won: a clear 409, the deadline untouched.
            assert extension.status_code == 409, extension.text
            assert extension.json["reason"] == "not_in_progress"
            assert swept is not None and swept.status == AttemptStatus.AUTO_SUBMITTED
            assert row.status == AttemptStatus.AUTO_SUBMITTED
            assert row.deadline_at == overdue["deadline"]


def test_saves_up_to_an_extended_deadline_count(committed_app, app, overdue, auth, engine,
                                                grader):
    attempt = overdue["attempts"][0]
    student = overdue["students"][0]
    client(app).post_json(f"/api/attempts/{attempt.id}/extend", {"minutes": 15},
                          headers=auth(overdue["teacher"]))
    # The extension is committed: the sweeper now leaves the attempt alone...
    assert sweep_one(app, attempt.id) is None
    # ...and the student's save after the old deadline is acknowledged and graded.
    saved = client(app).post_json(f"/api/attempts/{attempt.id}/answer",
                                  {"question_id": overdue["question"].id, "answer_option": 1},
                                  headers=auth(student))
    assert saved.status_code == 200
    result = client(app).post(f"/api/attempts/{attempt.id}/submit", headers=auth(student)).json
    assert result["attempt_status"] == "graded" and result["score"] == 2.0
    with engine.connect() as connection:
        final = connection.execute(sa.select(StudentAnswer.is_final).where(
            StudentAnswer.attempt_id == attempt.id)).scalar_one()
    assert final is True
    # An attempt the sweeper did end is refused, and stays ended.
    other = overdue["attempts"][1]
    assert sweep_one(app, other.id) is not None
    refused = client(app).post_json(f"/api/attempts/{other.id}/extend", {"minutes": 15},
                                    headers=auth(overdue["teacher"]), expect_errors=True)
    assert refused.status_code == 409 and refused.json["reason"] == "not_in_progress"
