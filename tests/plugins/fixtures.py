"""Fixtures shared by the notifications and audit plugin tests."""

from __future__ import annotations

import pytest
import webtest

from quizcore.settings import as_list
from tests.conftest import build_app

from .emitter import EMITTER_PLUGIN

_APPS: dict = {}


def enabled_plugins(app_settings) -> list[str]:
    """The plugins this run enables (``make test-plugins-off`` removes one of them)."""
    return list(as_list(app_settings["quizcore.plugins"]))


@pytest.fixture
def app_variant(app_settings, engine, app, dbsession):
    """``app_variant(**settings)`` -> a TestApp of the enabled plugins plus the emitter,
    built once per distinct settings, bound to the test's rolled-back connection."""
    def make(**overrides):
        key = tuple(sorted(overrides.items()))
        if key not in _APPS:
            plugins = [*enabled_plugins(app_settings), EMITTER_PLUGIN]
            _APPS[key] = build_app({**app_settings, "quizcore.plugins": "\n".join(plugins),
                                    **overrides}, engine)
        variant = _APPS[key]
        variant.registry["dbsession_factory"] = app.registry["dbsession_factory"]
        return webtest.TestApp(variant, extra_environ={"REMOTE_ADDR": "127.0.0.1"})
    return make


@pytest.fixture
def emitter_app(app_variant):
    return app_variant()


@pytest.fixture
def outbox(emitter_app):
    """Mails the emitter app's (null) mailer delivered during the test."""
    mailer = emitter_app.app.registry["quizcore.mail"].mailer
    mailer.clear()
    yield mailer.outbox
    mailer.clear()


def emit(client, *events, outcome="commit", status=None, headers=None):
    """Emit ``(event class name, fields)`` pairs through the emitter plugin."""
    body = {"events": [{"event": name, "fields": fields} for name, fields in events]}
    expected = status or {"commit": 200, "fail": 500, "veto": 409}[outcome]
    return client.post_json(f"/api/test-emitter/{outcome}", body, status=expected,
                            headers=headers or {})


# -- exams through the real quiz and attempt endpoints ---------------------------------------


@pytest.fixture
def emitter_without_grader(emitter_app):
    """The emitter app with no grader installed during the test (as without the grading
    plugin): submissions end ``submitted`` with no score."""
    from quizcore.domain.grading import GRADER_KEY

    registry = emitter_app.app.registry
    previous = registry.pop(GRADER_KEY, None)
    yield
    if previous is not None:
        registry[GRADER_KEY] = previous


@pytest.fixture
def exam_grader(emitter_app):
    """The emitter app grades attempts during the test the way the grading plugin does:
    choice answers against their key, answered descriptive questions wait for a teacher.
    Installed where ``config.set_attempt_grader`` puts a grader."""
    from quizcore.domain.grading import GRADER_KEY
    from tests.assessment.conftest import CountingGrader

    registry = emitter_app.app.registry
    previous = registry.get(GRADER_KEY)
    registry[GRADER_KEY] = CountingGrader()
    yield registry[GRADER_KEY]
    if previous is None:
        registry.pop(GRADER_KEY, None)
    else:
        registry[GRADER_KEY] = previous


@pytest.fixture
def exam(dbsession, teacher, school_class):
    """A draft quiz for ``school_class``: a 2-mark choice question (key 1) and a 4-mark
    descriptive one, passing at 50%."""
    from quizcore.models import QuestionType
    from tests import factories

    choice = factories.QuestionFactory(owner=teacher, marks=2, correct_answer=1)
    essay = factories.QuestionFactory(owner=teacher, type=QuestionType.DESCRIPTIVE, marks=4,
                                      options=None, correct_answer=None,
                                      sample_answer="Light, water, CO2.")
    quiz = factories.QuizFactory(owner=teacher, questions=[choice, essay],
                                 classes=[school_class], status="draft", title="Plants",
                                 passing_percentage=50)
    return quiz, choice, essay


@pytest.fixture
def server_request(emitter_app):
    """A request as quizctl and the sweeper make (no HTTP, no user), on the emitter app;
    run work inside ``with request.tm:``."""
    from pyramid.scripting import prepare

    env = prepare(registry=emitter_app.app.registry)
    yield env["request"]
    env["closer"]()


def take_exam(client, quiz_id, headers, answers: dict, submit=True) -> str:
    """Start the quiz, save ``{question_id: option index or text}``, submit; the attempt id."""
    attempt_id = client.post(f"/api/quizzes/{quiz_id}/start", headers=headers,
                             status=201).json["attempt_id"]
    for question_id, answer in answers.items():
        field = "answer_option" if isinstance(answer, int) else "answer_text"
        client.post_json(f"/api/attempts/{attempt_id}/answer",
                         {"question_id": question_id, field: answer}, headers=headers)
    if submit:
        client.post(f"/api/attempts/{attempt_id}/submit", headers=headers)
    return attempt_id
