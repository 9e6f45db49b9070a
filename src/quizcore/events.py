"""Domain events and their two phases.

Code that changes state calls :func:`emit` with an event object:

1. **In the transaction.** Subscribers registered for the event class run at once, inside
   the request's transaction (``config.add_subscriber(fn, AttemptSubmitted)``). They write
   rows that must exist together with the change (audit, in-app notifications) and may veto
   the change by raising: the whole request then rolls back.
2. **After the commit.** When (and only when) the transaction commits, each event is
   re-announced wrapped in :class:`AfterCommit`. Subscribers use the ``for_event``
   predicate: ``config.add_subscriber(fn, AfterCommit, for_event=AttemptGraded)``. They send
   e-mail and publish to Redis; their errors are logged and never reach the client.

A rolled-back transaction (an error, a retried deadlock) announces nothing after commit.
Events are emitted on a database session (never a request), so domain functions emit their
own events whoever calls them: a REST view, ``quizctl``, the sweeper, a plugin.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from functools import partial
from typing import Any, ClassVar

from . import wire
from .models import utcnow
from .transactions import pending_until_commit, registry_of

log = logging.getLogger(__name__)


@dataclass(kw_only=True)
class DomainEvent:
    """Base of every domain event. ``name`` is stable: audit rows and logs use it."""

    name: ClassVar[str] = "event"

    #: The user who caused the event (None for the system, e.g. the sweeper).
    actor_id: str | None = None
    occurred_at: dt.datetime = field(default_factory=utcnow)
    #: Set by :func:`emit`: the session of the transaction the event belongs to
    #: (:func:`quizcore.transactions.origin_of` gives the HTTP request, if any).
    session: Any = field(default=None, repr=False, compare=False)

    def payload(self) -> dict[str, Any]:
        """The event's data without the session, JSON-ready."""
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "session"}
        for key, value in data.items():
            if isinstance(value, dt.datetime):
                data[key] = wire.iso(value)
        return data

    #: The live-monitor message this event becomes (None: the monitor does not show it).
    monitor: ClassVar[wire.MessageType | None] = None
    #: Fields of that message's data read from an attribute of another name.
    monitor_fields: ClassVar[Mapping[str, str]] = {}

    def monitor_message(self) -> dict[str, Any] | None:
        """``{"type", "quiz_id", "data"}`` for the live monitor, or None if it is not shown.

        An event with a ``monitor`` type has a ``quiz_id``. Each field its type declares
        (:mod:`quizcore.wire`) is the attribute of the same name, unless ``monitor_fields``
        names another; ``timestamp`` is ``occurred_at``.
        """
        if self.monitor is None:
            return None
        names = {"timestamp": "occurred_at", **self.monitor_fields}
        return wire.monitor_message(self.monitor, self.quiz_id, {
            name: getattr(self, names.get(name, name)) for name in self.monitor.fields})


# -- accounts --------------------------------------------------------------------------------


@dataclass(kw_only=True)
class LoginSucceeded(DomainEvent):
    name: ClassVar[str] = "auth.login"
    user_id: str


@dataclass(kw_only=True)
class LoginFailed(DomainEvent):
    name: ClassVar[str] = "auth.login_failed"
    #: The user the identifier matched, if any (never the password).
    user_id: str | None = None
    reason: str = "invalid_credentials"


@dataclass(kw_only=True)
class LoggedOut(DomainEvent):
    name: ClassVar[str] = "auth.logout"
    user_id: str


@dataclass(kw_only=True)
class AccountClaimed(DomainEvent):
    name: ClassVar[str] = "auth.account_claimed"
    user_id: str


@dataclass(kw_only=True)
class PasswordResetRequested(DomainEvent):
    name: ClassVar[str] = "auth.password_reset_requested"
    user_id: str


@dataclass(kw_only=True)
class PasswordChanged(DomainEvent):
    """The password was changed by its owner or reset with a code (``via``)."""

    name: ClassVar[str] = "auth.password_changed"
    user_id: str
    via: str = "change"  # "change" | "reset"


