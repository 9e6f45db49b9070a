"""The sidecar as a process (``quiz-monitor -c INI``) and dead connections."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest
from tornado.httpclient import AsyncHTTPClient
from tornado.testing import bind_unused_port, gen_test

from quizcore.wire import stream_key
from tests.conftest import ROOT

from .base import MonitorTestCase
from .client import Student, Watch

GOING_AWAY = 1001


def free_port() -> int:
    sock, port = bind_unused_port()
    sock.close()
    return port


class MonitorProcess:
    def __init__(self, api_url: str, redis_url: str, port: int):
        self.port = port
        env = {k: v for k, v in os.environ.items() if not k.startswith("QUIZCORE_")}
        env.update({"QUIZCORE_MONITOR_PORT": str(port), "QUIZCORE_REDIS_URL": redis_url,
                    "QUIZCORE_MONITOR_API_URL": api_url + "/api", "QUIZCORE_ENV": "test",
                    "QUIZCORE_MONITOR_STATUS_INTERVAL_SECONDS": "60"})
        self.process = subprocess.Popen(
            [sys.executable, "-m", "monitor_server", "-c", os.path.join(ROOT, "development.ini")],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    async def ready(self, timeout=15.0) -> None:
        client = AsyncHTTPClient()
        end = time.monotonic() + timeout
        while True:
            try:
                response = await client.fetch(f"http://127.0.0.1:{self.port}/health",
                                              raise_error=False)
                if response.code == 200 and json.loads(response.body)["redis"] == "ok":
                    return
            except OSError:
                pass
            assert self.process.poll() is None, self.process.stderr.read().decode()
            assert time.monotonic() < end, "quiz-monitor did not become ready"
            await asyncio.sleep(0.05)  # polling for start-up with a deadline

    def terminate(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=20)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def monitor_processes():
    started = []
    yield started
    for process in started:
        process.kill()


def test_sigterm_closes_sockets_with_1001_and_a_restarted_monitor_resumes(
        api_server, live_exam, redis, redis_url, monitor_processes):
    # One event before the teacher joins, so the snapshot has an id to resume from.
    redis.xadd(stream_key(live_exam.quiz_id), {"type": "note", "data": "{}"})
    port = free_port()
    api_url = api_server.application_url.rstrip("/")

    async def scenario():
        first = MonitorProcess(api_url, redis_url, port)
        monitor_processes.append(first)
        await first.ready()
        ws_url = f"ws://127.0.0.1:{port}"
        watch = await Watch.open(ws_url, live_exam.quiz_id, live_exam.tokens["teacher"])
        snapshot = await watch.next_of("quiz_status")
        assert first.terminate() == 0
        assert await watch.closed() == GOING_AWAY
        assert "shutting down" in watch.close_reason

        # While the monitor is down a student starts and saves an answer.
        ada = Student(api_url, live_exam.tokens["ada"])
        await ada.start(live_exam.quiz_id)
        await ada.answer(live_exam.question_ids[0])

        second = MonitorProcess(api_url, redis_url, port)
        monitor_processes.append(second)
        await second.ready()
        resumed = await Watch.open(ws_url, live_exam.quiz_id, live_exam.tokens["teacher"],
                                   last_event_id=snapshot["id"])
        assert [(await resumed.next())["type"] for _ in range(2)] == \
            ["attempt_started", "answer_saved"]
        resumed.close()
        assert second.terminate() == 0

    asyncio.run(asyncio.wait_for(scenario(), 60))


class TestDeadConnections(MonitorTestCase):
    settings_overrides = {"quizcore.monitor.ping_interval_seconds": "0.5"}

    @gen_test(timeout=30)
    async def test_a_peer_that_never_answers_pings_is_dropped(self):
        # A raw TCP client that completes the handshake and then goes silent, like a
        # laptop whose lid was closed: it never answers the server's pings.
        port = self.get_http_port()
        raw = socket.create_connection(("127.0.0.1", port))
        raw.setblocking(False)
        loop = asyncio.get_running_loop()
        request = (f"GET /ws/quiz-monitor/{self.exam.quiz_id}?token={self.exam.tokens['teacher']}"
                   f" HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                   "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                   "Sec-WebSocket-Version: 13\r\n\r\n")
        await loop.sock_sendall(raw, request.encode())
        received = b""
        while b"\r\n\r\n" not in received:
            received += await loop.sock_recv(raw, 65536)
        assert received.startswith(b"HTTP/1.1 101")
        await self.until(lambda: self.monitor.hub.counts()["watchers"] == 1)
        # Read (and ignore) whatever comes, pings included, until the server hangs up.
        while await asyncio.wait_for(loop.sock_recv(raw, 65536), 10):
            pass
        raw.close()
        await self.until(lambda: self.monitor.hub.counts()["watchers"] == 0)

    async def until(self, predicate, timeout=10.0):
        end = self.io_loop.time() + timeout
        while not predicate():
            assert self.io_loop.time() < end
            await asyncio.sleep(0.02)  # polling with a deadline
