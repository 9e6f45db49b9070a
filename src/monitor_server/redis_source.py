"""The sidecar's side of Redis: the quiz event streams and the wake-up channel.

The API appends each monitor event to its quiz's stream (``quiz:{quiz_id}:events``) after
its transaction commits and publishes the quiz id on :data:`quizcore.wire.WAKEUP_CHANNEL`
(both names are :mod:`quizcore.wire`'s). This module

* listens on the channel and hands each quiz id to ``on_wakeup`` (the hub ignores quizzes
  nobody watches; the channel is shared by every Redis database, so a wake-up is only a
  hint to read, never data);
* reads a stream after a given id (``XREAD`` without blocking) and tells whether an id is
  still in a stream (trimming removes the oldest entries);
* notices when Redis goes away, reconnects with jittered exponential backoff, and calls
  ``on_reconnect`` once it is back: events may have been lost meanwhile (the API publishes
  nothing while Redis is down, and a restarted Redis may have lost its streams), so the hub
  resynchronises every watcher with a fresh snapshot.

Everything here is asynchronous (``redis.asyncio``): the event loop never blocks on Redis.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import redis.asyncio as aioredis
from redis.backoff import ExponentialWithJitterBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.retry import Retry

from quizcore.redis_client import REDIS_ERRORS
from quizcore.wire import WAKEUP_CHANNEL, stream_key

log = logging.getLogger(__name__)

#: How long closing a Redis connection may take before it is abandoned.
CLOSE_TIMEOUT_SECONDS = 2.0

UP, DOWN, CONNECTING = "ok", "unavailable", "connecting"
EMPTY_STREAM_ID = "0-0"


def id_key(stream_id: str) -> tuple[int, int]:
    """Stream ids ``<ms>-<seq>`` in their numeric order."""
    ms, _, seq = stream_id.partition("-")
    return int(ms), int(seq or 0)


class RedisSource:
    def __init__(self, url: str, *, on_wakeup: Callable[[str], None] = lambda quiz_id: None,
                 on_reconnect: Callable[[], None] = lambda: None,
                 backoff_base_seconds: float = 0.05, backoff_cap_seconds: float = 5.0,
                 socket_timeout_seconds: float = 5.0):
        # No automatic retries inside redis-py: a reconnect must be visible here, since
        # after one the watchers need a fresh snapshot.
        self.client = aioredis.Redis.from_url(
            url, decode_responses=True, socket_connect_timeout=2.0,
            socket_timeout=socket_timeout_seconds, retry=Retry(ExponentialWithJitterBackoff(), 0),
            health_check_interval=10,
        )
        self.on_wakeup = on_wakeup
        self.on_reconnect = on_reconnect
        self.backoff = ExponentialWithJitterBackoff(cap=backoff_cap_seconds,
                                                    base=backoff_base_seconds)
        self.state = CONNECTING
        self.reconnects = 0
        self._stopping = asyncio.Event()
        self._broken = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._ever_up = False

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        self._task = asyncio.create_task(self._listen_forever(), name="redis-wakeups")

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            self._task.cancel()
            try:
                await asyncio.wait_for(asyncio.gather(self._task, return_exceptions=True),
                                       timeout=CLOSE_TIMEOUT_SECONDS * 2)
            except TimeoutError:
                log.warning("The Redis listener did not stop in time; shutting down anyway")
        try:
            await asyncio.wait_for(self.client.aclose(), timeout=CLOSE_TIMEOUT_SECONDS)
        except (TimeoutError, *REDIS_ERRORS):
            pass

    def report_failure(self, exc: BaseException | None = None) -> None:
        """A read failed elsewhere: reconnect the listener (and resync once Redis is back)."""
        if self.state == UP:
            log.warning("Redis read failed (%s); reconnecting", exc)
            self.state = DOWN
        self._broken.set()

    async def _listen_forever(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            pubsub = self.client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(WAKEUP_CHANNEL)
                self._broken.clear()
                self.state = UP
                if self._ever_up:
                    self.reconnects += 1
                    log.info("Redis is back; resynchronising the watchers")
                    self.on_reconnect()
                else:
                    log.info("Listening for quiz events on Redis")
                self._ever_up = True
                failures = 0
                while not self._broken.is_set():
                    message = await pubsub.get_message(timeout=1.0)
                    if message is not None and message.get("type") == "message":
                        self.on_wakeup(message["data"])
                raise RedisConnectionError("a read on another connection failed")
            except asyncio.CancelledError:
                raise
            except REDIS_ERRORS as exc:
                failures += 1
                self.state = DOWN
                delay = self.backoff.compute(failures)
                log.warning("Redis unavailable (%s); retrying in %.2f s", exc, delay)
                try:
                    await asyncio.wait_for(self._stopping.wait(), timeout=delay)
                except TimeoutError:
                    pass
            finally:
                # Bounded: a connection cancelled in the middle of a read (or cut by a Redis
                # restart) can leave its goodbye waiting forever, and shutdown must not.
                try:
                    await asyncio.wait_for(pubsub.aclose(), timeout=CLOSE_TIMEOUT_SECONDS)
                except (TimeoutError, *REDIS_ERRORS):
                    pass

    # -- streams ---------------------------------------------------------------------------

    async def read_after(self, quiz_id: str, after_id: str,
                         count: int = 500) -> list[tuple[str, dict[str, Any]]]:
        """Up to ``count`` entries of the quiz's stream with ids after ``after_id``."""
        result = await self.client.xread({stream_key(quiz_id): after_id}, count=count)
        if not result:
            return []
        # redis-py answers a list [[key, entries]] (RESP2) or a dict {key: [entries]} (RESP3).
        if isinstance(result, dict):
            return [entry for entries in result.values() for entry in entries[0]]
        return result[0][1]

    async def last_id(self, quiz_id: str) -> str:
        """The id of the newest entry of the quiz's stream (``0-0`` when there is none)."""
        entries = await self.client.xrevrange(stream_key(quiz_id), count=1)
        return entries[0][0] if entries else EMPTY_STREAM_ID

    async def contains(self, quiz_id: str, stream_id: str) -> bool:
        """Is ``stream_id`` still in the stream? Trimming removes the oldest entries only,
        so when it is, every entry after it is there too."""
        return bool(await self.client.xrange(stream_key(quiz_id), stream_id, stream_id, count=1))

    async def ping(self) -> bool:
        try:
            return bool(await self.client.ping())
        except REDIS_ERRORS:
            return False
