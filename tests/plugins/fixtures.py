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
