"""Domain events: announced in the transaction, published to Redis only after commit."""

import json

import redis as redis_lib
import transaction
import webtest

from quizcore.db import get_tm_session
from quizcore.events import AttemptStarted, emit
from quizcore.wire import WAKEUP_CHANNEL, stream_key
from tests.conftest import base_settings, build_app


def stream(redis, quiz_id):
    return redis.xrange(stream_key(quiz_id))


def test_committed_request_publishes_exactly_once(plugin_testapp, plugin_app, redis):
    plugin_app.registry["testplugin.after_commit"].clear()
    plugin_testapp.post("/api/testplugin/event/commit?quiz=q-commit")
    entries = stream(redis, "q-commit")
    assert len(entries) == 1
    _, fields = entries[0]
    assert fields["type"] == "attempt_started"
    assert json.loads(fields["data"])["student_name"] == "Test Student"
    assert plugin_app.registry["testplugin.after_commit"] == ["attempt.started"]


def test_wakeup_is_published_on_the_channel(plugin_testapp, redis):
    pubsub = redis.pubsub()
    pubsub.subscribe(WAKEUP_CHANNEL)
    assert pubsub.get_message(timeout=1)["type"] == "subscribe"
    plugin_testapp.post("/api/testplugin/event/commit?quiz=q-wake")
    # The channel is shared by every Redis database number (other test runs may publish on
    # it too), so read until our quiz id arrives or the wait runs out.
    received = []
    while (message := pubsub.get_message(timeout=2)) is not None:
        received.append(message["data"])
        if message["data"] == "q-wake":
            break
    pubsub.close()
    assert "q-wake" in received


def test_each_of_many_transactions_on_one_request_publishes_its_event(plugin_app):
    """The sweeper (and a retried request) runs transaction after transaction on one
    session; every committed transaction announces its own events, even when a new
    transaction object lands at the address of an ended one."""
    registry = plugin_app.registry
    registry["testplugin.after_commit"].clear()
    manager = transaction.TransactionManager(explicit=True)
    session = get_tm_session(registry["dbsession_factory"], manager, registry)
    for number in range(50):
        with manager:
            emit(session, AttemptStarted(attempt_id=f"a{number}", quiz_id="q-many",
                                         student_id="s", student_name="S", attempt_number=1,
                                         total_questions=1))
    session.close()
    assert registry["testplugin.after_commit"] == ["attempt.started"] * 50


def test_rolled_back_request_publishes_nothing(plugin_testapp, plugin_app, redis):
    plugin_app.registry["testplugin.after_commit"].clear()
    plugin_testapp.post("/api/testplugin/event/fail?quiz=q-fail", status=500)
    assert stream(redis, "q-fail") == []
    assert plugin_app.registry["testplugin.after_commit"] == []


def test_in_transaction_subscriber_can_veto_and_nothing_is_published(plugin_testapp,
                                                                     plugin_app, redis):
    plugin_app.registry["testplugin.after_commit"].clear()
    response = plugin_testapp.post("/api/testplugin/event/commit?quiz=veto", status=409)
    assert response.json["message"] == "Vetoed by a subscriber."
    assert stream(redis, "veto") == []
    assert plugin_app.registry["testplugin.after_commit"] == []


def test_redis_down_still_answers_2xx_and_counts_the_failure(database_url, engine, dbsession,
                                                               caplog):
    # Nothing listens on port 1: a real refused connection, as when Redis is stopped.
    dead = "redis://127.0.0.1:1/0"
    settings = base_settings(database_url, dead, **{"quizcore.plugins": "tests.testplugin"})
    app = build_app(settings, engine, redis_lib.Redis.from_url(dead, socket_connect_timeout=0.2))
    client = webtest.TestApp(app)
    response = client.post("/api/testplugin/event/commit?quiz=q-down")
    assert response.status_code == 200
    assert app.registry["quizcore.realtime_failures"].value == 1
    assert any("Could not publish" in r.getMessage() for r in caplog.records)
    health = client.get("/api/health").json
    assert health["redis"] == "unavailable" and health["status"] == "degraded"
    assert health["realtime_publish_failures"] == 1


def test_stream_is_trimmed_to_about_the_configured_length(plugin_testapp, plugin_app, redis):
    maxlen = plugin_app.registry.settings["quizcore.events_stream_maxlen"]
    pipe = redis.pipeline()
    for _ in range(maxlen + 500):
        pipe.xadd(stream_key("q-trim"), {"type": "x", "data": "{}"})
    pipe.execute()
    plugin_testapp.post("/api/testplugin/event/commit?quiz=q-trim")
    # MAXLEN ~ trims whole macro nodes, so the length lands near (not exactly at) the limit.
    assert redis.xlen(stream_key("q-trim")) < maxlen + 500
