"""What the audit trail records for each domain event (no HTTP, no database).

:func:`describe` turns an event into an :class:`AuditEntry`: who acted, the action name,
the entity it concerns and, for updates, the old and new values. :func:`scrub` removes
secrets from those values before they are stored. The services already leave secrets out of
their events (a changed password is reported as ``"***"``); scrubbing again here means a
field added to an event later cannot leak a password, hash, token or code into the trail.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from quizcore.domain.changes import jsonable
from quizcore.events import (
    AccountClaimed,
    AnswerSaved,
    AttemptExtended,
    AttemptForceSubmitted,
    AttemptGraded,
    AttemptReopened,
    AttemptsGranted,
    AttemptStarted,
    AttemptSubmitted,
    DomainEvent,
    EntityChanged,
    LoggedOut,
    LoginFailed,
    LoginSucceeded,
    PasswordChanged,
    PasswordResetRequested,
    QuizArchived,
    QuizPublished,
    QuizReleased,
    ViolationRecorded,
)

REDACTED = "***"

#: Keys whose (string) values are secrets: passwords, their hashes, tokens, reset codes.
#: ``access_code`` is not among them: teachers hand a quiz's access code to a whole class.
_SECRET_KEY = re.compile(r"pass(word|wd|phrase)|secret|token|hash|credential|api_?key", re.I)
_SECRET_EXACT_KEYS = frozenset({"code", "reset_code", "otp", "pin"})
#: Values that are secrets whatever their key: bcrypt hashes and JWTs.
_BCRYPT_HASH = re.compile(r"^\$2[abxy]?\$\d{2}\$")
_JWT = re.compile(r"^eyJ[\w-]+\.[\w-]+\.[\w-]*$")

#: Action names of attempts ended by the server rather than the student.
AUTO_SUBMIT_REASONS = frozenset({"deadline", "violations"})


def is_secret_key(key: str) -> bool:
    return key.lower() in _SECRET_EXACT_KEYS or bool(_SECRET_KEY.search(key))


def is_secret_value(value: Any) -> bool:
    return isinstance(value, str) and bool(_BCRYPT_HASH.match(value) or _JWT.match(value))


def scrub(value: Any, key: str | None = None) -> Any:
    """``value`` with every secret replaced by ``"***"``, recursively.

    A secret is a string under a secret-sounding key (``password``, ``refresh_token``,
    ``code``...) or a string that looks like a bcrypt hash or a JWT under any key. Numbers
    and booleans under such keys (``token_version``) are kept: they reveal nothing. Dates,
    decimals and enums become their JSON form.
    """
    if isinstance(value, Mapping):
        return {str(k): scrub(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [scrub(item, key) for item in value]
    if isinstance(value, str) and value and value != REDACTED:
        if (key is not None and is_secret_key(key)) or is_secret_value(value):
            return REDACTED
    value = jsonable(value)
    # Audit values are stored as JSON: anything else is kept as its text.
    return value if isinstance(value, str | int | float | bool | None) else str(value)


@dataclass(frozen=True)
class AuditEntry:
    """One row of the audit trail, before the request's context (address, agent) is added."""

    action: str
    user_id: str | None = None
    entity_type: str | None = None
    entity_id: str | None = None
    old_value: dict[str, Any] | None = None
    new_value: dict[str, Any] | None = None

    def scrubbed(self) -> AuditEntry:
        return AuditEntry(self.action, self.user_id, self.entity_type, self.entity_id,
                          scrub(self.old_value) if self.old_value is not None else None,
                          scrub(self.new_value) if self.new_value is not None else None)


def _values(**values: Any) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def _user_entry(event: DomainEvent, user_id: str | None, new: dict | None = None) -> AuditEntry:
    return AuditEntry(event.name, event.actor_id, "user", user_id, None, new or None)


def describe(event: DomainEvent, skip: frozenset[str] = frozenset()) -> AuditEntry | None:
    """The audit entry of ``event``, or None when the event is not recorded.

    Not recorded: event names listed in ``skip`` and resumed attempt starts (nothing
    changed). Action names are the events' stable names (``auth.login``,
    ``quiz.published``...), ``<entity type>.<action>`` for entity changes
    (``user.update``, ``class.assign_teacher``, ``quiz.delete``) and
    ``attempt.auto_submitted`` for attempts the server ended (deadline, violations).
    Events this module does not know are recorded under their name with their payload.
    """
    if event.name in skip:
        return None
    entry = _describe(event)
    return entry.scrubbed() if entry is not None else None


