"""The grading hook: how scoring plugs into the attempt lifecycle.

The core owns the lifecycle (start, save, submit, auto-submit); scoring belongs to a plugin.
A plugin registers one *attempt grader* in its ``includeme``::

    def includeme(config):
        config.set_attempt_grader(grade_attempt)

    def grade_attempt(context: GradingContext) -> GradeOutcome | None:
        ...

The core calls the grader exactly once per attempt, when the attempt is submitted (by the
student, by its deadline, or for violations), inside the submitting transaction and with the
attempt row locked (``SELECT ... FOR UPDATE``), so two concurrent submits never grade twice.

The grader receives a :class:`GradingContext`: the locked attempt, the quiz, every question
of the quiz in quiz order with the marks it is worth *in this quiz* (``marks_override``
applied) and the attempt's answers keyed by question id. Answers hold the **original** option
index, whatever order the student saw. The grader may write per-answer results on the answer
rows (``marks_awarded``, ``feedback``, ``graded_at``) and returns a :class:`GradeOutcome`:

* ``score``, ``total_marks``, ``percentage``: the attempt's result (the core rounds to
  two decimals and stores them);
* ``pending=True`` when some answers wait for a teacher (descriptive questions): the attempt
  stays ``submitted``, ``passed`` stays unknown (NULL) and ``score`` holds the marks so far;
* ``passed``: whether the attempt passed; left None, the core compares ``percentage`` with
  the quiz's passing percentage (ignored while pending).

A regrade (after an answer-key correction) builds the same context with
:func:`quizcore.domain.attempts.grading_context` and calls the grader again.

Returning ``None`` means "not graded": the attempt is submitted without a score. A grader that
raises is logged and its partial writes are rolled back (a savepoint); the submission itself
still succeeds, ungraded, so no student loses an attempt to a grading bug.

Without a registered grader, submitted attempts simply stay ``submitted`` with no score.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.orm import Session

from ..models import Question, Quiz, QuizAttempt, StudentAnswer

log = logging.getLogger(__name__)

GRADER_KEY = "quizcore.attempt_grader"
TWO_PLACES = Decimal("0.01")
MAX_SCORE = Decimal("999.99")


@dataclass(frozen=True)
class GradableQuestion:
    """A question as it counts in one quiz."""

    question: Question
    #: Marks this question is worth in this quiz (the quiz's ``marks_override`` if set).
    marks: int
    #: Position in the quiz (0-based, the teacher's order).
    position: int


@dataclass(frozen=True)
class GradingContext:
    """Everything a grader needs, handed over by the core at submission time."""

    session: Session
    #: The attempt, locked for update; its status is still ``in_progress``.
    attempt: QuizAttempt
    quiz: Quiz
    #: Every question of the quiz, in quiz order.
    questions: tuple[GradableQuestion, ...]
    #: The attempt's saved answers by question id (unanswered questions are absent).
    answers: Mapping[str, StudentAnswer]
    #: "student", "deadline" or "violations".
    reason: str
    now: dt.datetime

    @property
    def total_marks(self) -> int:
        return sum(item.marks for item in self.questions)


@dataclass(frozen=True)
class GradeOutcome:
    """What a grader decided for the whole attempt."""

    score: Decimal | float | int
    total_marks: int
    percentage: Decimal | float | int
    passed: bool | None = None
    pending: bool = False


Grader = Callable[[GradingContext], GradeOutcome | None]


def quantize(value: Decimal | float | int | None) -> Decimal | None:
    """Two decimals, half up, clamped to what DECIMAL(5,2) holds."""
    if value is None:
        return None
    number = Decimal(str(value)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
    return max(Decimal(0), min(number, MAX_SCORE))


def percentage_of(score: Decimal | float | int, total_marks: int) -> Decimal:
    """``score`` as a percentage of ``total_marks`` (0 for an empty quiz)."""
    if not total_marks:
        return Decimal("0.00")
    return quantize(Decimal(str(score)) * 100 / Decimal(total_marks))


def get_attempt_grader(registry) -> Grader | None:
    """The grader a plugin registered, or None."""
    return registry.get(GRADER_KEY)


def set_attempt_grader(config, grader: Grader) -> None:
    """Config directive: ``config.set_attempt_grader(callable)``.

    Registered as a configuration action, so two plugins each registering a grader is a
    configuration conflict reported at start-up rather than one silently winning.
    """
    grader = config.maybe_dotted(grader)

    def register():
        config.registry[GRADER_KEY] = grader

    config.action(GRADER_KEY, register)


def run_grader(registry, context: GradingContext) -> GradeOutcome | None:
    """Call the registered grader in a savepoint; None when there is none or it failed."""
    grader = get_attempt_grader(registry)
    if grader is None:
        return None
    try:
        with context.session.begin_nested():
            outcome = grader(context)
            context.session.flush()
    except Exception:  # noqa: BLE001 - a grading bug must not cost the student the attempt
        log.exception("The attempt grader failed for attempt %s; it stays ungraded.",
                      context.attempt.id)
        return None
    return outcome


def includeme(config):
    """Adds the ``set_attempt_grader`` directive (used by the grading plugin)."""
    config.add_directive("set_attempt_grader", set_attempt_grader)
