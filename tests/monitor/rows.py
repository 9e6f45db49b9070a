"""Rows the monitor tests need that the shared factories do not make: attempts, answers,
violations, and a quiz set up the way an exam is."""

from __future__ import annotations

import datetime as dt

from quizcore import models
from tests import factories


def attempt(quiz, student, *, status=models.AttemptStatus.IN_PROGRESS, attempt_number=1,
            started_minutes_ago=10, total_violations=0, submitted=False, score=None):
    session = factories.current_session()
    now = models.utcnow()
    row = models.QuizAttempt(
        quiz_id=quiz.id, student_id=student.id, attempt_number=attempt_number, status=status,
        started_at=now - dt.timedelta(minutes=started_minutes_ago),
        deadline_at=now + dt.timedelta(minutes=quiz.time_limit_minutes),
        total_violations=total_violations,
        submitted_at=now if submitted else None, score=score,
    )
    session.add(row)
    session.flush()
    return row


def answer(attempt_row, question, *, option=0, text=None, seconds_ago=0):
    session = factories.current_session()
    at = models.utcnow() - dt.timedelta(seconds=seconds_ago)
    row = models.StudentAnswer(attempt_id=attempt_row.id, question_id=question.id,
                               answer_option=option, answer_text=text, answered_at=at,
                               updated_at=at)
    session.add(row)
    session.flush()
    return row


def violation(attempt_row, kind=models.ViolationType.TAB_SWITCH, *, counted=True):
    session = factories.current_session()
    row = models.Violation(attempt_id=attempt_row.id, violation_type=kind, is_counted=counted)
    session.add(row)
    session.flush()
    return row


def exam(teacher, school_class, questions=4):
    """A published quiz of ``questions`` questions, set for ``school_class``."""
    qs = [factories.QuestionFactory(owner=teacher) for _ in range(questions)]
    quiz = factories.QuizFactory(owner=teacher, questions=qs, classes=[school_class])
    return quiz, qs
