"""What a teacher does to a running exam: extend, force-submit, grant another attempt.

Every action locks the attempt row (``SELECT ... FOR UPDATE``) as the attempt lifecycle
does, so it serialises with the student's saves and submit and with the sweeper:

* **extend** moves ``deadline_at`` of an attempt still in progress. An extension that loses
  the race with the sweeper (or the student's submit) finds the attempt ended and is refused
  (:class:`Conflict` ``not_in_progress``) without changing anything; one that wins moves the
  deadline before the sweeper looks again, so saves up to the new deadline count. ``minutes``
  are added to the current deadline, or to now when the deadline has already passed (the
  attempt was not swept yet): the student always gets the minutes they were given.
* **force-submit** ends an attempt in progress with every saved answer, graded as usual,
  status ``force_submitted`` and the teacher's reason recorded.
* **reopen** grants the student of an ended attempt one more attempt at the quiz (their
  override's ``extra_attempts`` + 1); their next start is a new attempt.
* **grant attempts** gives one student, or every student of the quiz's classes, N more
  attempts with a reason (:func:`grant_attempts`; the overrides' side of it is in
  :mod:`.overrides`). It locks the quiz row, so grants at one quiz apply one after the other
  and none is lost, and checks every value before it writes one: it changes everything it
  should or nothing.

Only the quiz's owner and admins act (others: :class:`NotFound`, as for any attempt they
cannot see). Each action emits its event: the monitor shows extensions, the audit trail and
the student's notifications record all of them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..events import (
    AttemptExtended,
    AttemptForceSubmitted,
    AttemptReopened,
    AttemptsGranted,
    emit,
)
from ..models import AttemptStatus, Quiz, QuizAttempt, Student, User, utcnow
from . import overrides, timing
from .attempts import (
    REASON_TEACHER,
    SubmitResult,
    effective_deadline,
    finish_locked,
    lock_attempt,
)
from .errors import Conflict, Invalid, NotFound
from .quizzes import MAX_TIME_LIMIT_MINUTES
from .quizzes import _bounded_int as bounded_int
from .quizzes import _date as clean_date
from .values import text_value
from .visibility import manages

MAX_REASON_LENGTH = 1000


def _managed_locked(session: Session, attempt_id: str, actor: User) -> QuizAttempt:
    attempt = lock_attempt(session, attempt_id)
    if attempt is None or not manages(actor, attempt.quiz):
        raise NotFound("Attempt")
    return attempt


def _not_in_progress(attempt: QuizAttempt) -> Conflict:
    return Conflict(f"This attempt is no longer in progress (it is {attempt.status}).",
                    reason="not_in_progress", status=str(attempt.status))


def clean_minutes(value) -> int:
    return bounded_int({"minutes": value}, "minutes", 1, MAX_TIME_LIMIT_MINUTES)


def _new_deadline(current: dt.datetime, now: dt.datetime, minutes: int | None,
                  deadline_at: dt.datetime | None) -> dt.datetime:
    if (minutes is None) == (deadline_at is None):
        raise Invalid("Send minutes or deadline_at (one of them).", field="minutes")
    if minutes is not None:
        return min(max(current, now) + dt.timedelta(minutes=clean_minutes(minutes)),
                   timing.TIMESTAMP_MAX)
    wanted = clean_date({"deadline_at": deadline_at}, "deadline_at")
    if wanted <= now or wanted <= current:
        raise Invalid("deadline_at must be later than now and than the attempt's current "
                      "deadline.", field="deadline_at")
    return wanted


def _extend_locked(session: Session, attempt: QuizAttempt, actor: User, now: dt.datetime, *,
                   minutes: int | None, deadline_at: dt.datetime | None) -> QuizAttempt:
    current = effective_deadline(attempt)
    attempt.deadline_at = _new_deadline(current, now, minutes, deadline_at)
    session.flush()
    emit(session, AttemptExtended(
        actor_id=actor.id, attempt_id=attempt.id, quiz_id=attempt.quiz_id,
        student_id=attempt.student_id, deadline_at=attempt.deadline_at,
        previous_deadline_at=current))
    return attempt


def extend_attempt(session: Session, attempt_id: str, actor: User, *,
                   minutes: int | None = None, deadline_at: dt.datetime | None = None,
                   now: dt.datetime | None = None) -> QuizAttempt:
    """Give an attempt in progress ``minutes`` more, or a new (later) ``deadline_at``."""
    now = now or utcnow()
    if minutes is not None:
        clean_minutes(minutes)  # refuse bad input before taking the lock
    attempt = _managed_locked(session, attempt_id, actor)
    if attempt.status != AttemptStatus.IN_PROGRESS:
        raise _not_in_progress(attempt)
    return _extend_locked(session, attempt, actor, now, minutes=minutes,
                          deadline_at=deadline_at)


def extend_quiz(session: Session, quiz: Quiz, actor: User, *, minutes: int,
                now: dt.datetime | None = None) -> int:
    """``minutes`` more for every attempt in progress at ``quiz``; returns how many.
    The attempts are locked in id order (two concurrent extensions cannot deadlock); one
    that ended meanwhile is left alone."""
    now = now or utcnow()
    minutes = clean_minutes(minutes)
    if not manages(actor, quiz):
        raise NotFound("Quiz")
    attempts = session.scalars(
        sa.select(QuizAttempt).where(QuizAttempt.quiz_id == quiz.id,
                                     QuizAttempt.status == AttemptStatus.IN_PROGRESS)
        .order_by(QuizAttempt.id).with_for_update()
        .execution_options(populate_existing=True)).all()
    for attempt in attempts:
        _extend_locked(session, attempt, actor, now, minutes=minutes, deadline_at=None)
    return len(attempts)


def force_submit_attempt(session: Session, attempt_id: str, actor: User, *, reason: str,
                         now: dt.datetime | None = None) -> SubmitResult:
    """End an attempt in progress now, graded with every saved answer; status
    ``force_submitted``, ``reason`` recorded. :class:`Conflict` once it has ended."""
    now = now or utcnow()
    reason = text_value(reason, "reason", MAX_REASON_LENGTH, required=True)
    attempt = _managed_locked(session, attempt_id, actor)
    if attempt.status != AttemptStatus.IN_PROGRESS:
        raise _not_in_progress(attempt)
    attempt.force_submit_reason = reason
    result = finish_locked(session, attempt, REASON_TEACHER, now, actor_id=actor.id)
    emit(session, AttemptForceSubmitted(
        actor_id=actor.id, attempt_id=attempt.id, quiz_id=attempt.quiz_id,
        student_id=attempt.student_id, reason=reason,
        score=float(result.score) if result.score is not None else None))
    return result


@dataclass(frozen=True)
class Reopened:
    attempt: QuizAttempt
    override_id: str
    attempts_allowed: int
    attempts_used: int


def reopen_attempt(session: Session, attempt_id: str, actor: User, *,
                   now: dt.datetime | None = None) -> Reopened:
    """Grant the student of an ended attempt one more attempt at its quiz.
    :class:`Conflict` ``in_progress`` while the attempt is still running."""
    attempt = _managed_locked(session, attempt_id, actor)
    if attempt.status == AttemptStatus.IN_PROGRESS:
        raise Conflict("This attempt is still in progress; extend it instead.",
                       reason="in_progress")
    quiz = attempt.quiz
    row = overrides.grant_attempt(session, quiz, attempt.student_id, actor_id=actor.id)
    limits = overrides.limits_for(session, quiz, session.get(Student, attempt.student_id))
    used = session.scalar(sa.select(sa.func.count()).select_from(QuizAttempt).where(
        QuizAttempt.quiz_id == quiz.id, QuizAttempt.student_id == attempt.student_id))
    emit(session, AttemptReopened(
        actor_id=actor.id, attempt_id=attempt.id, quiz_id=quiz.id,
        student_id=attempt.student_id, attempts_allowed=limits.attempts_allowed))
    return Reopened(attempt, row.id, limits.attempts_allowed, used)


@dataclass(frozen=True)
class Granted:
    """What :func:`grant_attempts` did."""

    quiz: Quiz
    additional_attempts: int
    reason: str
    #: The student of a grant to one student (None: every student of the quiz's classes).
    student: Student | None
    #: That student's override (a grant to one student).
    override_id: str | None
    #: The quiz's classes whose overrides were raised (a grant to the whole quiz).
    class_ids: tuple[str, ...]
    #: Each student concerned -> the attempts they are now allowed.
    attempts_allowed: dict[str, int]
    #: The attempts that student has made (a grant to one student).
    attempts_used: int | None = None


def grant_attempts(session: Session, quiz_id: str, actor: User, *, additional_attempts,
                   reason, student_id: str | None = None) -> Granted:
    """Give ``additional_attempts`` (1 to :data:`~quizcore.domain.quizzes.MAX_ATTEMPTS`)
    more attempts at the quiz to the student ``student_id`` (who must be in one of the
    quiz's classes), or, without one, to every student of the quiz's classes
    (:func:`.overrides.grant_student_attempts`, :func:`.overrides.grant_quiz_attempts`).
    ``reason`` is required; it goes to the audit trail with the grant. The quiz's row is
    locked first; every input is checked before anything is written. Emits
    :class:`~quizcore.events.AttemptsGranted`."""
    additional = overrides.clean_additional_attempts(additional_attempts)
    reason = text_value(reason, "reason", MAX_REASON_LENGTH, required=True)
    if student_id is not None and not isinstance(student_id, str):
        raise Invalid("student_id must be text.", field="student_id")
    quiz = overrides.lock_quiz(session, quiz_id)
    if quiz is None or not manages(actor, quiz):
        raise NotFound("Quiz")
    if student_id is None:
        grant = overrides.grant_quiz_attempts(session, quiz, additional, actor_id=actor.id)
        done = Granted(quiz, additional, reason, None, None, grant.class_ids,
                       grant.attempts_allowed)
    else:
        student = session.get(Student, student_id)
        if student is None or student.class_id not in overrides.quiz_class_ids(session, quiz.id):
            raise Invalid("This student is not in a class this quiz is set for.",
                          field="student_id")
        row, allowed = overrides.grant_student_attempts(session, quiz, student, additional,
                                                        actor_id=actor.id)
        used = session.scalar(sa.select(sa.func.count()).select_from(QuizAttempt).where(
            QuizAttempt.quiz_id == quiz.id, QuizAttempt.student_id == student.id))
        done = Granted(quiz, additional, reason, student, row.id, (), {student.id: allowed},
                       used)
    emit(session, AttemptsGranted(
        actor_id=actor.id, quiz_id=quiz.id, additional_attempts=additional, reason=reason,
        student_id=student_id, class_ids=done.class_ids,
        attempts_allowed=dict(done.attempts_allowed)))
    return done
