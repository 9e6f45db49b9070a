"""A Redis that answers but refuses is as unavailable as one that is down (REDIS_ERRORS)."""

import pytest
import redis as redis_lib
import webtest

from tests.conftest import base_settings, build_app
from tests.monitor.redis_server import PrivateRedis


@pytest.fixture
def full_redis(tmp_path):
    """A private redis-server at its memory limit: writes are refused with OOM."""
    server = PrivateRedis(tmp_path)
    server.start()
    client = redis_lib.Redis.from_url(server.url, socket_timeout=2, decode_responses=True)
    client.config_set("maxmemory-policy", "noeviction")
    client.config_set("maxmemory", "1")
    with pytest.raises(redis_lib.exceptions.OutOfMemoryError):
        client.set("probe", "x")
    yield client
    client.close()
    server.stop()


def test_an_event_refused_by_a_full_redis_is_counted_and_the_request_succeeds(
        database_url, engine, dbsession, full_redis, caplog):
    settings = base_settings(database_url, "redis://unused", **{
        "quizcore.plugins": "tests.testplugin"})
    app = build_app(settings, engine, full_redis)
    response = webtest.TestApp(app).post("/api/testplugin/event/commit?quiz=q-oom")
    assert response.status_code == 200
    assert app.registry["quizcore.realtime_failures"].value == 1
    assert any("Could not publish" in r.getMessage() and "maxmemory" in r.getMessage()
               for r in caplog.records)
