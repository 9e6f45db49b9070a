"""The contract between the quizcore API and the live-monitor sidecar, in one place.

The API and :mod:`monitor_server` are separate processes that meet in Redis and in the
teacher's access token. Everything both sides must spell the same way is here:

* **Redis.** Each quiz has a stream :func:`stream_key` (``quiz:{quiz_id}:events``). The API
  appends one entry per monitor event after its transaction commits (:func:`stream_entry`:
  the fields ``type`` and ``data``, the latter JSON) and publishes the quiz id on
  :data:`WAKEUP_CHANNEL`; the sidecar reads entries back with :func:`read_stream_entry`.
* **Messages.** :data:`MONITOR_MESSAGES` declares every message type and the fields of its
  ``data``, in the order they are written. Domain events name their type
  (``DomainEvent.monitor``); :func:`monitor_message` builds the message and refuses data
  that does not match the declaration. :data:`QUIZ_STATUS` is the snapshot the sidecar asks
  the API for (``GET /api/quizzes/{id}/monitor``); its data is that response's body.
* **Tokens.** The claims of an access token the sidecar checks without the database
  (:data:`JWT_ALGORITHM`, :data:`CLAIM_TYPE` = :data:`ACCESS_TOKEN_TYPE`, :data:`CLAIM_ROLE`
  in :data:`MONITOR_ROLES`, :data:`REQUIRED_ACCESS_CLAIMS`).
* **Timestamps.** :func:`iso`, the form of every datetime quizcore sends (REST bodies and
  monitor messages alike).

Only the standard library is imported here: the sidecar runs without Pyramid, Cornice or
SQLAlchemy, and importing this module must not bring them in.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# -- Redis -----------------------------------------------------------------------------------

#: Pub/sub channel carrying a quiz id whenever that quiz's stream grew. Pub/sub channels are
#: shared by every Redis database number, so a wake-up is only a hint to read.
WAKEUP_CHANNEL = "quizcore:quiz-events"

#: The fields of a stream entry: the message type and its data as JSON.
ENTRY_TYPE = "type"
ENTRY_DATA = "data"


def stream_key(quiz_id: str) -> str:
    """The Redis stream holding the monitor events of one quiz."""
    return f"quiz:{quiz_id}:events"


def stream_entry(message: Mapping[str, Any]) -> dict[str, str]:
    """The stream fields of a message built by :func:`monitor_message`."""
    return {ENTRY_TYPE: message["type"], ENTRY_DATA: json.dumps(message["data"], default=str)}


def read_stream_entry(fields: Mapping[str, str]) -> tuple[str, Any]:
    """``(type, data)`` of a stream entry; raises ValueError when its data is not JSON."""
    return fields.get(ENTRY_TYPE, "event"), json.loads(fields.get(ENTRY_DATA) or "null")


# -- timestamps ------------------------------------------------------------------------------


def iso(value: dt.datetime | dt.date | None) -> str | None:
    """ISO 8601; datetimes in UTC ending in ``Z`` (naive ones are taken as UTC already)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.isoformat() + "Z"
    return value.isoformat()


# -- monitor messages ------------------------------------------------------------------------


@dataclass(frozen=True)
class MessageType:
    """A monitor message type: its ``type`` string and the fields of its ``data``."""

    name: str
    fields: tuple[str, ...]


ATTEMPT_STARTED = MessageType("attempt_started", (
    "attempt_id", "student_id", "student_name", "attempt_number", "total_questions",
    "resumed", "timestamp"))
#: Progress only: which question, how many answered. Never the answer itself.
ANSWER_SAVED = MessageType("answer_saved", (
    "attempt_id", "student_id", "student_name", "current_question", "answered_questions",
    "total_questions", "timestamp"))
ATTEMPT_SUBMITTED = MessageType("attempt_submitted", (
    "attempt_id", "student_id", "student_name", "submitted_at", "score", "status", "reason",
    "pending_manual_grading"))
ATTEMPT_GRADED = MessageType("attempt_graded", (
    "attempt_id", "student_id", "score", "total_marks", "percentage", "passed", "status"))
