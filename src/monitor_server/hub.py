"""Rooms of watchers, one per quiz, and the fan-out of that quiz's events to them.

Ordering and "no gap" rest on one rule: **a ``quiz_status`` message with id L reflects at
least every event up to L, and is followed by every event after L.** Each watcher has a
``position`` (the last stream id it was sent) and each room one pump task that reads its
quiz's stream in order from ``last_id`` and offers every entry to the watchers whose
position is before it. So:

* a joining teacher gets a snapshot with the stream position read *before* the snapshot
  was taken, then everything after that position;
* a teacher resuming with ``last_event_id`` gets everything after it (the pump rewinds);
* a periodic snapshot (every ``status_interval`` while the quiz is watched) and the resync
  after a Redis outage rewind the watchers to the snapshot's position, so nothing newer
  than the snapshot can be overtaken by it. An event may therefore arrive twice; its id
  tells the page it has seen it (the monitor page toasts each violation once).

Watchers join and snapshots apply only between two reads of the pump, never while a read
is in flight, which keeps every watcher's messages in stream order.

Each watcher has a bounded queue drained by its own writer task. Fan-out never waits on a
socket: a watcher whose queue is full is closed (1013, it may reconnect and resume) and the
others carry on.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from quizcore.redis_client import REDIS_ERRORS
from quizcore.wire import QUIZ_STATUS, read_stream_entry

from .api_client import AccessRefused, ApiUnavailable, SnapshotClient
from .redis_source import EMPTY_STREAM_ID, RedisSource, id_key

log = logging.getLogger(__name__)

CLOSE_GOING_AWAY = 1001
CLOSE_POLICY = 1008
CLOSE_TRY_AGAIN = 1013
READ_BATCH = 500


def message(kind: str, data: Any, stream_id: str | None, quiz_id: str) -> str:
    return json.dumps({"type": kind, "id": stream_id, "quiz_id": quiz_id, "data": data},
                      separators=(",", ":"), default=str)


def earliest(a: str | None, b: str | None) -> str | None:
    if a is None or b is None:
        return a if b is None else b
    return a if id_key(a) <= id_key(b) else b


class Watcher:
    """One teacher's socket as the hub sees it: a bounded outbox and a writer task."""

    def __init__(self, quiz_id: str, token: str, user_id: str,
                 send: Callable[[str], Awaitable[Any]], close: Callable[[int, str], None],
                 queue_size: int):
        self.quiz_id = quiz_id
        self.token = token
        self.user_id = user_id
        self.position: str | None = None
        self.closed = False
        self._send = send
        self._close = close
        self._queue: asyncio.Queue[str] = asyncio.Queue(maxsize=queue_size)
        self._writer = asyncio.create_task(self._write_forever(), name=f"writer-{quiz_id}")

    def offer(self, text: str) -> bool:
        """Queue a message without waiting; a watcher that cannot keep up is closed."""
        if self.closed:
            return False
        try:
            self._queue.put_nowait(text)
        except asyncio.QueueFull:
            log.warning("Closing a slow monitor socket of quiz %s (user %s)", self.quiz_id,
                        self.user_id)
            self.close(CLOSE_TRY_AGAIN, "too slow: reconnect and resume with last_event_id")
            return False
        return True

    def close(self, code: int, reason: str) -> None:
        if self.closed:
            return
        self.closed = True
        self._writer.cancel()
        self._close(code, reason)

    async def _write_forever(self) -> None:
        while True:
            text = await self._queue.get()
            try:
                await self._send(text)
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - a broken socket ends its own writer only
                self.close(CLOSE_GOING_AWAY, "write failed")
                return


@dataclass
class Stats:
    events_delivered: int = 0
    slow_sockets_closed: int = 0
    snapshots_sent: int = 0


