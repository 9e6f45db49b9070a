"""Fixtures of the audit tests: the emitter app, exams through the API."""

import pytest

from tests.plugins.fixtures import (  # noqa: F401 - fixtures
    app_variant,
    emitter_app,
    exam,
    exam_grader,
    outbox,
    server_request,
)

pytest.importorskip("quiz_plugins.audit", reason="the audit plugin is not installed")
