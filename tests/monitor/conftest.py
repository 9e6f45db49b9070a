"""A real API for the monitor to ask: the quizcore WSGI app with the plugins of the test
run (the real student endpoints: start, answer, violations, submit), served on a free port,
against the committed test database."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from webtest.http import StopableWSGIServer

from tests import factories
from tests.conftest import build_app
from tests.helpers import auth_headers

from . import rows


@pytest.fixture(scope="session")
def monitor_api_app(app_settings, engine):
    return build_app(app_settings, engine)


def serve(app) -> StopableWSGIServer:
    server = StopableWSGIServer.create(app, threads=8, clear_untrusted_proxy_headers=True)
    assert server.wait(), "the test API server did not start"
    return server


@pytest.fixture(scope="session")
def api_server(monitor_api_app):
    server = serve(monitor_api_app)
    yield server
    server.shutdown()


def token_of(registry, user) -> str:
    return auth_headers(registry, user)["Authorization"].split(" ", 1)[1]


@dataclass
class LiveExam:
    """Committed rows of an exam in progress, and a token for each person."""

    quiz_id: str
    other_quiz_id: str
    question_ids: list
    tokens: dict
    students: dict


@pytest.fixture
def live_exam(committed_session, monitor_api_app) -> LiveExam:
    registry = monitor_api_app.registry
    teacher = factories.TeacherFactory(name="Tess Teacher")
    other_teacher = factories.TeacherFactory()
    admin = factories.AdminFactory()
    school_class = factories.ClassFactory()
    factories.TeacherClassFactory(teacher=teacher, school_class=school_class)
    ada = factories.StudentFactory(school_class=school_class, name="Ada Lovelace")
    bob = factories.StudentFactory(school_class=school_class, name="Bob Byte")
    quiz, questions = rows.exam(teacher, school_class, questions=5)
    other_quiz, _ = rows.exam(teacher, school_class, questions=2)
    committed_session.commit()
    people = {"teacher": teacher, "other_teacher": other_teacher, "admin": admin,
              "ada": ada, "bob": bob}
    return LiveExam(quiz_id=quiz.id, other_quiz_id=other_quiz.id,
                    question_ids=[q.id for q in questions],
                    tokens={name: token_of(registry, user) for name, user in people.items()},
                    students={"ada": ada.id, "bob": bob.id})
