"""Turn domain events into notifications, inside the transaction of the change.

In-app rows are inserted with the event's session, so they commit with the change and
vanish with it on a rollback. E-mails wait for the transaction to commit
(:func:`quizcore.mailer.send_after_commit`) and leave off the request thread: a refused
or unreachable SMTP server is logged and never fails the request.

* quiz published -> each active student of the quiz's classes (one INSERT for all);
* attempt graded (final marks, automatic or by a teacher) -> the student;
* attempt submitted with descriptive answers to mark -> the quiz's teacher;
* attempt auto-submitted for violations -> the quiz's teacher;
* a teacher extended, force-submitted or reopened an attempt -> the student (in-app only).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from quizcore.events import (
    AttemptExtended,
    AttemptForceSubmitted,
    AttemptGraded,
    AttemptReopened,
    AttemptsGranted,
    AttemptSubmitted,
    QuizPublished,
)
from quizcore.mailer import get_mail_service, send_after_commit
from quizcore.models import (
    AttemptStatus,
    Quiz,
    QuizAttempt,
    Student,
    User,
    new_uuid,
    utcnow,
)
from quizcore.transactions import mark_changed, registry_of, settings_of

from . import messages
from .mail import render_mail
from .messages import Notice
from .models import Notification

log = logging.getLogger(__name__)

TEMPLATES_KEY = "notifications.templates"


@dataclass(frozen=True)
class Recipient:
    id: str
    name: str
    email: str


def active_users(session: Session, user_ids: Iterable[str | None]) -> list[Recipient]:
    """The active accounts among ``user_ids`` (deactivated accounts are not notified)."""
    ids = sorted({user_id for user_id in user_ids if user_id})
    if not ids:
        return []
    rows = session.execute(sa.select(User.id, User.name, User.email)
                           .where(User.id.in_(ids), User.is_active.is_(True)).order_by(User.id))
    return [Recipient(*row) for row in rows]


def students_of_classes(session: Session, class_ids: Iterable[str]) -> list[Recipient]:
    """The active students of the classes, in one query."""
    ids = sorted(set(class_ids))
    if not ids:
        return []
    rows = session.execute(
        sa.select(User.id, User.name, User.email).join(Student, Student.id == User.id)
        .where(Student.class_id.in_(ids), User.is_active.is_(True)).order_by(User.id))
    return [Recipient(*row) for row in rows]


def deliver(session: Session, notice: Notice, recipients: Sequence[Recipient]) -> int:
    """Insert one notification per recipient (a single multi-row INSERT) and queue the
    e-mails when ``quizcore.notifications.email_events`` lists the type. Returns the count."""
    if not recipients:
        return 0
    now = utcnow()
    session.execute(sa.insert(Notification), [
        {"id": new_uuid(), "user_id": recipient.id, "type": notice.type,
         "title": notice.title, "message": notice.message, "link": notice.link,
         "is_read": False, "created_at": now}
        for recipient in recipients])
    # A bulk INSERT bypasses the unit of work: make sure the transaction commits it.
    mark_changed(session)
    if notice.type in settings_of(session)["quizcore.notifications.email_events"]:
        send_mails(session, notice, recipients)
    return len(recipients)


def send_mails(session: Session, notice: Notice, recipients: Iterable[Recipient]) -> None:
    """Queue one e-mail per recipient; they leave only if the transaction commits."""
    registry = registry_of(session)
    environment = registry[TEMPLATES_KEY]
    app_url = registry.settings["quizcore.notifications.app_url"]
    service = get_mail_service(registry)
    for recipient in recipients:
        try:
            mail = render_mail(environment, notice, name=recipient.name, app_url=app_url)
            send_after_commit(session, service.message(recipient.email, mail.subject,
                                                       mail.text, html=mail.html))
        except Exception:  # noqa: BLE001 - an e-mail problem must never undo the change
            log.exception("Could not prepare the %s e-mail for user %s", notice.type,
                          recipient.id)


# -- subscribers (in the transaction) --------------------------------------------------------


def on_quiz_published(event: QuizPublished) -> None:
    session = event.session
    quiz = session.get(Quiz, event.quiz_id)
    if quiz is None:
        return
    notice = messages.quiz_published(
        quiz_id=quiz.id, title=quiz.title, subject=quiz.subject, start_date=quiz.start_date,
        end_date=quiz.end_date, time_limit_minutes=quiz.time_limit_minutes)
    deliver(session, notice, students_of_classes(session, event.class_ids))


def is_final_grade(event: AttemptGraded) -> bool:
    """Do the marks of ``event`` stand, or do descriptive answers still wait for a teacher?

    The core leaves ``passed`` unset while marks are pending (the attempt is then
    ``submitted``, or ``auto_submitted`` with ``passed`` unset); final marks always say
    whether the student passed.
    """
    if event.status == AttemptStatus.GRADED:
        return True
    return event.passed is not None and event.status != AttemptStatus.SUBMITTED


def on_attempt_graded(event: AttemptGraded) -> None:
    if not is_final_grade(event):
        return
    session = event.session
    quiz = session.get(Quiz, event.quiz_id)
    notice = messages.attempt_graded(
        attempt_id=event.attempt_id, quiz_title=quiz.title if quiz else "your quiz",
        score=event.score, total_marks=event.total_marks, percentage=event.percentage,
        passed=event.passed, regraded=event.how == "regrade")
    deliver(session, notice, active_users(session, [event.student_id]))


def on_attempt_submitted(event: AttemptSubmitted) -> None:
    if not (event.pending_manual_grading or event.reason == "violations"):
        return
    session = event.session
    quiz = session.get(Quiz, event.quiz_id)
    if quiz is None:
        return
    teachers = active_users(session, [quiz.created_by])
    if event.pending_manual_grading:
        deliver(session, messages.grading_pending(
            attempt_id=event.attempt_id, quiz_title=quiz.title,
            student_name=event.student_name), teachers)
    if event.reason == "violations":
        attempt = session.get(QuizAttempt, event.attempt_id)
        deliver(session, messages.attempt_auto_submitted(
            attempt_id=event.attempt_id, quiz_title=quiz.title,
            student_name=event.student_name,
            total_violations=attempt.total_violations if attempt else None), teachers)


def _quiz_title(session: Session, quiz_id: str) -> str:
    quiz = session.get(Quiz, quiz_id)
    return quiz.title if quiz is not None else "your quiz"


def on_attempt_extended(event: AttemptExtended) -> None:
    session = event.session
    deliver(session, messages.attempt_extended(
        attempt_id=event.attempt_id, quiz_title=_quiz_title(session, event.quiz_id),
        deadline_at=event.deadline_at), active_users(session, [event.student_id]))


def on_attempt_force_submitted(event: AttemptForceSubmitted) -> None:
    session = event.session
    deliver(session, messages.attempt_force_submitted(
        attempt_id=event.attempt_id, quiz_title=_quiz_title(session, event.quiz_id),
        reason=event.reason), active_users(session, [event.student_id]))


def on_attempt_reopened(event: AttemptReopened) -> None:
    session = event.session
    deliver(session, messages.attempt_reopened(
        quiz_id=event.quiz_id, quiz_title=_quiz_title(session, event.quiz_id),
        attempts_allowed=event.attempts_allowed), active_users(session, [event.student_id]))


def on_attempts_granted(event: AttemptsGranted) -> None:
    """Each active student concerned, told how many attempts they now have (one INSERT per
    distinct number, however many students)."""
    session = event.session
    title = _quiz_title(session, event.quiz_id)
    by_allowed: dict[int, list[str]] = {}
    for student_id, allowed in event.attempts_allowed.items():
        by_allowed.setdefault(allowed, []).append(student_id)
    for allowed, student_ids in sorted(by_allowed.items()):
        deliver(session, messages.attempts_granted(
            quiz_id=event.quiz_id, quiz_title=title,
            additional_attempts=event.additional_attempts, attempts_allowed=allowed),
            active_users(session, student_ids))
