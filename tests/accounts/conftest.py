"""Fixtures for the account tests: sign-in helpers, the test outbox, recorded events."""

from __future__ import annotations

import pytest
import webtest

from tests import factories
from tests.conftest import build_app


@pytest.fixture
def outbox(app):
    """Mails delivered by the (null) mailer during the test."""
    mailer = app.registry["quizcore.mail"].mailer
    mailer.clear()
    yield mailer.outbox
    mailer.clear()


def login_body(identifier: str, password: str = factories.PASSWORD) -> dict:
    return {"email_or_reg_no": identifier, "password": password}


@pytest.fixture
def sign_in(testapp):
    """``sign_in(user)`` -> the login response body (tokens), asserting success."""
    def sign_in(user, password=factories.PASSWORD, app=None):
        client = app or testapp
        return client.post_json("/api/auth/login", login_body(user.email, password)).json
    return sign_in


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="session")
def events_app(app_settings, engine):
    return build_app({**app_settings, "quizcore.plugins": "tests.accounts.eventlog"}, engine)


class EventLog:
    def __init__(self, registry):
        self.registry = registry
        self.clear()

    def clear(self):
        self.registry["eventlog.in_transaction"].clear()
        self.registry["eventlog.after_commit"].clear()

    @property
    def committed(self):
        return list(self.registry["eventlog.after_commit"])

    def named(self, name):
        return [event for event in self.committed if event.name == name]


@pytest.fixture
def events(events_app, dbsession):
    """``(client, log)``: a client of an app whose events are recorded."""
    log = EventLog(events_app.registry)
    yield webtest.TestApp(events_app, extra_environ={"REMOTE_ADDR": "127.0.0.1"}), log
    log.clear()

