"""Fixtures of the notifications tests: the emitter app, exams through the API."""

import pytest

from tests.plugins.fixtures import (  # noqa: F401 - fixtures
    app_variant,
    emitter_app,
    emitter_without_grader,
    exam,
    exam_grader,
    outbox,
    server_request,
)

pytest.importorskip("quiz_plugins.notifications",
                    reason="the notifications plugin is not installed")
