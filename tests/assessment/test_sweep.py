"""Abandoned attempts are auto-submitted by the server: ``quizctl sweep`` and the optional
background sweeper."""

import datetime as dt
import os
import subprocess
import sys
import threading

import pytest
import sqlalchemy as sa
from pyramid.scripting import prepare

from quizcore.models import AttemptStatus, QuizAttempt, StudentAnswer, utcnow
from quizcore.scripts.sweep import LOCK_KEY, sweep_expired
from tests import factories
from tests.conftest import ROOT, base_settings, build_app

pytestmark = pytest.mark.slow


@pytest.fixture
def abandoned(committed_session):
    """An attempt abandoned mid-exam an hour ago with three saved answers, an attempt still
    running, and one whose deadline passed but whose grace period has not."""
    now = utcnow().replace(microsecond=0)
    teacher = factories.TeacherFactory()
    school_class = factories.ClassFactory()
    questions = [factories.QuestionFactory(owner=teacher, marks=2) for _ in range(4)]
    quiz = factories.QuizFactory(owner=teacher, questions=questions, classes=[school_class])
    students = [factories.StudentFactory(school_class=school_class) for _ in range(3)]
    gone = factories.QuizAttemptFactory(quiz=quiz, student=students[0],
                                        started_at=now - dt.timedelta(minutes=90),
                                        deadline_at=now - dt.timedelta(minutes=60))
    for index, question in enumerate(questions[:3]):
        factories.StudentAnswerFactory(attempt=gone, question=question, answer_option=index,
                                       client_seq=index + 1)
    running = factories.QuizAttemptFactory(quiz=quiz, student=students[1])
    in_grace = factories.QuizAttemptFactory(quiz=quiz, student=students[2],
                                            started_at=now - dt.timedelta(minutes=30),
                                            deadline_at=now - dt.timedelta(seconds=5))
    committed_session.commit()
    return {"gone": gone, "running": running, "in_grace": in_grace, "questions": questions}


def attempt_row(engine, attempt_id):
    with engine.connect() as connection:
        return connection.execute(sa.select(QuizAttempt).where(
            QuizAttempt.id == attempt_id)).one()


def answer_rows(engine, attempt_id):
    with engine.connect() as connection:
        return connection.execute(
            sa.select(StudentAnswer.question_id, StudentAnswer.answer_option,
                      StudentAnswer.is_final)
            .where(StudentAnswer.attempt_id == attempt_id)
            .order_by(StudentAnswer.client_seq)).all()


def test_quizctl_sweep_submits_the_abandoned_attempt_with_all_its_answers(
        abandoned, engine, database_url, redis_url):
    env = {**os.environ, "QUIZCORE_DATABASE_URL": database_url,
           "QUIZCORE_REDIS_URL": redis_url,
           "QUIZCORE_PLUGINS": "tests.assessment.graderplugin"}
    result = subprocess.run(
        [sys.executable, "-m", "quizcore.scripts.quizctl", "-c", "development.ini", "sweep"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Auto-submitted 1 expired attempt(s)." in result.stdout
    gone = attempt_row(engine, abandoned["gone"].id)
    assert gone.status == AttemptStatus.AUTO_SUBMITTED
    assert gone.submitted_at == abandoned["gone"].deadline_at
    # Graded by the plugin's grader through the hook: 3 answered questions of 2 marks.
    assert (gone.score, gone.total_marks) == (6, 8)
    answers = answer_rows(engine, abandoned["gone"].id)
    assert [(qid, option, final) for qid, option, final in answers] == [
        (question.id, index, True) for index, question in enumerate(abandoned["questions"][:3])]
    assert attempt_row(engine, abandoned["running"].id).status == AttemptStatus.IN_PROGRESS
    assert attempt_row(engine, abandoned["in_grace"].id).status == AttemptStatus.IN_PROGRESS

    again = subprocess.run(
        [sys.executable, "-m", "quizcore.scripts.quizctl", "-c", "development.ini", "sweep"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert "Auto-submitted 0 expired attempt(s)." in again.stdout


def test_sweep_in_process_grades_once(abandoned, app, engine, grader):
    env = prepare(registry=app.registry)
    try:
        first = sweep_expired(env["request"])
        second = sweep_expired(env["request"])
    finally:
        env["closer"]()
    assert [r.attempt_id for r in first] == [abandoned["gone"].id] and second == []
    assert grader.calls == [abandoned["gone"].id]
    assert grader.seen == [{q.id: i + 1 for i, q in enumerate(abandoned["questions"][:3])}]


def test_background_sweeper_takes_the_lock_and_submits(abandoned, database_url, redis_url,
                                                       engine, redis):
    settings = base_settings(database_url, redis_url,
                             **{"quizcore.sweep_interval_seconds": "1"})
    app = build_app(settings, engine)
    sweeper = app.registry["quizcore.sweeper"]
    try:
        finished = threading.Event()
        deadline = utcnow() + dt.timedelta(seconds=30)
        while utcnow() < deadline:
            if attempt_row(engine, abandoned["gone"].id).status != AttemptStatus.IN_PROGRESS:
                finished.set()
                break
            finished.wait(0.1)  # polling interval, bounded by the deadline above
        assert finished.is_set(), "the background sweeper did not submit the attempt"
        assert redis.get(LOCK_KEY) == sweeper.token
    finally:
        sweeper.stop()
        sweeper.join(timeout=30)
    assert not sweeper.is_alive()
    assert attempt_row(engine, abandoned["gone"].id).submitted_at == \
        abandoned["gone"].deadline_at