@dataclass(kw_only=True)
class EntityChanged(DomainEvent):
    """A row was created, updated or deleted through the API.

    ``old`` and ``new`` hold the changed fields (never secrets: the services leave password
    hashes, tokens and codes out).
    """

    name: ClassVar[str] = "entity.changed"
    action: str  # "create" | "update" | "delete" | a verb such as "assign_teacher"
    entity_type: str  # "user", "student", "teacher", "class", "question", "quiz", ...
    entity_id: str
    old: dict[str, Any] | None = None
    new: dict[str, Any] | None = None


# -- quizzes ---------------------------------------------------------------------------------


@dataclass(kw_only=True)
class QuizPublished(DomainEvent):
    name: ClassVar[str] = "quiz.published"
    quiz_id: str
    title: str
    teacher_id: str
    class_ids: list[str] = field(default_factory=list)


@dataclass(kw_only=True)
class QuizArchived(DomainEvent):
    name: ClassVar[str] = "quiz.archived"
    quiz_id: str
    title: str
    teacher_id: str


# -- attempts --------------------------------------------------------------------------------


@dataclass(kw_only=True)
class AttemptStarted(DomainEvent):
    name: ClassVar[str] = "attempt.started"
    monitor: ClassVar[wire.MessageType] = wire.ATTEMPT_STARTED
    attempt_id: str
    quiz_id: str
    student_id: str
    student_name: str
    attempt_number: int
    total_questions: int
    resumed: bool = False


@dataclass(kw_only=True)
class AnswerSaved(DomainEvent):
    """Progress only: which question, how many answered. Never the answer itself."""

    name: ClassVar[str] = "attempt.answer_saved"
    monitor: ClassVar[wire.MessageType] = wire.ANSWER_SAVED
    monitor_fields: ClassVar[Mapping[str, str]] = {
        "current_question": "question_index", "answered_questions": "answered_count"}
    attempt_id: str
    quiz_id: str
    student_id: str
    student_name: str
    question_index: int | None
    answered_count: int
    total_questions: int


@dataclass(kw_only=True)
class AttemptSubmitted(DomainEvent):
    """An attempt ended: by the student, by the deadline, or for violations (``reason``)."""

    name: ClassVar[str] = "attempt.submitted"
    monitor: ClassVar[wire.MessageType] = wire.ATTEMPT_SUBMITTED
    attempt_id: str
    quiz_id: str
    student_id: str
    student_name: str
    submitted_at: dt.datetime
    status: str  # attempt status after submission: submitted | graded | auto_submitted
    reason: str = "student"  # "student" | "deadline" | "violations" | "teacher"
    score: float | None = None
    #: True when descriptive answers wait for a teacher.
    pending_manual_grading: bool = False


@dataclass(kw_only=True)
class AttemptGraded(DomainEvent):
    """Marks were (re)computed: automatically on submit, by a teacher, or by a regrade."""

    name: ClassVar[str] = "attempt.graded"
    monitor: ClassVar[wire.MessageType] = wire.ATTEMPT_GRADED
    attempt_id: str
    quiz_id: str
    student_id: str
    score: float | None
    total_marks: int | None
    percentage: float | None
    passed: bool | None
    status: str
    graded_by: str | None = None  # teacher id; None when automatic
    how: str = "auto"  # "auto" | "manual" | "regrade"


@dataclass(kw_only=True)
class ViolationRecorded(DomainEvent):
    name: ClassVar[str] = "attempt.violation"
    monitor: ClassVar[wire.MessageType] = wire.VIOLATION
    attempt_id: str
    quiz_id: str
    student_id: str
    student_name: str
    violation_type: str
    total_violations: int
    counted: bool
    question_index: int | None = None
    auto_submitted: bool = False


@dataclass(kw_only=True)
class AttemptExtended(DomainEvent):
    """A teacher moved the deadline of an attempt in progress (``actor_id``)."""

    name: ClassVar[str] = "attempt.extended"
    monitor: ClassVar[wire.MessageType] = wire.ATTEMPT_EXTENDED
    attempt_id: str
    quiz_id: str
    student_id: str
    deadline_at: dt.datetime
    previous_deadline_at: dt.datetime | None = None


