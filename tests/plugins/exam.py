"""A student taking a quiz through the API, and a recorder of domain events: shared by the
plugin tests."""

from __future__ import annotations

import threading

import webtest

from quizcore.domain.grading import GRADER_KEY
from quizcore.settings import as_list
from tests.conftest import build_app


def start(testapp, quiz, student, auth, status=201) -> str:
    """Start (201) or resume (200) ``quiz`` as ``student``; the attempt id."""
    return testapp.post(f"/api/quizzes/{quiz.id}/start", headers=auth(student),
                        status=status).json["attempt_id"]


def save(testapp, attempt_id, student, auth, question, status=200, **answer):
    """Save one answer: ``answer_option=`` or ``answer_text=``."""
    return testapp.post_json(f"/api/attempts/{attempt_id}/answer",
                             {"question_id": question.id, **answer}, headers=auth(student),
                             status=status).json


def submit(testapp, attempt_id, student, auth, status=200) -> dict:
    return testapp.post(f"/api/attempts/{attempt_id}/submit", headers=auth(student),
                        status=status).json


class EventRecorder:
    """Collects the domain events of the given classes announced in the transaction (from any
    thread)."""

    def __init__(self, registry, *kinds):
        self.registry = registry
        self.kinds = kinds
        self.seen: list = []
        self.lock = threading.Lock()

    def __call__(self, event):
        with self.lock:
            self.seen.append(event)

    def __enter__(self):
        for kind in self.kinds:
            self.registry.registerHandler(self, (kind,))
        return self

    def __exit__(self, *exc):
        for kind in self.kinds:
            self.registry.unregisterHandler(self, (kind,))

    def of(self, kind) -> list:
        return [event for event in self.seen if isinstance(event, kind)]


def has_grader(registry) -> bool:
    return registry.get(GRADER_KEY) is not None


def app_without(app_settings, engine, plugin: str):
    """The application with ``plugin`` removed from the test run's plugin list."""
    plugins = [name for name in as_list(app_settings["quizcore.plugins"]) if name != plugin]
    return build_app({**app_settings, "quizcore.plugins": "\n".join(plugins)}, engine)


def client_of(app) -> webtest.TestApp:
    return webtest.TestApp(app, extra_environ={"REMOTE_ADDR": "127.0.0.1"})
