"""Recording violation reports and summarising them, in the database (no HTTP).

A report is recorded under the attempt's row lock (``SELECT ... FOR UPDATE``), the lock the
core's submit takes too. Concurrent reports of one attempt are therefore applied one after
the other: each sees the counter and the last counted report the previous one left, so the
counter (``quiz_attempts.total_violations``) never loses a report and the report that
reaches the threshold is the only one that auto-submits; the reports after it find the
attempt submitted and are refused.
"""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from quizcore.domain import access_codes, timing, visibility
from quizcore.domain import attempts as lifecycle
from quizcore.domain.errors import Conflict, NotFound
from quizcore.events import ViolationRecorded, emit
from quizcore.models import (
    AttemptStatus,
    Quiz,
    QuizAttempt,
    Severity,
    Student,
    User,
    Violation,
    ViolationType,
    utcnow,
)

from .policy import TYPES, Policy, decide


@dataclass(frozen=True)
class Report:
    """One report from an exam page, already validated."""

    violation_type: ViolationType
    question_index: int | None = None
    severity: Severity | None = None
    metadata: dict[str, Any] | None = None


@dataclass(frozen=True)
class Recorded:
    violation: Violation
    counted: bool
    total_violations: int
    auto_submitted: bool
    #: The attempt's result when this report ended it.
    submission: lifecycle.SubmitResult | None


class TimeOver(Conflict):
    """The attempt's time ran out; it has just been submitted (commit that)."""


def _last_counted_at(session: Session, attempt_id: str,
                     kind: ViolationType) -> dt.datetime | None:
    return session.scalar(
        sa.select(sa.func.max(Violation.detected_at))
        .where(Violation.attempt_id == attempt_id, Violation.violation_type == kind,
               Violation.is_counted.is_(True)))


def record_violation(session: Session, attempt_id: str, student: User, report: Report,
                     policy: Policy, *, now: dt.datetime | None = None) -> Recorded:
    """Record a report against the student's own attempt in progress.

    Raises :class:`NotFound` (not the student's attempt), :class:`Conflict` (``reason``
    "submitted": the attempt has ended; nothing is stored) or :class:`TimeOver` (``reason``
    "time_over": its time and grace are over, so the core's lazy expiry has just submitted it;
    the caller should commit). A report that reaches ``policy.threshold`` auto-submits the
    attempt through the core (:func:`quizcore.domain.attempts.auto_submit_attempt`, reason
    "violations"), which grades it through the grading hook. Emits
    :class:`ViolationRecorded` (then the core's ``AttemptSubmitted`` when it ends).
    """
    attempt = lifecycle.lock_attempt(session, attempt_id)
    # The clock is read once the lock is held, so reports are timed in the order they are
    # applied: a report that waited for the lock is never timed before the one it waited for.
    now = now or utcnow()
    if attempt is None or attempt.student_id != student.id:
        raise NotFound("Attempt")
    if attempt.status != AttemptStatus.IN_PROGRESS:
        raise Conflict("This attempt has been submitted; violations are no longer recorded.",
                       reason=timing.SUBMITTED)
    if lifecycle.expire_if_due(session, attempt, now) is not None:
        raise TimeOver("Time is over for this attempt; it has been submitted.",
                       reason=timing.TIME_OVER)

    decision = decide(attempt.total_violations,
                      _last_counted_at(session, attempt.id, report.violation_type), now, policy)
    violation = Violation(
        attempt_id=attempt.id, violation_type=report.violation_type, detected_at=now,
        question_index=report.question_index,
        severity=policy.severity_of(report.violation_type, report.severity),
        details=report.metadata, is_counted=decision.counted)
    session.add(violation)
    attempt.total_violations = decision.total_violations
    # Written before the auto-submission, which reloads the attempt row under its lock.
    session.flush()
    emit(session, ViolationRecorded(
        actor_id=student.id, attempt_id=attempt.id, quiz_id=attempt.quiz_id, student_id=student.id,
        student_name=student.name, violation_type=report.violation_type.value,
        total_violations=decision.total_violations, counted=decision.counted,
        question_index=report.question_index, auto_submitted=decision.auto_submit))
    submission = None
    if decision.auto_submit:
        submission = lifecycle.auto_submit_attempt(
            session, attempt.id, reason=lifecycle.REASON_VIOLATIONS, now=now)
    return Recorded(violation, decision.counted, decision.total_violations,
                    decision.auto_submit, submission)


# -- the teacher's summary ---------------------------------------------------------------------


def _by_type(rows) -> dict[str, int]:
    counts = dict.fromkeys(TYPES, 0)
    for kind, count in rows:
        counts[str(kind)] += int(count or 0)
    return counts


