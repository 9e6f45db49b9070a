"""Marking attempts in the database: at submission (the core's grading hook), by a teacher,
and again after an answer-key correction (regrade).

The rules are in :mod:`.scoring`; this module reads the rows they need, writes the marks
back and keeps the attempt's totals and status in step. Every path that changes an attempt
holds its row lock (``SELECT ... FOR UPDATE``), like the core's submit: a teacher's grading,
a regrade and a late submission of the same attempt never interleave.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from quizcore.domain import attempts as lifecycle
from quizcore.domain import papers, visibility
from quizcore.domain.errors import Conflict, Invalid, NotFound
from quizcore.domain.grading import GradeOutcome, GradingContext, quantize
from quizcore.domain.people import ensure_teacher_profile
from quizcore.events import AttemptGraded, emit
from quizcore.models import (
    AttemptStatus,
    Question,
    Quiz,
    QuizAttempt,
    StudentAnswer,
    User,
    utcnow,
)
from quizcore.transactions import mark_changed

from .scoring import (
    AnswerKey,
    AnswerState,
    AttemptResult,
    Marking,
    manual_marks_problem,
    mark_attempt,
    status_after_grading,
)

#: Attempts that have ended and can be (re)marked.
ENDED_STATUSES = (AttemptStatus.SUBMITTED, AttemptStatus.GRADED, AttemptStatus.AUTO_SUBMITTED,
                  AttemptStatus.FORCE_SUBMITTED)

MANUAL = "manual"
REGRADE = "regrade"


def answer_key(question: Question, marks: int) -> AnswerKey:
    return AnswerKey(type=str(question.type), marks=marks,
                     correct_answer=question.correct_answer,
                     accepted_answers=question.accepted_answers,
                     details=question.details, option_count=len(question.options or ()))


def answer_state(question: Question, marks: int, answer: StudentAnswer | None) -> AnswerState:
    if answer is None:
        return AnswerState(question.id, answer_key(question, marks))
    return AnswerState(question.id, answer_key(question, marks), answered=True,
                       answer_option=answer.answer_option, answer_text=answer.answer_text,
                       answer_data=answer.answer_data, current_marks=answer.marks_awarded,
                       manual=answer.graded_by is not None)


def answer_states(questions: Iterable[tuple[Question, int]],
                  answers: Mapping[str, StudentAnswer]) -> list[AnswerState]:
    """One state per question of the quiz (``(question, marks in the quiz)``, quiz order)."""
    return [answer_state(question, marks, answers.get(question.id))
            for question, marks in questions]


@dataclass(frozen=True)
class MarkChange:
    answer: StudentAnswer
    old: Decimal | None
    new: Decimal | None


def changed_marks(marking: Marking, answers: Mapping[str, StudentAnswer]) -> list[MarkChange]:
    """Answers whose marks ``marking`` would change."""
    changes = []
    for question_id, marks in marking.marks.items():
        answer = answers[question_id]
        if marks != answer.marks_awarded:
            changes.append(MarkChange(answer, answer.marks_awarded, marks))
    return changes


def write_marks(marking: Marking, answers: Mapping[str, StudentAnswer],
                now: dt.datetime) -> list[MarkChange]:
    """Store the automatic marks of ``marking`` on the answer rows (manual ones are kept
    by :func:`~.scoring.mark_attempt` and so never change here)."""
    changes = changed_marks(marking, answers)
    for change in changes:
        change.answer.marks_awarded = change.new
        change.answer.graded_at = now if change.new is not None else None
    return changes


#: Answers per UPDATE of a regrade.
BULK_MARKS_CHUNK = 500


def write_marks_in_bulk(session: Session, changes: Sequence[MarkChange],
                        now: dt.datetime) -> None:
    """Store many answers' new automatic marks (a regrade's): one ``UPDATE ... WHERE id IN``
    per distinct mark and :data:`BULK_MARKS_CHUNK` answers (a quiz's answers earn few
    distinct marks). The ORM's flush sends one UPDATE, one round trip, per answer: most of a
    1,000-attempt regrade's time. The loaded answers are expired so they read the stored
    marks again."""
    table = StudentAnswer.__table__
    by_marks: dict[Decimal | None, list[str]] = {}
    for change in changes:
        by_marks.setdefault(change.new, []).append(change.answer.id)
    for marks, ids in by_marks.items():
        for start in range(0, len(ids), BULK_MARKS_CHUNK):
            session.execute(
                sa.update(table).where(table.c.id.in_(ids[start:start + BULK_MARKS_CHUNK]))
                .values(marks_awarded=marks, graded_at=now if marks is not None else None))
    for change in changes:
        session.expire(change.answer, ["marks_awarded", "graded_at"])
    if changes:
        mark_changed(session)


def store_result(attempt: QuizAttempt, result: AttemptResult) -> None:
    """The attempt's totals and status after marking (outside the submission itself)."""
    attempt.score = quantize(result.score)
    attempt.total_marks = result.total_marks
    attempt.percentage = quantize(result.percentage)
    attempt.passed = result.passed
    attempt.status = status_after_grading(attempt.status, result.pending)


