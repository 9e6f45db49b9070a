"""Who may open a monitor websocket: the Origin allowlist and the access token.

The token is checked here with PyJWT only as far as this process can without the database
(signature, expiry, type, role: the claims of :mod:`quizcore.wire`), so garbage is refused
without a round trip; the API has the last word
(token version, account still active, owner of the quiz). A token is never logged.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

import jwt

from quizcore.wire import (
    ACCESS_TOKEN_TYPE,
    CLAIM_ROLE,
    CLAIM_SUBJECT,
    CLAIM_TYPE,
    JWT_ALGORITHM,
    MONITOR_ROLES,
    REQUIRED_ACCESS_CLAIMS,
)

STREAM_ID = re.compile(r"^\d{1,20}-\d{1,20}$")


class AuthRefused(Exception):
    """The socket is closed with 1008 and this message as the reason."""


@dataclass(frozen=True)
class Credentials:
    token: str
    user_id: str
    role: str


def check_token(token: str | None, secret: str) -> Credentials:
    """Decode an access token; raise :class:`AuthRefused` when it cannot watch anything."""
    if not token or not isinstance(token, str):
        raise AuthRefused("authentication required")
    try:
        claims = jwt.decode(token, secret, algorithms=[JWT_ALGORITHM],
                            options={"require": list(REQUIRED_ACCESS_CLAIMS)})
    except jwt.PyJWTError:
        raise AuthRefused("invalid or expired token") from None
    if claims.get(CLAIM_TYPE) != ACCESS_TOKEN_TYPE:
        raise AuthRefused("not an access token")
    if claims.get(CLAIM_ROLE) not in MONITOR_ROLES:
        raise AuthRefused("only teachers and admins may watch a quiz")
    return Credentials(token=token, user_id=str(claims[CLAIM_SUBJECT]), role=claims[CLAIM_ROLE])


def parse_auth_message(text: str | bytes) -> tuple[str | None, str | None]:
    """``{"type": "auth", "token": ..., "last_event_id": ...}`` -> (token, last_event_id)."""
    try:
        message = json.loads(text)
    except ValueError:
        raise AuthRefused("the first message must be {\"type\": \"auth\", \"token\": ...}") \
            from None
    if not isinstance(message, dict) or message.get("type") != "auth":
        raise AuthRefused("the first message must be {\"type\": \"auth\", \"token\": ...}")
    last_event_id = message.get("last_event_id")
    return message.get("token"), last_event_id if isinstance(last_event_id, str) else None


def valid_quiz_id(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return len(value) == 36


def valid_stream_id(value: str | None) -> bool:
    return bool(value) and STREAM_ID.match(value) is not None


def origin_allowed(origin: str, host: str, allowed: tuple[str, ...]) -> bool:
    """Browsers send Origin on websocket upgrades: allow the page's own origin and the
    configured ones (exact matches; there is no wildcard)."""
    origin = origin.rstrip("/").lower()
    if origin in {entry.rstrip("/").lower() for entry in allowed}:
        return True
    return urlsplit(origin).netloc == host.lower()
