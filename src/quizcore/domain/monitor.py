"""The live status of a quiz, as teachers watch it during an exam.

:func:`quiz_status` builds the ``quiz_status`` data of the live monitor (API.md "Live
monitor") with a fixed number of aggregate queries, whatever the number of students: the
monitor sidecar asks for it when a teacher joins and every few seconds after, while
hundreds of students save answers, so a query per student would load the database in
proportion to the class size at exactly the wrong moment.

A student appears once: with their latest attempt, as ``waiting`` while a ``teacher_release``
quiz they opened is not released yet, or as ``not_started`` when the quiz is
set for their class and they have not started it yet.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import (
    AttemptStatus,
    Quiz,
    QuizAttempt,
    QuizClass,
    QuizQuestion,
    QuizSection,
    QuizWaiting,
    Student,
    StudentAnswer,
    User,
    Violation,
    ViolationType,
    utcnow,
)
from . import papers

#: Status shown for a student of an assigned class who has no attempt yet.
NOT_STARTED = "not_started"
#: A student held by a teacher_release quiz that is not released yet.
WAITING = "waiting"
#: Attempts that have ended (a ``not_counted`` one too: it is over, only ungraded).
COMPLETED_STATUSES = (AttemptStatus.SUBMITTED, AttemptStatus.GRADED,
                      AttemptStatus.AUTO_SUBMITTED, AttemptStatus.FORCE_SUBMITTED,
                      AttemptStatus.NOT_COUNTED)


def can_monitor(user: User | None, quiz: Quiz) -> bool:
    """Only the quiz's owner and admins watch it live."""
    if user is None:
        return False
    return user.role == "admin" or quiz.created_by == user.id


def _answered():
    """1 for an answer row that holds an answer (a cleared text box does not count)."""
    return sa.case(
        (StudentAnswer.answer_option.is_not(None), 1),
        (StudentAnswer.answer_data.is_not(None), 1),
        (sa.and_(StudentAnswer.answer_text.is_not(None), StudentAnswer.answer_text != ""), 1),
        else_=0,
    )


def _count_of(condition):
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def _latest(*values: dt.datetime | None) -> dt.datetime | None:
    present = [value for value in values if value is not None]
    return max(present) if present else None


def quiz_status(session: Session, quiz: Quiz, now: dt.datetime | None = None) -> dict[str, Any]:
    """The monitor's view of ``quiz`` at ``now`` (naive UTC; default: the current time).

    Returns ``quiz_id, title, status, total_questions, active_attempts, completed_attempts,
    not_started, total_students, generated_at`` and ``students``: one entry per student
    (sorted by name) with ``id, name, registration_number, attempt_id, attempt_number,
    status, current_question`` (0-based position in the quiz of the question saved last,
    or None), ``current_question_number`` (1-based; 1 before the first save),
    ``total_questions, answered_questions, progress`` (percent answered),
    ``violations`` (the attempt's counted violations), ``tab_switches, fullscreen_exits``,
    ``started_at, submitted_at, deadline_at, time_spent_seconds, time_elapsed_minutes,
    time_remaining_seconds, last_activity_at, score``.

    Five queries in all; none of them runs per student.
    """
    now = now or utcnow()
    quiz_id = quiz.id

    # Every paper holds the same number of questions: the fixed ones and each section's draw.
    total_questions = int(session.execute(sa.select(
        sa.select(sa.func.count()).select_from(QuizQuestion)
        .where(QuizQuestion.quiz_id == quiz_id).scalar_subquery()
        + sa.select(sa.func.coalesce(sa.func.sum(QuizSection.draw), 0))
        .where(QuizSection.quiz_id == quiz_id).scalar_subquery())).scalar_one())

    counts = dict(session.execute(
        sa.select(QuizAttempt.status, sa.func.count())
        .where(QuizAttempt.quiz_id == quiz_id).group_by(QuizAttempt.status)
    ).all())
    active = counts.get(AttemptStatus.IN_PROGRESS, 0)
    completed = sum(counts.get(status, 0) for status in COMPLETED_STATUSES)

    # The latest attempt of each student who started the quiz.
    latest_number = (
        sa.select(QuizAttempt.student_id, sa.func.max(QuizAttempt.attempt_number).label("n"))
        .where(QuizAttempt.quiz_id == quiz_id).group_by(QuizAttempt.student_id).subquery()
    )
    attempt_of_quiz = sa.select(QuizAttempt.id).where(QuizAttempt.quiz_id == quiz_id)
    answers = (
        sa.select(StudentAnswer.attempt_id,
                  sa.func.coalesce(sa.func.sum(_answered()), 0).label("answered"),
                  sa.func.max(StudentAnswer.updated_at).label("last_answer_at"))
        .where(StudentAnswer.attempt_id.in_(attempt_of_quiz))
        .group_by(StudentAnswer.attempt_id).subquery()
    )
    # The question each attempt saved last: a window function, one pass for all attempts.
    ranked = (
        sa.select(StudentAnswer.attempt_id, StudentAnswer.question_id,
                  sa.func.row_number().over(
                      partition_by=StudentAnswer.attempt_id,
                      order_by=(StudentAnswer.updated_at.desc(), StudentAnswer.id.desc()),
                  ).label("rn"))
        .where(StudentAnswer.attempt_id.in_(attempt_of_quiz)).subquery()
    )
    paper = papers.paper_rows(quiz_id)
    last_saved = (
        sa.select(ranked.c.attempt_id, paper.c.position.label("order_index"))
        .join(paper, sa.and_(paper.c.question_id == ranked.c.question_id,
                             paper.c.attempt_id == ranked.c.attempt_id))
        .where(ranked.c.rn == 1).subquery()
    )
    counted = Violation.is_counted.is_(True)
    violations = (
        sa.select(Violation.attempt_id,
                  _count_of(sa.and_(counted, Violation.violation_type == ViolationType.TAB_SWITCH))
                  .label("tab_switches"),
                  _count_of(sa.and_(counted,
                                    Violation.violation_type == ViolationType.FULLSCREEN_EXIT))
                  .label("fullscreen_exits"),
                  sa.func.max(Violation.detected_at).label("last_violation_at"))
        .where(Violation.attempt_id.in_(attempt_of_quiz))
        .group_by(Violation.attempt_id).subquery()
    )
    attempt_rows = session.execute(
        sa.select(QuizAttempt, User.name, Student.registration_number,
                  answers.c.answered, answers.c.last_answer_at, last_saved.c.order_index,
                  violations.c.tab_switches, violations.c.fullscreen_exits,
                  violations.c.last_violation_at)
        .join(latest_number, sa.and_(latest_number.c.student_id == QuizAttempt.student_id,
                                     latest_number.c.n == QuizAttempt.attempt_number))
        .join(User, User.id == QuizAttempt.student_id)
        .join(Student, Student.id == QuizAttempt.student_id)
        .outerjoin(answers, answers.c.attempt_id == QuizAttempt.id)
        .outerjoin(last_saved, last_saved.c.attempt_id == QuizAttempt.id)
        .outerjoin(violations, violations.c.attempt_id == QuizAttempt.id)
        .where(QuizAttempt.quiz_id == quiz_id)
    ).all()

    # Students of the classes the quiz is set for who have not started it.
    waiting_rows = session.execute(
        sa.select(User.id, User.name, Student.registration_number,
                  QuizWaiting.since.label("waiting_since"))
        .join(Student, Student.id == User.id)
        .join(QuizClass, QuizClass.class_id == Student.class_id)
        .outerjoin(QuizWaiting, sa.and_(QuizWaiting.quiz_id == quiz_id,
                                        QuizWaiting.student_id == User.id))
        .where(QuizClass.quiz_id == quiz_id, User.is_active.is_(True),
               ~sa.exists().where(QuizAttempt.quiz_id == quiz_id,
                                  QuizAttempt.student_id == User.id))
        .distinct()
    ).all()

    students = [_attempt_entry(row, total_questions, now) for row in attempt_rows]
    students += [_waiting_entry(row, total_questions) for row in waiting_rows]
    held = sum(1 for row in waiting_rows if row.waiting_since is not None)
    students.sort(key=lambda entry: (entry["name"].casefold(), entry["id"]))
    return {
        "quiz_id": quiz_id,
        "title": quiz.title,
        "status": str(quiz.status),
        "total_questions": total_questions,
        "active_attempts": active,
        "completed_attempts": completed,
        "not_started": len(waiting_rows),
        "start_mode": quiz.start_mode,
        "released_at": quiz.released_at,
        "waiting_for_release": held,
        "total_students": len(students),
        "generated_at": now,
        "students": students,
    }