def _describe(event: DomainEvent) -> AuditEntry | None:  # noqa: C901 - one branch per event
    match event:
        case EntityChanged():
            return AuditEntry(f"{event.entity_type}.{event.action}", event.actor_id,
                              event.entity_type, event.entity_id, event.old, event.new)
        case LoginFailed():
            return _user_entry(event, event.user_id, {"reason": event.reason})
        case PasswordChanged():
            return _user_entry(event, event.user_id, {"via": event.via})
        case LoginSucceeded() | LoggedOut() | AccountClaimed() | PasswordResetRequested():
            return _user_entry(event, event.user_id)
        case QuizPublished():
            return AuditEntry(event.name, event.actor_id, "quiz", event.quiz_id,
                              None, {"status": "published", "title": event.title,
                                     "class_ids": list(event.class_ids)})
        case QuizReleased():
            return AuditEntry(event.name, event.actor_id, "quiz", event.quiz_id,
                              {"released_at": None}, {"released_at": event.released_at,
                                                      "waiting": event.waiting})
        case QuizArchived():
            return AuditEntry(event.name, event.actor_id, "quiz", event.quiz_id,
                              None, {"status": "archived", "title": event.title})
        case AttemptStarted():
            if event.resumed:
                return None
            return AuditEntry(event.name, event.actor_id, "attempt", event.attempt_id, None,
                              {"quiz_id": event.quiz_id, "student_id": event.student_id,
                               "attempt_number": event.attempt_number})
        case AnswerSaved():
            return AuditEntry(event.name, event.actor_id, "attempt", event.attempt_id, None,
                              _values(question_index=event.question_index,
                                      answered_count=event.answered_count))
        case AttemptSubmitted() if event.reason == "teacher":
            # Recorded once, with the teacher's reason, by AttemptForceSubmitted.
            return None
        case AttemptForceSubmitted():
            return AuditEntry(event.name, event.actor_id, "attempt", event.attempt_id, None,
                              {"quiz_id": event.quiz_id, "student_id": event.student_id,
                               "status": "force_submitted", "reason": event.reason,
                               "score": event.score})
        case AttemptExtended():
            return AuditEntry(event.name, event.actor_id, "attempt", event.attempt_id,
                              {"deadline_at": event.previous_deadline_at},
                              {"quiz_id": event.quiz_id, "student_id": event.student_id,
                               "deadline_at": event.deadline_at})
        case AttemptReopened():
            return AuditEntry(event.name, event.actor_id, "attempt", event.attempt_id, None,
                              {"quiz_id": event.quiz_id, "student_id": event.student_id,
                               "attempts_allowed": event.attempts_allowed})
        case AttemptsGranted():
            # One row per grant, on the quiz; a grant to a whole quiz names its classes and
            # counts its students (a class may be large).
            one = event.attempts_allowed.get(event.student_id) if event.student_id else None
            return AuditEntry(event.name, event.actor_id, "quiz", event.quiz_id, None,
                              _values(additional_attempts=event.additional_attempts,
                                      reason=event.reason, student_id=event.student_id,
                                      attempts_allowed=one,
                                      class_ids=list(event.class_ids) or None,
                                      students=len(event.attempts_allowed)))
        case AttemptSubmitted():
            action = "attempt.auto_submitted" if event.reason in AUTO_SUBMIT_REASONS \
                else event.name
            return AuditEntry(action, event.actor_id, "attempt", event.attempt_id, None, {
                "quiz_id": event.quiz_id, "student_id": event.student_id,
                "status": event.status, "reason": event.reason, "score": event.score,
                "pending_manual_grading": event.pending_manual_grading})
        case AttemptGraded():
            return AuditEntry(event.name, event.graded_by or event.actor_id, "attempt",
                              event.attempt_id, None, {
                                  "quiz_id": event.quiz_id, "student_id": event.student_id,
                                  "score": event.score, "total_marks": event.total_marks,
                                  "percentage": event.percentage, "passed": event.passed,
                                  "status": event.status, "how": event.how})
        case ViolationRecorded():
            return AuditEntry(event.name, event.actor_id, "attempt", event.attempt_id, None,
                              _values(quiz_id=event.quiz_id, student_id=event.student_id,
                                      violation_type=event.violation_type,
                                      total_violations=event.total_violations,
                                      counted=event.counted,
                                      auto_submitted=event.auto_submitted))
    return _generic(event)


#: Payload keys that name the entity of an unknown event, most specific first.
_ENTITY_KEYS = (("attempt_id", "attempt"), ("question_id", "question"), ("quiz_id", "quiz"),
                ("class_id", "class"), ("user_id", "user"))


def _generic(event: DomainEvent) -> AuditEntry:
    payload = {k: v for k, v in event.payload().items() if k not in ("actor_id", "occurred_at")}
    entity_type = entity_id = None
    for key, kind in _ENTITY_KEYS:
        if isinstance(payload.get(key), str):
            entity_type, entity_id = kind, payload[key]
            break
    return AuditEntry(event.name, event.actor_id, entity_type, entity_id, None, payload or None)
