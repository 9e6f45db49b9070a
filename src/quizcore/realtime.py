"""Publish monitor-relevant domain events to Redis after the transaction commits.

Each quiz has a stream (:func:`quizcore.wire.stream_key`, trimmed to about
``quizcore.events_stream_maxlen`` entries); the stream id orders events and lets a monitor
that reconnects resume where it stopped. A message on :data:`quizcore.wire.WAKEUP_CHANNEL`
(the quiz id) wakes listeners at once. The entry and message formats are those of
:mod:`quizcore.wire`, which the sidecar reads too.

A rolled-back transaction publishes nothing (this hangs on :class:`AfterCommit`). When
Redis is down the request still succeeds: the failure is logged and counted
(``registry["quizcore.realtime_failures"]``, shown by ``/api/health``).
"""

from __future__ import annotations

import logging
import threading

from .events import AfterCommit, DomainEvent
from .redis_client import REDIS_ERRORS
from .transactions import registry_of
from .wire import WAKEUP_CHANNEL, stream_entry, stream_key

log = logging.getLogger(__name__)


class FailureCounter:
    def __init__(self):
        self._lock = threading.Lock()
        self.value = 0

    def increment(self) -> None:
        with self._lock:
            self.value += 1


def publish(redis_client, event: DomainEvent, maxlen: int) -> str | None:
    """Write one event to its quiz stream and wake listeners. Returns the stream id."""
    message = event.monitor_message()
    if message is None:
        return None
    quiz_id = message["quiz_id"]
    pipe = redis_client.pipeline(transaction=False)
    pipe.xadd(stream_key(quiz_id), stream_entry(message), maxlen=maxlen, approximate=True)
    pipe.publish(WAKEUP_CHANNEL, quiz_id)
    stream_id, _ = pipe.execute()
    return stream_id


def publish_after_commit(after: AfterCommit) -> None:
    registry = registry_of(after.event.session)
    try:
        publish(registry["redis"], after.event, registry.settings["quizcore.events_stream_maxlen"])
    except REDIS_ERRORS as exc:
        registry["quizcore.realtime_failures"].increment()
        log.error("Could not publish %s to Redis: %s", after.event.name, exc)


def includeme(config):
    config.registry["quizcore.realtime_failures"] = FailureCounter()
    config.add_subscriber(publish_after_commit, AfterCommit)