class Room:
    """The watchers of one quiz, its stream pump and its periodic snapshot."""

    def __init__(self, hub: Hub, quiz_id: str):
        self.hub = hub
        self.quiz_id = quiz_id
        self.members: set[Watcher] = set()
        self.joining: list[Watcher] = []
        self.last_id: str | None = None
        self.pending_snapshot: tuple[str, str | None] | None = None
        self.wake = asyncio.Event()
        self.refresh_now = asyncio.Event()
        self.closed = False
        self._pump = asyncio.create_task(self._pump_forever(), name=f"pump-{quiz_id}")
        self._status = asyncio.create_task(self._status_forever(), name=f"status-{quiz_id}")

    @property
    def size(self) -> int:
        return len(self.members) + len(self.joining)

    def add(self, watcher: Watcher) -> None:
        self.joining.append(watcher)
        self.wake.set()

    def discard(self, watcher: Watcher) -> None:
        self.members.discard(watcher)
        if watcher in self.joining:
            self.joining.remove(watcher)

    def close(self) -> None:
        self.closed = True
        self._pump.cancel()
        self._status.cancel()

    # -- the pump --------------------------------------------------------------------------

    def _admit(self) -> None:
        """Between reads: let joiners in and apply a pending snapshot (see module doc)."""
        for watcher in self.joining:
            if not watcher.closed:
                self.members.add(watcher)
                self.last_id = earliest(self.last_id, watcher.position)
        self.joining.clear()
        if self.pending_snapshot is not None:
            text, position = self.pending_snapshot
            self.pending_snapshot = None
            for watcher in list(self.members):
                if watcher.offer(text) and position is not None:
                    watcher.position = position
            if position is not None:
                self.last_id = earliest(self.last_id, position)
            self.hub.stats.snapshots_sent += 1

    def _fan_out(self, stream_id: str, fields: dict[str, str]) -> None:
        try:
            kind, data = read_stream_entry(fields)
        except ValueError:
            log.error("Skipping a malformed event %s of quiz %s", stream_id, self.quiz_id)
            return
        text = message(kind, data, stream_id, self.quiz_id)
        key = id_key(stream_id)
        for watcher in list(self.members):
            if watcher.position is None or id_key(watcher.position) >= key:
                continue
            if watcher.offer(text):
                watcher.position = stream_id
                self.hub.stats.events_delivered += 1

    async def _pump_forever(self) -> None:
        source = self.hub.source
        batch = self.hub.read_batch
        while True:
            await self.wake.wait()
            self.wake.clear()
            self._admit()
            if self.last_id is None:
                continue  # no known position yet: the resync snapshot will set one
            try:
                while True:
                    entries = await source.read_after(self.quiz_id, self.last_id, batch)
                    for stream_id, fields in entries:
                        self._fan_out(stream_id, fields)
                    if entries:
                        self.last_id = entries[-1][0]
                    if len(entries) < batch or self.joining or self.pending_snapshot:
                        break
            except REDIS_ERRORS as exc:
                source.report_failure(exc)
            if self.joining or self.pending_snapshot:
                self.wake.set()

    # -- periodic snapshots ----------------------------------------------------------------

    async def _status_forever(self) -> None:
        interval = self.hub.status_interval
        while True:
            try:
                await asyncio.wait_for(self.refresh_now.wait(), timeout=interval)
            except TimeoutError:
                pass
            self.refresh_now.clear()
            await self.refresh()

    async def refresh(self) -> None:
        """Fetch a snapshot with a watcher's token and queue it for every watcher."""
        position = await self.hub.stream_position(self.quiz_id)
        for watcher in list(self.members):
            if watcher.closed:
                continue
            try:
                status = await self.hub.api.quiz_status(self.quiz_id, watcher.token)
            except AccessRefused as exc:
                # The token expired or the account lost access: that watcher goes.
                log.info("Closing a monitor socket of quiz %s: API answered %s", self.quiz_id,
                         exc.status)
                watcher.close(CLOSE_POLICY, "access to this quiz ended; sign in again")
                continue
            except ApiUnavailable as exc:
                log.warning("No snapshot for quiz %s this time: %s", self.quiz_id, exc)
                return
            self.pending_snapshot = (message(QUIZ_STATUS, status, position, self.quiz_id),
                                     position)
            self.wake.set()
            return


class Hub:
    def __init__(self, source: RedisSource, api: SnapshotClient, *, status_interval: float,
                 poll_interval: float, queue_size: int):
        self.source = source
        self.api = api
        self.status_interval = status_interval
        self.poll_interval = poll_interval
        self.queue_size = queue_size
        # One read never fills more than half of a healthy socket's queue by itself: the
        # writers run while the next read is on the wire.
        self.read_batch = max(1, min(READ_BATCH, queue_size // 2))
        self.rooms: dict[str, Room] = {}
        self.stats = Stats()
        self._poller: asyncio.Task | None = None
        source.on_wakeup = self.wake
        source.on_reconnect = self.resync

    async def start(self) -> None:
        self._poller = asyncio.create_task(self._poll_forever(), name="stream-poller")

    async def stop(self, code: int = CLOSE_GOING_AWAY, reason: str = "server shutting down"):
        if self._poller is not None:
            self._poller.cancel()
        for room in list(self.rooms.values()):
            for watcher in list(room.members) + list(room.joining):
                watcher.close(code, reason)
            room.close()
        self.rooms.clear()

    # -- watchers --------------------------------------------------------------------------

    def watcher(self, quiz_id: str, token: str, user_id: str, send, close) -> Watcher:
        return Watcher(quiz_id, token, user_id, send, close, self.queue_size)

    def join(self, watcher: Watcher, position: str | None) -> None:
        """Start delivering the quiz's events after ``position`` to ``watcher``."""
        watcher.position = position
        room = self.rooms.get(watcher.quiz_id)
        if room is None:
            room = self.rooms[watcher.quiz_id] = Room(self, watcher.quiz_id)
        room.add(watcher)

    def leave(self, watcher: Watcher) -> None:
        room = self.rooms.get(watcher.quiz_id)
        if room is None:
            return
        room.discard(watcher)
        if room.size == 0:
            # Nobody watches: stop reading this stream and stop asking for snapshots.
            room.close()
            del self.rooms[watcher.quiz_id]

    async def stream_position(self, quiz_id: str) -> str | None:
        """The newest id of the quiz's stream, or None while Redis is unavailable."""
        try:
            return await self.source.last_id(quiz_id)
        except REDIS_ERRORS as exc:
            self.source.report_failure(exc)
            return None

    async def resumable(self, quiz_id: str, last_event_id: str) -> bool:
        if last_event_id == EMPTY_STREAM_ID:
            return False
        try:
            return await self.source.contains(quiz_id, last_event_id)
        except REDIS_ERRORS as exc:
            self.source.report_failure(exc)
            return False

    # -- signals from Redis ----------------------------------------------------------------

    def wake(self, quiz_id: str) -> None:
        room = self.rooms.get(quiz_id)
        if room is not None:
            room.wake.set()

    def resync(self) -> None:
        """After a Redis outage every watcher gets a fresh snapshot."""
        for room in self.rooms.values():
            room.refresh_now.set()
            room.wake.set()

    async def _poll_forever(self) -> None:
        # Wake-ups are fire-and-forget; reading every watched stream now and then also
        # delivers an event whose wake-up was lost.
        while True:
            await asyncio.sleep(self.poll_interval)
            for room in self.rooms.values():
                room.wake.set()

    # -- figures for /health ---------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        return {"quizzes_watched": len(self.rooms),
                "watchers": sum(room.size for room in self.rooms.values())}
