"""Redis restarts in the middle of an exam: the monitor reconnects and resynchronises."""

from __future__ import annotations

import asyncio
import json

import pytest
import redis as redis_lib
from tornado.testing import gen_test

from tests.conftest import base_settings, build_app

from .base import MonitorTestCase
from .conftest import serve
from .redis_server import PrivateRedis


@pytest.fixture
def private_redis(tmp_path):
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def private_api(private_redis, database_url, engine):
    """The API publishing to the private Redis."""
    settings = base_settings(database_url, private_redis.url)
    client = redis_lib.Redis.from_url(private_redis.url, socket_timeout=0.5,
                                      socket_connect_timeout=0.5, decode_responses=True)
    app = build_app(settings, engine, client)
    server = serve(app)
    yield server, app
    server.shutdown()


@pytest.mark.plugin("quiz_plugins.anticheat")
class TestRedisRestart(MonitorTestCase):
    @pytest.fixture(autouse=True)
    def _services(self, private_api, private_redis, live_exam):
        server, self.api_app = private_api
        self.api_url = server.application_url.rstrip("/")
        self.private_redis = private_redis
        self.redis_url = private_redis.url
        self.exam = live_exam

    async def health_until(self, predicate, timeout=15.0):
        end = self.io_loop.time() + timeout
        while True:
            health = json.loads((await self.http_client.fetch(self.get_url("/health"))).body)
            if predicate(health):
                return health
            assert self.io_loop.time() < end, f"health never matched: {health}"
            await asyncio.sleep(0.02)  # polling with a deadline

    @gen_test(timeout=60)
    async def test_monitor_resyncs_after_a_redis_restart_and_keeps_streaming(self):
        watch = await self.watch()
        await watch.next_of("quiz_status")
        ada = self.student("ada")
        await ada.start(self.exam.quiz_id)
        assert (await watch.next_of("attempt_started"))["data"]["student_name"] == "Ada Lovelace"

        self.private_redis.stop()
        await self.health_until(lambda h: h["redis"] == "unavailable")
        # The API still commits the violation; only its live event is lost with Redis.
        assert (await ada.violate())["total_violations"] == 1
        assert self.api_app.registry["quizcore.realtime_failures"].value >= 1

        self.private_redis.start()
        resync = await watch.next_of("quiz_status", timeout=20)
        [ada_row] = [s for s in resync["data"]["students"] if s["name"] == "Ada Lovelace"]
        assert ada_row["violations"] == 1  # the event lost with Redis is in the snapshot
        health = await self.health_until(lambda h: h["redis"] == "ok")
        assert health["redis_reconnects"] >= 1 and health["watchers"] == 1

        await ada.violate("copy_attempt")
        event = await watch.next_of("violation")
        assert event["data"]["total_violations"] == 2
        assert event["data"]["violation_type"] == "copy_attempt"