VIOLATION = MessageType("violation", (
    "attempt_id", "student_id", "student_name", "violation_type", "total_violations",
    "counted", "question_index", "auto_submitted", "timestamp"))
#: A teacher moved an attempt's deadline (one attempt, or every attempt of the quiz).
ATTEMPT_EXTENDED = MessageType("attempt_extended", ("attempt_id", "student_id", "deadline_at"))
#: A teacher released a ``teacher_release`` quiz: every waiting student's clock started.
QUIZ_RELEASED = MessageType("quiz_released", ("released_at", "waiting"))
#: A student opened a ``teacher_release`` quiz before its release and is waiting.
STUDENT_WAITING = MessageType("student_waiting", ("student_id", "student_name", "timestamp"))

#: Every message type that travels through the quiz streams, by name.
MONITOR_MESSAGES: dict[str, MessageType] = {
    kind.name: kind
    for kind in (ATTEMPT_STARTED, ANSWER_SAVED, ATTEMPT_SUBMITTED, ATTEMPT_GRADED, VIOLATION,
                 ATTEMPT_EXTENDED, QUIZ_RELEASED, STUDENT_WAITING)
}

#: The snapshot message the sidecar sends on joining and every few seconds; its data is the
#: body of ``GET /api/quizzes/{id}/monitor`` (described by the API's OpenAPI document).
QUIZ_STATUS = "quiz_status"


def monitor_message(kind: MessageType, quiz_id: str,
                    data: Mapping[str, Any]) -> dict[str, Any]:
    """``{"type", "quiz_id", "data"}`` with ``data`` in the declared field order and its
    datetimes as :func:`iso` strings. A missing or undeclared field is a ValueError: the
    sidecar and the monitor page read exactly the declared fields."""
    if set(data) != set(kind.fields):
        missing = sorted(set(kind.fields) - set(data))
        extra = sorted(set(data) - set(kind.fields))
        raise ValueError(f"{kind.name} data does not match its declaration "
                         f"(missing {missing}, undeclared {extra})")
    values = {name: data[name] for name in kind.fields}
    return {"type": kind.name, "quiz_id": quiz_id, "data": {
        name: iso(value) if isinstance(value, dt.datetime) else value
        for name, value in values.items()}}


# -- access tokens ---------------------------------------------------------------------------

JWT_ALGORITHM = "HS256"
CLAIM_SUBJECT = "sub"  # the user id
CLAIM_EXPIRY = "exp"
CLAIM_TYPE = "typ"
CLAIM_ROLE = "role"  # a role name of quizcore.models.Role
ACCESS_TOKEN_TYPE = "access"  # noqa: S105 - the value of the "typ" claim, not a secret
#: Claims every access token has; a token without one was not issued by quizcore.
REQUIRED_ACCESS_CLAIMS = (CLAIM_EXPIRY, CLAIM_SUBJECT)
#: Roles whose token may open a monitor socket at all (which quiz is the API's decision).
MONITOR_ROLES = frozenset({"teacher", "admin"})


__all__ = [
    "ACCESS_TOKEN_TYPE",
    "ANSWER_SAVED",
    "ATTEMPT_EXTENDED",
    "ATTEMPT_GRADED",
    "ATTEMPT_STARTED",
    "ATTEMPT_SUBMITTED",
    "CLAIM_EXPIRY",
    "CLAIM_ROLE",
    "CLAIM_SUBJECT",
    "CLAIM_TYPE",
    "ENTRY_DATA",
    "ENTRY_TYPE",
    "JWT_ALGORITHM",
    "MONITOR_MESSAGES",
    "MONITOR_ROLES",
    "QUIZ_RELEASED",
    "QUIZ_STATUS",
    "REQUIRED_ACCESS_CLAIMS",
    "STUDENT_WAITING",
    "VIOLATION",
    "WAKEUP_CHANNEL",
    "MessageType",
    "iso",
    "monitor_message",
    "read_stream_entry",
    "stream_entry",
]

#: WSGI environ key under which the per-user rate-limit tween leaves the access token's claims
#: it already decoded (and verified), so the security policy does not decode the token again.
ACCESS_CLAIMS_ENVIRON = "quizcore.access_token_claims"
