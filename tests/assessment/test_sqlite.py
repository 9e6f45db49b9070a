"""The development database is SQLite: the whole exam flow runs on it too (upserts, the
savepoint around a new attempt, the sweep)."""

import datetime as dt

import pytest
import webtest
from alembic import command
from pyramid.scripting import prepare

from quizcore.db import make_engine
from quizcore.migrations import alembic_config
from quizcore.models import (
    AttemptStatus,
    QuizAttempt,
    Role,
    SchoolClass,
    Student,
    StudentAnswer,
    Teacher,
    TeacherClass,
    User,
    utcnow,
)
from quizcore.scripts.sweep import sweep_expired
from tests.conftest import base_settings, build_app
from tests.helpers import auth_headers


@pytest.fixture
def sqlite_app(tmp_path, redis_url, redis):
    url = f"sqlite:///{tmp_path / 'school.sqlite'}"
    command.upgrade(alembic_config(url), "head")
    engine = make_engine(url)
    app = build_app(base_settings(url, redis_url), engine)
    yield app
    engine.dispose()


def people(app):
    session = app.registry["dbsession_factory"]()
    teacher = User(email="t@school.example", name="Teacher", role=Role.TEACHER)
    student = User(email="s@school.example", name="Student", role=Role.STUDENT)
    school_class = SchoolClass(name="9", section="A", academic_year="2026")
    session.add_all([teacher, student, school_class])
    session.flush()
    session.add_all([Teacher(id=teacher.id), TeacherClass(teacher_id=teacher.id,
                                                          class_id=school_class.id),
                     Student(id=student.id, registration_number="S1",
                             class_id=school_class.id, is_account_claimed=True)])
    session.commit()
    return session, teacher, student, school_class


def test_exam_flow_on_sqlite(sqlite_app):
    session, teacher, student, school_class = people(sqlite_app)
    client = webtest.TestApp(sqlite_app)
    as_teacher = auth_headers(sqlite_app.registry, teacher)
    as_student = auth_headers(sqlite_app.registry, student)
    question = client.post_json("/api/questions", {
        "text": "Capital of France?", "type": "short_answer", "marks": 2,
        "accepted_answers": ["Paris"]}, headers=as_teacher, status=201).json
    quiz = client.post_json("/api/quizzes", {
        "title": "Capitals", "subject": "Geography", "time_limit_minutes": 5,
        "question_ids": [question["id"]], "class_ids": [school_class.id],
        "randomize_options": True}, headers=as_teacher, status=201).json
    client.post(f"/api/quizzes/{quiz['id']}/publish", headers=as_teacher)
    attempt_id = client.post(f"/api/quizzes/{quiz['id']}/start", headers=as_student,
                             status=201).json["attempt_id"]
    assert client.post(f"/api/quizzes/{quiz['id']}/start", headers=as_student,
                       status=200).json["attempt_id"] == attempt_id
    answer = f"/api/attempts/{attempt_id}/answer"
    for text, seq in (("Lyon", 1), ("Paris", 3), ("Nice", 2)):
        client.post_json(answer, {"question_id": question["id"], "answer_text": text,
                                  "client_seq": seq}, headers=as_student)
    stored = session.query(StudentAnswer).filter_by(attempt_id=attempt_id).one()
    assert (stored.answer_text, stored.client_seq) == ("Paris", 3)

    # Abandoned: the deadline passes and the sweeper submits it.
    attempt = session.get(QuizAttempt, attempt_id)
    attempt.deadline_at = utcnow() - dt.timedelta(hours=1)
    session.commit()
    env = prepare(registry=sqlite_app.registry)
    try:
        swept = sweep_expired(env["request"])
    finally:
        env["closer"]()
    assert [r.attempt_id for r in swept] == [attempt_id]
    session.expire_all()
    assert session.get(QuizAttempt, attempt_id).status == AttemptStatus.AUTO_SUBMITTED
    assert session.query(StudentAnswer).filter_by(attempt_id=attempt_id).one().is_final
    session.close()