def emit_graded(session: Session, attempt: QuizAttempt, how: str,
                graded_by: str | None) -> None:
    emit(session, AttemptGraded(
        actor_id=graded_by, attempt_id=attempt.id, quiz_id=attempt.quiz_id,
        student_id=attempt.student_id,
        score=float(attempt.score) if attempt.score is not None else None,
        total_marks=attempt.total_marks,
        percentage=float(attempt.percentage) if attempt.percentage is not None else None,
        passed=attempt.passed, status=str(attempt.status), graded_by=graded_by, how=how))


# -- at submission ---------------------------------------------------------------------------


def grade_submission(context: GradingContext) -> GradeOutcome:
    """The attempt grader (``config.set_attempt_grader``): marks every answer by the key at
    submission; descriptive answers are left for a teacher (the outcome is then pending)."""
    questions = [(item.question, item.marks) for item in context.questions]
    marking = mark_attempt(answer_states(questions, context.answers),
                           context.quiz.passing_percentage,
                           negative_marking=context.quiz.negative_marking)
    write_marks(marking, context.answers, context.now)
    result = marking.result
    return GradeOutcome(score=result.score, total_marks=result.total_marks,
                        percentage=result.percentage, passed=result.passed,
                        pending=result.pending)


# -- who may grade ---------------------------------------------------------------------------


def attempt_answers(session: Session, attempt_ids: Sequence[str]
                    ) -> dict[str, dict[str, StudentAnswer]]:
    """attempt id -> question id -> answer row."""
    found: dict[str, dict[str, StudentAnswer]] = {attempt_id: {} for attempt_id in attempt_ids}
    if attempt_ids:
        for answer in session.scalars(sa.select(StudentAnswer)
                                      .where(StudentAnswer.attempt_id.in_(attempt_ids))):
            found[answer.attempt_id][answer.question_id] = answer
    return found


# -- a teacher marks answers -------------------------------------------------------------------


@dataclass(frozen=True)
class Grade:
    """A teacher's marks for one answer. ``feedback`` None leaves the feedback as it is;
    an empty text clears it."""

    answer_id: str
    marks_awarded: Decimal
    feedback: str | None = None


@dataclass(frozen=True)
class GradingDone:
    attempt: QuizAttempt
    result: AttemptResult


def graded_attempt_for(session: Session, attempt_id: str, user: User,
                       now: dt.datetime) -> QuizAttempt:
    """The attempt, locked, when ``user`` may mark it and it has ended. An attempt whose time
    is over is submitted first (the core's lazy expiry)."""
    attempt = lifecycle.lock_attempt(session, attempt_id)
    if attempt is None or not visibility.manages(user, attempt.quiz):
        raise NotFound("Attempt")
    if attempt.status == AttemptStatus.IN_PROGRESS:
        if lifecycle.expire_if_due(session, attempt, now) is None:
            raise Conflict("This attempt is still in progress; it can be marked once it is "
                           "submitted.", reason="in_progress")
        attempt = lifecycle.lock_attempt(session, attempt_id)
    return attempt


