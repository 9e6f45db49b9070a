"""The monitor's Tornado application: the websocket, ``/health`` and the monitor page.

:func:`make_app` receives its dependencies (the hub, the snapshot client, the Redis
source, the settings); handlers get them through ``initialize()``. :class:`Monitor`
builds those dependencies from the settings and owns their lifecycle.
"""

from __future__ import annotations

import logging
import os
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import tornado.web
import tornado.websocket
from tornado.ioloop import IOLoop

from quizcore.wire import QUIZ_STATUS

from .api_client import AccessRefused, ApiUnavailable, SnapshotClient
from .auth import (
    AuthRefused,
    Credentials,
    check_token,
    origin_allowed,
    parse_auth_message,
    valid_quiz_id,
    valid_stream_id,
)
from .hub import CLOSE_GOING_AWAY, CLOSE_POLICY, Hub, message
from .redis_source import UP, RedisSource

log = logging.getLogger(__name__)
access_log = logging.getLogger("tornado.access")

STATIC_DIR = os.path.join(os.path.dirname(__file__), "static")
CLOSE_INTERNAL_ERROR = 1011
#: Clients only ever send one small auth message.
MAX_CLIENT_MESSAGE_BYTES = 64 * 1024


class Admission:
    """What a socket gets once allowed in: a snapshot to send (or None when resuming) and
    the stream position its events start after."""

    def __init__(self, credentials: Credentials, snapshot: str | None, position: str | None):
        self.credentials = credentials
        self.snapshot = snapshot
        self.position = position


class MonitorSocket(tornado.websocket.WebSocketHandler):
    """``/ws/quiz-monitor/{quiz_id}``: one teacher watching one quiz."""

    def initialize(self, hub: Hub, settings: dict[str, Any]):
        self.hub = hub
        self.monitor_settings = settings
        self.watcher = None
        self.admission: Admission | None = None
        self.refusal: tuple[int, str] | None = None
        self.token_in_query = False
        self._auth_timer = None

    def check_origin(self, origin: str) -> bool:
        return origin_allowed(origin, self.request.host,
                              self.monitor_settings["quizcore.monitor.allowed_origins"])

    async def get(self, quiz_id: str, *args, **kwargs):
        self.quiz_id = quiz_id
        token = self.get_query_argument("token", None)
        if token is not None:
            # Authenticate before the upgrade. A refusal is still sent as close code 1008
            # after it: a browser cannot read the HTTP status of a failed upgrade.
            self.token_in_query = True
            await self._authorize(token, self.get_query_argument("last_event_id", None))
        await super().get(quiz_id, *args, **kwargs)

    def open(self, quiz_id: str):
        if self.refusal is not None:
            self.close(*self.refusal)
        elif self.admission is not None:
            self._join()
        else:
            timeout = self.monitor_settings["quizcore.monitor.auth_timeout_seconds"]
            self._auth_timer = IOLoop.current().call_later(
                timeout, self.close, CLOSE_POLICY, "authentication timed out")

    async def on_message(self, text):
        if self.watcher is not None or self.refusal is not None or self.token_in_query:
            return  # nothing else is expected from a watching client
        if self._auth_timer is not None:
            IOLoop.current().remove_timeout(self._auth_timer)
            self._auth_timer = None
        try:
            token, last_event_id = parse_auth_message(text)
        except AuthRefused as exc:
            self.close(CLOSE_POLICY, str(exc))
            return
        last_event_id = last_event_id or self.get_query_argument("last_event_id", None)
        await self._authorize(token, last_event_id)
        if self.refusal is not None:
            self.close(*self.refusal)
        elif self.ws_connection is not None and not self.ws_connection.is_closing():
            self._join()

    def on_close(self):
        if self._auth_timer is not None:
            IOLoop.current().remove_timeout(self._auth_timer)
        if self.watcher is not None:
            self.watcher.close(self.close_code or CLOSE_GOING_AWAY, "closed")
            self.hub.leave(self.watcher)

    async def _authorize(self, token: str | None, last_event_id: str | None) -> None:
        """Set ``self.admission`` or ``self.refusal``. The order matters: the stream position
        is read before the snapshot is asked for, so the snapshot covers every event up to
        it (see :mod:`monitor_server.hub`)."""
        quiz_id = self.quiz_id
        try:
            credentials = check_token(token, self.monitor_settings["quizcore.jwt_secret"])
            if not valid_quiz_id(quiz_id):
                raise AuthRefused("no such quiz")
        except AuthRefused as exc:
            self.refusal = (CLOSE_POLICY, str(exc))
            return
        position = await self.hub.stream_position(quiz_id)
        resume = (position is not None and valid_stream_id(last_event_id)
                  and await self.hub.resumable(quiz_id, last_event_id))
        try:
            status = await self.hub.api.quiz_status(quiz_id, credentials.token)
        except AccessRefused as exc:
            log.info("Refused monitor of quiz %s for user %s (API answered %s)", quiz_id,
                     credentials.user_id, exc.status)
            self.refusal = (CLOSE_POLICY, "not allowed to watch this quiz")
            return
        except ApiUnavailable as exc:
            log.error("Cannot admit a monitor of quiz %s: %s", quiz_id, exc)
            self.refusal = (CLOSE_INTERNAL_ERROR, "the API is unavailable; retry shortly")
            return
        if resume:
            self.admission = Admission(credentials, None, last_event_id)
        else:
            self.admission = Admission(credentials, message(QUIZ_STATUS, status, position,
                                                            quiz_id), position)

    def _join(self) -> None:
        admission = self.admission
        self.watcher = self.hub.watcher(self.quiz_id, admission.credentials.token,
                                        admission.credentials.user_id, self.write_message,
                                        self.close)
        if admission.snapshot is not None:
            self.watcher.offer(admission.snapshot)
        self.hub.join(self.watcher, admission.position)
        log.info("User %s watches quiz %s", admission.credentials.user_id, self.quiz_id)


