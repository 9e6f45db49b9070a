"""An exam in progress, apps with other anti-cheat settings, the events reports emit."""

from __future__ import annotations

import pytest
import webtest

from quizcore.events import AttemptSubmitted, ViolationRecorded
from tests import factories
from tests.conftest import build_app
from tests.plugins.exam import EventRecorder, start

pytest.importorskip("quiz_plugins.anticheat", reason="the anticheat plugin is not installed")

_APPS: dict = {}


@pytest.fixture(scope="session")
def app_with(app_settings, engine):
    """``app_with(threshold=5)``: the application with other ``quizcore.anticheat.*``
    settings (built once per set of settings)."""

    def build(**overrides):
        settings = {f"quizcore.anticheat.{key}": str(value) for key, value in overrides.items()}
        key = tuple(sorted(settings.items()))
        if key not in _APPS:
            _APPS[key] = build_app({**app_settings, **settings}, engine)
        return _APPS[key]

    return build


@pytest.fixture
def testapp_with(app_with, app, dbsession):
    """``testapp_with(threshold=5)``: a WebTest client of such an app, in the test's
    rolled-back transaction like ``testapp``."""
    rebound = []

    def client(**overrides):
        other = app_with(**overrides)
        # Built after the ``connection`` fixture bound the apps to the test's transaction:
        # share the default app's (bound) session factory for the length of the test.
        rebound.append((other, other.registry["dbsession_factory"]))
        other.registry["dbsession_factory"] = app.registry["dbsession_factory"]
        return webtest.TestApp(other, extra_environ={"REMOTE_ADDR": "127.0.0.1"})

    yield client
    for other, factory in reversed(rebound):
        other.registry["dbsession_factory"] = factory


@pytest.fixture
def events(registry):
    with EventRecorder(registry, ViolationRecorded, AttemptSubmitted) as recorder:
        yield recorder


@pytest.fixture
def exam(dbsession, teacher, school_class):
    """A published quiz: two mcqs, the first right is option 1."""
    questions = [factories.QuestionFactory(owner=teacher, correct_answer=1) for _ in range(2)]
    return factories.QuizFactory(owner=teacher, classes=[school_class], questions=questions)


@pytest.fixture
def attempt_id(testapp, auth, exam, student) -> str:
    return start(testapp, exam, student, auth)


def report(testapp, attempt_id, user, auth, kind="tab_switch", status=200, **body):
    return testapp.post_json(f"/api/attempts/{attempt_id}/violations",
                             {"violation_type": kind, **body}, headers=auth(user),
                             status=status)