@dataclass(kw_only=True)
class QuizReleased(DomainEvent):
    """A teacher (``actor_id``) released a ``teacher_release`` quiz at ``released_at``;
    ``waiting``: how many students were waiting for it."""

    name: ClassVar[str] = "quiz.released"
    monitor: ClassVar[wire.MessageType] = wire.QUIZ_RELEASED
    quiz_id: str
    released_at: dt.datetime
    waiting: int = 0


@dataclass(kw_only=True)
class StudentWaiting(DomainEvent):
    """A student opened a ``teacher_release`` quiz before its release (first time only)."""

    name: ClassVar[str] = "quiz.student_waiting"
    monitor: ClassVar[wire.MessageType] = wire.STUDENT_WAITING
    quiz_id: str
    student_id: str
    student_name: str


@dataclass(kw_only=True)
class AttemptForceSubmitted(DomainEvent):
    """A teacher ended an attempt in progress (``actor_id``), for ``reason``. Announced
    after the :class:`AttemptSubmitted` (reason ``teacher``) of the same attempt."""

    name: ClassVar[str] = "attempt.force_submitted"
    attempt_id: str
    quiz_id: str
    student_id: str
    reason: str
    score: float | None = None


@dataclass(kw_only=True)
class AttemptReopened(DomainEvent):
    """A teacher granted the student of an ended attempt one more attempt at its quiz."""

    name: ClassVar[str] = "attempt.reopened"
    attempt_id: str
    quiz_id: str
    student_id: str
    attempts_allowed: int


@dataclass(kw_only=True)
class AttemptsGranted(DomainEvent):
    """A teacher granted more attempts at a quiz, with a reason: to one student
    (``student_id``), or to every student of the quiz's classes (``class_ids``, whose
    overrides were raised). ``attempts_allowed``: each student concerned -> the attempts they
    are now allowed."""

    name: ClassVar[str] = "attempts.granted"
    quiz_id: str
    additional_attempts: int
    reason: str
    student_id: str | None = None
    class_ids: tuple[str, ...] = ()
    attempts_allowed: Mapping[str, int] = field(default_factory=dict)


# -- the two phases --------------------------------------------------------------------------


class AfterCommit:
    """Announced for each event once its transaction has committed."""

    def __init__(self, event: DomainEvent):
        self.event = event


class ForEventPredicate:
    """``add_subscriber(fn, AfterCommit, for_event=SomeEvent)`` (a class or tuple of them)."""

    def __init__(self, value, config):
        self.value = value if isinstance(value, tuple) else (value,)

    def text(self):
        return "for_event = " + ", ".join(cls.__name__ for cls in self.value)

    phash = text

    def __call__(self, event):
        return isinstance(event.event, self.value)


def emit(session, event: DomainEvent) -> DomainEvent:
    """Announce ``event`` now (in the session's transaction) and again after it commits.

    ``session`` is any session quizcore made (:mod:`quizcore.transactions`): a request's,
    a script's. The event's ``actor_id`` is the caller's to set (None: the system).
    """
    event.session = session
    registry = registry_of(session)
    registry.notify(event)
    pending_until_commit(session, _QUEUE_KEY, partial(_announce, registry)).append(event)
    return event


#: Key of the event queue kept on each transaction.
_QUEUE_KEY = object()


def _announce(registry, queue: list[DomainEvent]) -> None:
    for event in queue:
        try:
            registry.notify(AfterCommit(event))
        except Exception:  # noqa: BLE001 - one failing subscriber must not silence the rest
            log.exception("After-commit subscriber failed for %s", event.name)


def includeme(config):
    config.add_subscriber_predicate("for_event", ForEventPredicate)


__all__ = [
    "AccountClaimed",
    "AfterCommit",
    "AnswerSaved",
    "AttemptExtended",
    "AttemptForceSubmitted",
    "AttemptGraded",
    "AttemptReopened",
    "AttemptStarted",
    "AttemptSubmitted",
    "AttemptsGranted",
    "DomainEvent",
    "EntityChanged",
    "LoggedOut",
    "LoginFailed",
    "LoginSucceeded",
    "PasswordChanged",
    "PasswordResetRequested",
    "QuizArchived",
    "QuizPublished",
    "QuizReleased",
    "StudentWaiting",
    "ViolationRecorded",
    "emit",
]