def quiz_summary(session: Session, quiz: Quiz) -> dict[str, Any]:
    """Violations of a quiz's attempts by type and by student (students with none are left
    out). ``total_violations`` and ``by_type`` count what counts toward the threshold;
    ``total_reports`` and ``reports_by_type`` every stored report, debounced ones included.
    Three queries whatever the size of the class."""
    counted = sa.func.sum(sa.case((Violation.is_counted.is_(True), 1), else_=0))
    per_type = session.execute(
        sa.select(QuizAttempt.student_id, Violation.violation_type, counted,
                  sa.func.count(), sa.func.max(Violation.detected_at))
        .join(QuizAttempt, QuizAttempt.id == Violation.attempt_id)
        .where(QuizAttempt.quiz_id == quiz.id)
        .group_by(QuizAttempt.student_id, Violation.violation_type)).all()
    attempts = session.execute(
        sa.select(QuizAttempt.student_id, sa.func.count(),
                  sa.func.sum(sa.case((QuizAttempt.auto_submitted_due_to_violations.is_(True),
                                       1), else_=0)))
        .where(QuizAttempt.quiz_id == quiz.id, QuizAttempt.total_violations > 0)
        .group_by(QuizAttempt.student_id)).all()
    rows_of: dict[str, list] = {}
    for row in per_type:
        rows_of.setdefault(row[0], []).append(row)
    student_ids = sorted(rows_of)
    people = {row.id: row for row in session.execute(
        sa.select(User.id, User.name, Student.registration_number)
        .join(Student, Student.id == User.id).where(User.id.in_(student_ids)))} \
        if student_ids else {}
    attempt_counts = {student_id: (count, int(auto or 0))
                      for student_id, count, auto in attempts}

    students = []
    for student_id in student_ids:
        rows = rows_of[student_id]
        person = people.get(student_id)
        with_violations, auto = attempt_counts.get(student_id, (0, 0))
        students.append({
            "student": {"id": student_id, "name": person.name if person else None,
                        "registration_number": person.registration_number if person else None},
            "total_violations": sum(int(row[2] or 0) for row in rows),
            "total_reports": sum(row[3] for row in rows),
            "by_type": _by_type((row[1], row[2]) for row in rows),
            "reports_by_type": _by_type((row[1], row[3]) for row in rows),
            "attempts_with_violations": with_violations,
            "auto_submitted_attempts": auto,
            "last_detected_at": max(row[4] for row in rows),
        })
    students.sort(key=lambda s: (-s["total_violations"], -s["total_reports"],
                                 s["student"]["name"] or ""))
    return {
        "quiz_id": quiz.id, "title": quiz.title,
        "total_violations": sum(s["total_violations"] for s in students),
        "total_reports": sum(s["total_reports"] for s in students),
        "by_type": _by_type((row[1], row[2]) for row in per_type),
        "reports_by_type": _by_type((row[1], row[3]) for row in per_type),
        "students_with_violations": len(students),
        "auto_submitted_attempts": sum(s["auto_submitted_attempts"] for s in students),
        "by_student": students,
    }


def attempt_seen_by(session: Session, user: User, attempt_id: str) -> QuizAttempt:
    """The attempt, if ``user`` may see it (``quizcore.domain.visibility``); else NotFound."""
    attempt = session.get(QuizAttempt, attempt_id)
    if attempt is None or not visibility.can_see_attempt(user, attempt):
        raise NotFound("Attempt")
    return attempt


def access_code_matches(session: Session, student: Student, attempt_id: str,
                        code: str) -> bool:
    """Is ``code`` the access code of the quiz of the student's own attempt ``attempt_id``
    (case-insensitive, surrounding spaces ignored)? NotFound when the attempt is not theirs."""
    attempt = session.get(QuizAttempt, attempt_id)
    if attempt is None or attempt.student_id != student.id:
        raise NotFound("Attempt")
    expected = attempt.quiz.access_code
    return expected is not None and hmac.compare_digest(
        access_codes.normalize(code).encode(), expected.encode())


def attempt_report(session: Session, attempt: QuizAttempt) -> dict[str, Any]:
    """The attempt's reports, oldest first, with its counters and start/submission times."""
    rows = session.scalars(sa.select(Violation).where(Violation.attempt_id == attempt.id)
                           .order_by(Violation.detected_at, Violation.id)).all()
    return {
        "attempt_id": attempt.id, "student_id": attempt.student_id, "quiz_id": attempt.quiz_id,
        "total_violations": attempt.total_violations,
        "auto_submitted": attempt.auto_submitted_due_to_violations,
        "violations": [{"type": str(row.violation_type), "timestamp": row.detected_at,
                        "counted": row.is_counted, "question_index": row.question_index,
                        "severity": str(row.severity) if row.severity else None,
                        "details": row.details} for row in rows],
        "device_info": device_info(attempt),
    }


def device_info(attempt: QuizAttempt) -> dict[str, Any]:
    """What the server saw of the device that started the attempt."""
    return {"ip_address": attempt.ip_address, "user_agent": attempt.user_agent,
            "started_at": attempt.started_at, "submitted_at": attempt.submitted_at}
