"""Fixtures of the import tests: apps with small limits, and one that records events."""

from __future__ import annotations

import pytest
import webtest

from tests.conftest import build_app

PLUGIN = "quiz_plugins.csv_import"
_VARIANTS: dict = {}


@pytest.fixture
def app_with(app_settings, engine, app, dbsession):
    """``app_with(plugins=..., **settings)`` -> a TestApp of the app built with those settings
    (once per run), bound to this test's rolled-back connection like ``testapp``."""
    def make(plugins: str = PLUGIN, **overrides):
        settings = {**app_settings, "quizcore.plugins": plugins,
                    **{key: str(value) for key, value in overrides.items()}}
        key = tuple(sorted(settings.items()))
        if key not in _VARIANTS:
            _VARIANTS[key] = build_app(settings, engine)
        variant = _VARIANTS[key]
        variant.registry["dbsession_factory"] = app.registry["dbsession_factory"]
        return webtest.TestApp(variant, extra_environ={"REMOTE_ADDR": "127.0.0.1"})
    return make


@pytest.fixture
def events(app_with):
    """``(client, log)``: an app with the plugin whose committed events are recorded."""
    client = app_with(plugins=f"{PLUGIN}\ntests.accounts.eventlog")
    registry = client.app.registry
    registry["eventlog.after_commit"].clear()
    registry["eventlog.in_transaction"].clear()
    yield client, registry["eventlog.after_commit"]
    registry["eventlog.after_commit"].clear()
    registry["eventlog.in_transaction"].clear()
