"""The monitor sidecar under ``AsyncHTTPTestCase``, wired to the real test API and Redis."""

from __future__ import annotations

import pytest
from tornado.testing import AsyncHTTPTestCase

from monitor_server.app import Monitor
from monitor_server.config import parse

from .client import Student, Watch


def monitor_settings(api_url: str, redis_url: str, **overrides) -> dict:
    raw = {"quizcore.env": "test", "quizcore.redis_url": redis_url,
           "quizcore.monitor.api_url": api_url.rstrip("/") + "/api",
           "quizcore.monitor.status_interval_seconds": "30",
           "quizcore.monitor.poll_interval_seconds": "1",
           "quizcore.monitor.allowed_origins": "https://spa.example.org"}
    raw.update(overrides)
    return parse(raw, environ={})


class MonitorTestCase(AsyncHTTPTestCase):
    """Subclasses may set ``settings_overrides``; ``self.exam`` is the committed exam."""

    settings_overrides: dict = {}

    @pytest.fixture(autouse=True)
    def _services(self, api_server, live_exam, redis, redis_url):
        self.api_url = api_server.application_url.rstrip("/")
        self.redis_url = redis_url
        self.redis = redis
        self.exam = live_exam

    def redis_url_for_monitor(self) -> str:
        return self.redis_url

    def get_app(self):
        self.monitor = Monitor(monitor_settings(self.api_url, self.redis_url_for_monitor(),
                                                **self.settings_overrides))
        return self.monitor.app

    def setUp(self):
        super().setUp()
        self.io_loop.run_sync(self.monitor.start)

    def tearDown(self):
        self.io_loop.run_sync(self.monitor.stop)
        super().tearDown()

    # -- helpers ---------------------------------------------------------------------------

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.get_http_port()}"

    async def watch(self, who: str = "teacher", quiz_id: str | None = None, **query) -> Watch:
        token = self.exam.tokens[who] if who else None
        return await Watch.open(self.ws_url, quiz_id or self.exam.quiz_id, token, **query)

    def student(self, name: str) -> Student:
        return Student(self.api_url, self.exam.tokens[name])
