"""Fixtures of the export tests: the hand-marked exam, an app with other settings."""

from __future__ import annotations

import pytest
import webtest

from tests.conftest import build_app
from tests.marked_exam import exam  # noqa: F401 - the shared fixture

_VARIANTS: dict = {}


@pytest.fixture
def app_with(app_settings, engine, app, dbsession):
    """``app_with(**settings)`` -> a TestApp of the app built with those settings (once per
    run), bound to this test's rolled-back connection like ``testapp``."""
    def make(**overrides):
        settings = {**app_settings, **{key: str(value) for key, value in overrides.items()}}
        key = tuple(sorted(settings.items()))
        if key not in _VARIANTS:
            _VARIANTS[key] = build_app(settings, engine)
        variant = _VARIANTS[key]
        variant.registry["dbsession_factory"] = app.registry["dbsession_factory"]
        return webtest.TestApp(variant, extra_environ={"REMOTE_ADDR": "127.0.0.1"})
    return make