def _progress(answered: int, total_questions: int) -> float:
    return round(100.0 * answered / total_questions, 1) if total_questions else 0.0


def _attempt_entry(row, total_questions: int, now: dt.datetime) -> dict[str, Any]:
    attempt: QuizAttempt = row.QuizAttempt
    answered = int(row.answered or 0)
    in_progress = attempt.status == AttemptStatus.IN_PROGRESS
    ended_at = now if in_progress else (attempt.submitted_at or now)
    spent = max(0, int((ended_at - attempt.started_at).total_seconds()))
    remaining = None
    if in_progress and attempt.deadline_at is not None:
        remaining = max(0, int((attempt.deadline_at - now).total_seconds()))
    current = row.order_index
    return {
        "id": attempt.student_id,
        "name": row.name,
        "registration_number": row.registration_number,
        "attempt_id": attempt.id,
        "attempt_number": attempt.attempt_number,
        "status": str(attempt.status),
        "waiting_since": None,
        "current_question": current,
        "current_question_number": (current + 1) if current is not None else 1,
        "total_questions": total_questions,
        "answered_questions": answered,
        "progress": _progress(answered, total_questions),
        "violations": attempt.total_violations,
        "tab_switches": int(row.tab_switches or 0),
        "fullscreen_exits": int(row.fullscreen_exits or 0),
        "started_at": attempt.started_at,
        "submitted_at": attempt.submitted_at,
        "deadline_at": attempt.deadline_at,
        "time_spent_seconds": spent,
        "time_elapsed_minutes": round(spent / 60, 1),
        "time_remaining_seconds": remaining,
        "last_activity_at": _latest(attempt.started_at, row.last_answer_at,
                                    row.last_violation_at, attempt.submitted_at),
        "score": float(attempt.score) if attempt.score is not None else None,
    }


def _waiting_entry(row, total_questions: int) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "registration_number": row.registration_number,
        "attempt_id": None,
        "attempt_number": None,
        # Opened a teacher_release quiz before its release (gates.record_waiting).
        "status": WAITING if row.waiting_since is not None else NOT_STARTED,
        "waiting_since": row.waiting_since,
        "current_question": None,
        "current_question_number": None,
        "total_questions": total_questions,
        "answered_questions": 0,
        "progress": 0.0,
        "violations": 0,
        "tab_switches": 0,
        "fullscreen_exits": 0,
        "started_at": None,
        "submitted_at": None,
        "deadline_at": None,
        "time_spent_seconds": 0,
        "time_elapsed_minutes": 0.0,
        "time_remaining_seconds": None,
        "last_activity_at": None,
        "score": None,
    }