def grade_answers(session: Session, attempt_id: str, grades: Sequence[Grade], user: User, *,
                  now: dt.datetime | None = None) -> GradingDone:
    """A teacher (or an admin) marks answers of an ended attempt by hand.

    Every mark must be between 0 and the question's marks in the quiz, with at most two
    decimals, and every answer must belong to this attempt (:class:`Invalid` otherwise;
    nothing is changed). Marking again replaces the earlier marks. The totals are
    recomputed; the attempt becomes ``graded`` once no answer waits for a teacher (an
    ``auto_submitted`` attempt keeps that status). Emits :class:`AttemptGraded` (``how``
    "manual").
    """
    now = now or utcnow()
    attempt = graded_attempt_for(session, attempt_id, user, now)
    links = papers.questions_of_attempt(session, attempt)
    marks_of = {link.question.id: link.marks for link in links}
    answers = attempt_answers(session, [attempt.id])[attempt.id]
    by_id = {answer.id: answer for answer in answers.values()}
    seen: set[str] = set()
    for index, grade in enumerate(grades):
        answer = by_id.get(grade.answer_id)
        if answer is None:
            raise Invalid(f"Answer {grade.answer_id} is not an answer of this attempt.",
                          field=f"grades.{index}.answer_id")
        if grade.answer_id in seen:
            raise Invalid(f"Answer {grade.answer_id} is graded twice in one request.",
                          field=f"grades.{index}.answer_id")
        seen.add(grade.answer_id)
        problem = manual_marks_problem(grade.marks_awarded, marks_of[answer.question_id])
        if problem:
            raise Invalid(problem, field=f"grades.{index}.marks_awarded")

    # Manual marks are recognised by their grader, so an admin's get a teacher profile too.
    grader_id = ensure_teacher_profile(session, user).id
    for grade in grades:
        answer = by_id[grade.answer_id]
        answer.marks_awarded = grade.marks_awarded
        answer.graded_by = grader_id
        answer.graded_at = now
        if grade.feedback is not None:
            answer.feedback = grade.feedback or None
    marking = mark_attempt(answer_states([(link.question, link.marks) for link in links],
                                         answers),
                           attempt.quiz.passing_percentage, remark=False,
                           negative_marking=attempt.quiz.negative_marking)
    write_marks(marking, answers, now)
    store_result(attempt, marking.result)
    session.flush()
    emit_graded(session, attempt, MANUAL, user.id)
    return GradingDone(attempt, marking.result)


# -- regrade after an answer-key correction -------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    score: Decimal | None
    percentage: Decimal | None
    passed: bool | None
    status: str

    @classmethod
    def of(cls, attempt: QuizAttempt) -> Outcome:
        return cls(attempt.score, attempt.percentage, attempt.passed, str(attempt.status))

    def as_dict(self) -> dict[str, Any]:
        return {"score": self.score, "percentage": self.percentage, "passed": self.passed,
                "status": self.status}


@dataclass
class AttemptRegrade:
    attempt: QuizAttempt
    old: Outcome
    new: Outcome
    answers: list[MarkChange]


@dataclass
class RegradeReport:
    quiz: Quiz
    dry_run: bool
    checked: int = 0
    changed: list[AttemptRegrade] = field(default_factory=list)


def regrade_quiz(session: Session, quiz: Quiz, user: User, *, dry_run: bool,
                 now: dt.datetime | None = None) -> RegradeReport:
    """Mark every ended attempt of ``quiz`` again with the current answer key.

    Manual marks are kept. Attempts in progress are left alone (they are marked with the
    corrected key when they end). With ``dry_run`` nothing is written: the report says what
    would change. Otherwise the changed attempts are updated (locked, in id order, so two
    regrades cannot deadlock) and each emits :class:`AttemptGraded` (``how`` "regrade").
    """
    now = now or utcnow()
    statement = (sa.select(QuizAttempt)
                 .where(QuizAttempt.quiz_id == quiz.id, QuizAttempt.status.in_(ENDED_STATUSES))
                 .order_by(QuizAttempt.id).execution_options(populate_existing=True))
    if not dry_run:
        statement = statement.with_for_update()
    attempts = list(session.scalars(statement))
    paper_of = papers.papers_of_attempts(session, quiz.id, [a.id for a in attempts])
    answers = attempt_answers(session, [attempt.id for attempt in attempts])
    report = RegradeReport(quiz, dry_run, checked=len(attempts))
    pending_marks: list[MarkChange] = []
    for attempt in attempts:
        own = answers[attempt.id]
        questions = [(item.question, item.marks) for item in paper_of[attempt.id]]
        marking = mark_attempt(answer_states(questions, own), quiz.passing_percentage,
                               negative_marking=quiz.negative_marking)
        result = marking.result
        old = Outcome.of(attempt)
        new = Outcome(quantize(result.score), quantize(result.percentage), result.passed,
                      str(status_after_grading(attempt.status, result.pending)))
        changes = changed_marks(marking, own)
        if not changes and new == old and attempt.total_marks == result.total_marks:
            continue
        report.changed.append(AttemptRegrade(attempt, old, new, changes))
        if dry_run:
            continue
        pending_marks.extend(changes)
        store_result(attempt, result)
        emit_graded(session, attempt, REGRADE, user.id)
    write_marks_in_bulk(session, pending_marks, now)
    session.flush()
    return report
