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
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

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


# -- pure scoring of the richer question types -------------------------------------------------
#
# Each function returns the *fraction* of the question's marks an answer earns (a Decimal in
# 0..1) from the question's ``details`` (see :mod:`quizcore.domain.questions`) and the answer
# as stored (original indexes, never the order one attempt showed). They never raise on a
# malformed stored answer: anything of the wrong shape earns 0, because shapes are refused at
# save time and grading must not fail on old rows.

ONE = Decimal(1)
NIL = Decimal(0)


def _clamp(fraction: Decimal) -> Decimal:
    return max(NIL, min(ONE, fraction))


def _index_set(value, size: int) -> set[int] | None:
    if not isinstance(value, list | tuple):
        return None
    picked = set()
    for item in value:
        if isinstance(item, bool) or not isinstance(item, int) or not 0 <= item < size:
            return None
        picked.add(item)
    return picked


def multiple_answer_credit(details: Mapping, option_count: int, chosen) -> Decimal:
    """Credit of a multiple-answer choice (``chosen``: original option indexes).

    * ``all_or_nothing``: 1 when exactly the right options are chosen, else 0;
    * ``partial``: each right option chosen earns 1/k (k right options); a wrong option
      chosen earns nothing and costs nothing, but choosing *every* option earns 0 (so ticking
      all boxes is never a strategy);
    * ``partial_negative``: each right option chosen earns 1/k and each wrong one chosen
      costs 1/k (Canvas / Moodle "multiple answer" style); the question never goes below 0.
    """
    correct = _index_set(details.get("correct_answers"), option_count) or set()
    picked = _index_set(chosen, option_count)
    if not correct or not picked:
        return NIL
    scoring = details.get("scoring") or "all_or_nothing"
    right = len(picked & correct)
    wrong = len(picked - correct)
    if scoring == "partial":
        if len(picked) == option_count and option_count > len(correct):
            return NIL
        return _clamp(Decimal(right) / len(correct))
    if scoring == "partial_negative":
        return _clamp(Decimal(right - wrong) / len(correct))
    return ONE if picked == correct else NIL


def parse_number(text, decimal_comma: bool = False) -> Decimal | None:
    """A typed number, or None when the text is not one.

    The locale rule: the decimal separator is ``.``. A question with ``decimal_comma`` true
    reads ``,`` as the decimal separator instead ("3,14" is 3.14) and then refuses ``.`` so
    "1.000" is never silently read as one. Spaces (also thin and non-breaking) between digit
    groups are ignored; thousands separators are not accepted otherwise. Scientific notation
    ("6.02e23") is accepted.
    """
    if isinstance(text, bool):
        return None
    if isinstance(text, int | float | Decimal):
        try:
            number = Decimal(str(text))
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    if not isinstance(text, str):
        return None
    cleaned = "".join(ch for ch in text.strip() if ch not in " \u00a0\u202f\u2009")
    if decimal_comma:
        if "." in cleaned:
            return None
        cleaned = cleaned.replace(",", ".", 1)
    if not cleaned or "," in cleaned or len(cleaned) > 100:
        return None
    if not all(ch.isascii() and (ch.isdigit() or ch in "+-.eE") for ch in cleaned):
        return None
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def numerical_credit(details: Mapping, number) -> Decimal:
    """Credit of a numerical answer: the best ``credit`` among the accepted values it is
    within tolerance of (``absolute``: |x - value| <= tolerance; ``relative``:
    |x - value| <= tolerance * |value|, tolerance 0.05 = 5 %)."""
    value = parse_number(number)
    if value is None:
        return NIL
    best = NIL
    for accepted in details.get("numeric_answers") or ():
        try:
            target = Decimal(str(accepted["value"]))
            tolerance = Decimal(str(accepted.get("tolerance") or 0))
            credit = Decimal(str(accepted.get("credit", 1)))
        except (KeyError, TypeError, InvalidOperation):
            continue
        if accepted.get("tolerance_type") == "relative":
            tolerance = tolerance * abs(target)
        if abs(value - target) <= tolerance:
            best = max(best, _clamp(credit))
    return best


def matching_credit(details: Mapping, matches) -> Decimal:
    """Credit of a matching answer (``matches``: {left index: original right index}): one
    pair in n per left item matched to its right text (two pairs with the same right text
    are interchangeable)."""
    pairs = details.get("pairs") or ()
    if not pairs or not isinstance(matches, Mapping):
        return NIL
    right = 0
    for left_index, pair in enumerate(pairs):
        chosen = matches.get(str(left_index), matches.get(left_index))
        if isinstance(chosen, bool) or not isinstance(chosen, int) or \
                not 0 <= chosen < len(pairs):
            continue
        if pairs[chosen]["right"] == pair["right"]:
            right += 1
    return Decimal(right) / len(pairs)


def ordering_credit(details: Mapping, order) -> Decimal:
    """Credit of an ordering answer (``order``: original item indexes as the student placed
    them; the correct order is 0, 1, ..., n-1).

    * ``all_or_nothing``: 1 for the exact order, else 0;
    * ``partial``: Moodle's "relative to the next item (excluding last)" rule (qtype_ordering
      grading type RELATIVE_NEXT_EXCLUDE_LAST): each of the n-1 adjacent pairs placed with the
      right item directly after it earns 1/(n-1).
    """
    items = details.get("items") or ()
    size = len(items)
    if size < 2 or not isinstance(order, list | tuple) or len(order) != size or \
            _index_set(order, size) != set(range(size)):
        return NIL
    if details.get("scoring") == "partial":
        good = sum(1 for a, b in zip(order, order[1:], strict=False) if b == a + 1)
        return Decimal(good) / (size - 1)
    return ONE if list(order) == list(range(size)) else NIL
