"""Quiz snapshots from the REST API, asked for with the teacher's own token.

The API decides who may watch a quiz (owner or admin) and builds the ``quiz_status`` data
(``GET /api/quizzes/{id}/monitor``); the sidecar has no database code of its own.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

log = logging.getLogger(__name__)

#: API answers that mean "this token may not watch this quiz" (websocket close 1008).
REFUSING_STATUSES = frozenset({401, 403, 404})


class AccessRefused(Exception):
    """The API refused the token for this quiz."""

    def __init__(self, status: int):
        super().__init__(f"API answered {status}")
        self.status = status


class ApiUnavailable(Exception):
    """The API could not be asked (down, timed out, or answered with a server error)."""


class SnapshotClient:
    def __init__(self, api_url: str, timeout_seconds: float, max_clients: int = 50):
        self.api_url = api_url.rstrip("/")
        self.timeout = timeout_seconds
        # A client of our own (not the shared per-loop instance) so closing it on shutdown
        # cannot affect anyone else; max_clients bounds the requests in flight at once.
        self.http = AsyncHTTPClient(force_instance=True, max_clients=max_clients)

    async def quiz_status(self, quiz_id: str, token: str) -> dict[str, Any]:
        request = HTTPRequest(
            f"{self.api_url}/quizzes/{quiz_id}/monitor",
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            connect_timeout=self.timeout, request_timeout=self.timeout,
        )
        try:
            response = await self.http.fetch(request, raise_error=False)
        except (HTTPClientError, OSError) as exc:
            raise ApiUnavailable(str(exc)) from None
        if response.code in REFUSING_STATUSES:
            raise AccessRefused(response.code)
        if response.code != 200:
            raise ApiUnavailable(f"API answered {response.code} for the snapshot of {quiz_id}")
        try:
            return json.loads(response.body)
        except ValueError:
            raise ApiUnavailable("API answered with a body that is not JSON") from None

    def close(self) -> None:
        self.http.close()
