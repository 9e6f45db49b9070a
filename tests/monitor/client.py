"""Test-side clients: a student acting through the API, and a teacher's monitor socket."""

from __future__ import annotations

import asyncio
import json
from urllib.parse import urlencode

from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.websocket import websocket_connect

DEADLINE = 10.0

#: The student endpoints of API.md (violations: the anti-cheat plugin).
PATHS = {
    "start": "/api/quizzes/{quiz_id}/start",
    "answer": "/api/attempts/{attempt_id}/answer",
    "violation": "/api/attempts/{attempt_id}/violations",
    "submit": "/api/attempts/{attempt_id}/submit",
}


class Student:
    """A student's browser: starts the quiz, saves answers, reports violations, submits."""

    def __init__(self, api_url: str, token: str):
        self.api_url = api_url.rstrip("/")
        self.token = token
        self.attempt_id: str | None = None
        self.http = AsyncHTTPClient()

    async def post(self, action: str, body: dict | None = None, **ids) -> dict:
        response = await self.http.fetch(HTTPRequest(
            self.api_url + PATHS[action].format(attempt_id=self.attempt_id, **ids),
            method="POST", body=json.dumps(body or {}),
            headers={"Authorization": f"Bearer {self.token}",
                     "Content-Type": "application/json"}))
        return json.loads(response.body)

    async def start(self, quiz_id: str) -> str:
        self.attempt_id = (await self.post("start", quiz_id=quiz_id))["attempt_id"]
        return self.attempt_id

    async def answer(self, question_id: str, option: int = 1) -> dict:
        return await self.post("answer", {"question_id": question_id, "answer_option": option})

    async def violate(self, kind: str = "tab_switch") -> dict:
        return await self.post("violation", {"violation_type": kind, "question_index": 0})

    async def submit(self) -> dict:
        return await self.post("submit")


class Watch:
    """A teacher's monitor socket."""

    def __init__(self, connection):
        self.connection = connection

    @classmethod
    async def open(cls, base_ws_url: str, quiz_id: str, token: str | None = None,
                   origin: str | None = None, **query) -> Watch:
        if token is not None:
            query["token"] = token
        url = f"{base_ws_url}/ws/quiz-monitor/{quiz_id}"
        if query:
            url += "?" + urlencode(query)
        headers = {"Origin": origin} if origin else {}
        return cls(await websocket_connect(HTTPRequest(url, headers=headers)))

    def send(self, message: dict) -> None:
        self.connection.write_message(json.dumps(message))

    async def next(self, timeout: float = DEADLINE) -> dict | None:
        """The next message, or None once the server closed the socket."""
        text = await asyncio.wait_for(self.connection.read_message(), timeout)
        return None if text is None else json.loads(text)

    async def next_of(self, *types: str, timeout: float = DEADLINE) -> dict:
        """The next message of one of ``types``, skipping others (periodic snapshots)."""
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while True:
            message = await self.next(max(0.01, end - loop.time()))
            assert message is not None, f"socket closed ({self.close_code}) waiting for {types}"
            if message["type"] in types:
                return message

    async def closed(self, timeout: float = DEADLINE) -> int:
        """Read until the server closes the socket; return the close code."""
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while await self.next(max(0.01, end - loop.time())) is not None:
            pass
        return self.close_code

    @property
    def close_code(self):
        return self.connection.close_code

    @property
    def close_reason(self):
        return self.connection.close_reason

    def close(self) -> None:
        self.connection.close()
