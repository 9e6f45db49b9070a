"""Fixtures of the security suite."""

from __future__ import annotations

import pytest
import webtest

from tests.conftest import build_app

#: Small limits, so oversized requests stay cheap to build (the defaults are 16 MiB).
BODY_LIMIT = 64 * 1024
UPLOAD_LIMIT = 4 * 1024


@pytest.fixture(scope="session")
def limited_app(app_settings, engine):
    """The app with a small body limit and a smaller CSV upload limit."""
    return build_app({**app_settings, "quizcore.max_body_bytes": str(BODY_LIMIT),
                      "quizcore.csv_import.max_upload_bytes": str(UPLOAD_LIMIT)}, engine)


@pytest.fixture
def limited(limited_app, dbsession) -> webtest.TestApp:
    return webtest.TestApp(limited_app, extra_environ={"REMOTE_ADDR": "127.0.0.1"})


# The monitor sidecar's fixtures (the test API served on a free port, a committed exam).
from tests.monitor.conftest import api_server, live_exam, monitor_api_app  # noqa: E402, F401