class HealthHandler(tornado.web.RequestHandler):
    def initialize(self, hub: Hub, source: RedisSource):
        self.hub = hub
        self.source = source

    async def get(self):
        redis_ok = self.source.state == UP and await self.source.ping()
        self.set_header("Cache-Control", "no-store")
        self.write({
            "status": "ok" if redis_ok else "degraded",
            "redis": "ok" if redis_ok else "unavailable",
            "redis_reconnects": self.source.reconnects,
            **self.hub.counts(),
            "events_delivered": self.hub.stats.events_delivered,
            "snapshots_sent": self.hub.stats.snapshots_sent,
        })


class PageConfigHandler(tornado.web.RequestHandler):
    """What the monitor page needs to know: where the API is."""

    def initialize(self, settings: dict[str, Any]):
        self.monitor_settings = settings

    def get(self):
        self.set_header("Cache-Control", "no-store")
        self.write({"api_url": self.monitor_settings["quizcore.monitor.public_api_url"],
                    "websocket_path": "/ws/quiz-monitor/"})


def redacted_uri(uri: str) -> str:
    """The request URI with the ``token`` query parameter masked."""
    parts = urlsplit(uri)
    if "token" not in parts.query:
        return uri
    query = [(k, "***" if k == "token" else v) for k, v in parse_qsl(parts.query, True)]
    return urlunsplit(parts._replace(query=urlencode(query)))


def log_request(handler: tornado.web.RequestHandler) -> None:
    """Tornado's access log, without tokens (the websocket URL may carry one)."""
    status = handler.get_status()
    level = logging.INFO if status < 400 else logging.WARNING if status < 500 else logging.ERROR
    request = handler.request
    access_log.log(level, "%d %s %s (%s) %.2fms", status, request.method,
                   redacted_uri(request.uri), request.remote_ip, 1000.0 * request.request_time())


def make_app(settings: dict[str, Any], hub: Hub, source: RedisSource) -> tornado.web.Application:
    ping = settings["quizcore.monitor.ping_interval_seconds"]
    return tornado.web.Application(
        [
            (r"/ws/quiz-monitor/([^/]+)", MonitorSocket, {"hub": hub, "settings": settings}),
            (r"/health", HealthHandler, {"hub": hub, "source": source}),
            (r"/config\.json", PageConfigHandler, {"settings": settings}),
            (r"/(.*)", tornado.web.StaticFileHandler,
             {"path": STATIC_DIR, "default_filename": "index.html"}),
        ],
        websocket_ping_interval=ping,
        websocket_ping_timeout=ping,
        websocket_max_message_size=MAX_CLIENT_MESSAGE_BYTES,
        log_function=log_request,
    )


class Monitor:
    """The sidecar's parts, built from settings: start them, serve ``app``, stop them."""

    def __init__(self, settings: dict[str, Any]):
        self.settings = settings
        self.source = RedisSource(settings["quizcore.redis_url"])
        self.api = SnapshotClient(settings["quizcore.monitor.api_url"],
                                  settings["quizcore.monitor.api_timeout_seconds"])
        self.hub = Hub(self.source, self.api,
                       status_interval=settings["quizcore.monitor.status_interval_seconds"],
                       poll_interval=settings["quizcore.monitor.poll_interval_seconds"],
                       queue_size=settings["quizcore.monitor.socket_queue_size"])
        self.app = make_app(settings, self.hub, self.source)

    async def start(self) -> None:
        await self.source.start()
        await self.hub.start()

    async def stop(self) -> None:
        """Close every socket with 1001 (clients reconnect and resume), then let go of
        Redis and the HTTP client."""
        await self.hub.stop(CLOSE_GOING_AWAY, "server shutting down")
        await self.source.stop()
        self.api.close()
