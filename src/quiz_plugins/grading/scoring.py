"""How answers are marked and attempts scored: pure functions, no database, no HTTP.

* **Multiple choice and true/false** answers are right when the chosen option, as an index
  into the question's *original* option order, is the key (``correct_answer``; true/false:
  0 = true, 1 = false). Right earns the question's marks in the quiz, wrong or unanswered 0.
* **Short answers** are right when the text matches one of the accepted answers after
  normalisation on both sides: Unicode NFKC (full-width letters, ligatures, non-breaking
  spaces become their plain forms), case folded, surrounding whitespace removed and inner
  runs of whitespace collapsed to one space. ``" PARIS "`` matches ``"paris"``; ``"Pa ris"``
  does not. A short-answer question without accepted answers waits for a teacher.
  With ``case_sensitive`` (a question setting, default off) case is kept: ``"Paris"`` then
  does not match ``"paris"``; NFKC and whitespace normalisation still apply.
* **Multiple-answer, numerical, matching and ordering** answers earn the fraction of the
  marks that :mod:`quizcore.domain.grading` computes (``multiple_answer_credit``,
  ``numerical_credit``, ``matching_credit``, ``ordering_credit``: the rules and their
  sources are documented there), rounded to two decimals half up.
* **Quiz-level negative marking**: with ``negative_marking`` f (0..1) on the quiz, an
  objective answer that earns nothing costs f of the question's marks (unanswered costs
  nothing). A question never scores below 0 on its own; the penalties come off the attempt's
  total, which itself never goes below 0.
* **Descriptive** answers wait for a teacher. A blank one (nothing but whitespace) earns 0
  at once, since no rubric gives marks for nothing.
* Marks a teacher gave by hand (``manual``) are never replaced by the automatic ones.

The attempt's score is the sum of the marks in :class:`~decimal.Decimal` (no float drift);
the percentage is the score over the quiz's total marks (every question counts, answered or
not, with the quiz's ``marks_override``), quantised to two decimals with ``ROUND_HALF_UP``
(2 of 3 marks: 66.67); ``passed`` compares it with the quiz's passing percentage and stays
unknown (None) while answers wait for a teacher.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from quizcore.domain import grading as credit_rules
from quizcore.domain.grading import percentage_of
from quizcore.models import AttemptStatus, QuestionType

ZERO = Decimal("0")
#: Marks are stored as DECIMAL(5,2): a teacher may give halves and quarters, not thirds.
MARK_PLACES = 2

OBJECTIVE_TYPES = (QuestionType.MCQ, QuestionType.TRUE_FALSE)
#: Types scored by a credit fraction from ``answer_data``.
CREDIT_TYPES = (QuestionType.MULTIPLE_ANSWER, QuestionType.NUMERICAL, QuestionType.MATCHING,
                QuestionType.ORDERING)


def normalise_answer(text: str, case_sensitive: bool = False) -> str:
    """The form short answers are compared in: NFKC, case folded (unless
    ``case_sensitive``), whitespace collapsed.

    NFKC runs again after case folding because folding can produce characters that NFKC
    would write differently.
    """
    if case_sensitive:
        return " ".join(unicodedata.normalize("NFKC", text).split())
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    return " ".join(folded.split())


def is_blank(text: str | None) -> bool:
    return text is None or not normalise_answer(text)


def matches_accepted(text: str | None, accepted: Iterable[str] | None,
                     case_sensitive: bool = False) -> bool:
    """Does ``text`` match one of the accepted answers (both normalised)?"""
    if is_blank(text):
        return False
    wanted = normalise_answer(text, case_sensitive)
    return any(isinstance(item, str) and normalise_answer(item, case_sensitive) == wanted
               for item in accepted or ())


@dataclass(frozen=True)
class AnswerKey:
    """What marking one question needs: its type, its marks in the quiz and its key."""

    type: str
    marks: int
    correct_answer: int | None = None
    accepted_answers: Sequence[str] | None = None
    #: The type's details (``questions.details``).
    details: Mapping[str, Any] | None = None
    #: Number of options (multiple_answer).
    option_count: int = 0

    @property
    def needs_teacher(self) -> bool:
        """Answers to this question are marked by a teacher."""
        if self.type == QuestionType.DESCRIPTIVE:
            return True
        return self.type == QuestionType.SHORT_ANSWER and not any(
            isinstance(item, str) and not is_blank(item) for item in self.accepted_answers or ())


def credit_of(key: AnswerKey, answer_data: Mapping[str, Any] | None) -> Decimal:
    """The fraction (0..1) of the marks a richer-type answer earns."""
    details = key.details or {}
    data = answer_data if isinstance(answer_data, Mapping) else {}
    if key.type == QuestionType.MULTIPLE_ANSWER:
        return credit_rules.multiple_answer_credit(details, key.option_count,
                                                   data.get("options"))
    if key.type == QuestionType.NUMERICAL:
        return credit_rules.numerical_credit(details, data.get("number"))
    if key.type == QuestionType.MATCHING:
        return credit_rules.matching_credit(details, data.get("matches"))
    if key.type == QuestionType.ORDERING:
        return credit_rules.ordering_credit(details, data.get("order"))
    return ZERO


def auto_mark(key: AnswerKey, answer_option: int | None, answer_text: str | None,
              answer_data: Mapping[str, Any] | None = None) -> Decimal | None:
    """The marks an answer earns by the key, or None when a teacher must mark it."""
    full = Decimal(key.marks)
    if key.type in CREDIT_TYPES:
        return (full * credit_of(key, answer_data)).quantize(
            Decimal(1).scaleb(-MARK_PLACES), rounding=ROUND_HALF_UP)
    if key.type in OBJECTIVE_TYPES:
        right = answer_option is not None and key.correct_answer is not None and \
            answer_option == key.correct_answer
        return full if right else ZERO
    if is_blank(answer_text):
        return ZERO
    if key.needs_teacher:
        return None
    case_sensitive = bool((key.details or {}).get("case_sensitive"))
    return full if matches_accepted(answer_text, key.accepted_answers, case_sensitive) \
        else ZERO


@dataclass(frozen=True)
class AnswerState:
    """One question of an attempt as it stands: the key, the answer (if any) and the marks
    it holds now."""

    question_id: str
    key: AnswerKey
    answered: bool = False
    answer_option: int | None = None
    answer_text: str | None = None
    answer_data: Mapping[str, Any] | None = None
    current_marks: Decimal | None = None
    #: The current marks were given by a teacher.
    manual: bool = False


@dataclass(frozen=True)
class AttemptResult:
    score: Decimal
    total_marks: int
    percentage: Decimal
    #: None while answers wait for a teacher.
    passed: bool | None
    #: Answers waiting for a teacher, and the marks they are worth.
    pending_answers: int
    pending_marks: int

    @property
    def pending(self) -> bool:
        return self.pending_answers > 0


@dataclass(frozen=True)
class Marking:
    """The marks every answered question should hold, and the attempt's result."""

    #: question id -> marks (None: waits for a teacher), for answered questions only.
    marks: dict[str, Decimal | None]
    result: AttemptResult


def wrong_answer_penalty(key: AnswerKey, awarded: Decimal | None,
                         negative_marking: Decimal | float | int) -> Decimal:
    """What a wrong objective answer costs the attempt under quiz-level negative marking:
    ``negative_marking`` times the question's marks when the answer earned nothing
    (descriptive and short answers, partly right and unanswered questions cost nothing)."""
    fraction = Decimal(str(negative_marking or 0))
    objective = key.type in OBJECTIVE_TYPES or key.type in CREDIT_TYPES
    if not fraction or not objective or awarded is None or awarded > 0:
        return ZERO
    return (Decimal(key.marks) * fraction).quantize(Decimal(1).scaleb(-MARK_PLACES),
                                                    rounding=ROUND_HALF_UP)


def mark_attempt(states: Iterable[AnswerState], passing_percentage: int | Decimal, *,
                 remark: bool = True, negative_marking: Decimal | float | int = 0
                 ) -> Marking:
    """Mark every answer of an attempt and score it.

    ``remark=True`` (submission, regrade) marks every answer again from the current key;
    ``remark=False`` (a teacher's grading) keeps the marks answers already hold and only
    fills in the missing automatic ones. Manual marks are kept either way.
    ``negative_marking`` (the quiz's) takes :func:`wrong_answer_penalty` off the score.
    """
    marks: dict[str, Decimal | None] = {}
    score = ZERO
    total = 0
    pending_answers = pending_marks = 0
    for state in states:
        total += state.key.marks
        if not state.answered:
            continue
        if state.current_marks is not None and (state.manual or not remark or
                                                state.key.needs_teacher):
            awarded: Decimal | None = state.current_marks
        else:
            awarded = auto_mark(state.key, state.answer_option, state.answer_text,
                                state.answer_data)
        marks[state.question_id] = awarded
        if awarded is None:
            pending_answers += 1
            pending_marks += state.key.marks
        else:
            score += awarded - wrong_answer_penalty(state.key, awarded, negative_marking)
    score = max(score, ZERO)  # penalties never take the attempt below 0
    return Marking(marks, attempt_result(score, total, passing_percentage, pending_answers,
                                         pending_marks))


def attempt_result(score: Decimal, total_marks: int, passing_percentage: int | Decimal,
                   pending_answers: int = 0, pending_marks: int = 0) -> AttemptResult:
    """Score, percentage (two decimals, half up) and pass mark of an attempt."""
    percentage = percentage_of(score, total_marks)
    passed = None if pending_answers else percentage >= Decimal(passing_percentage)
    return AttemptResult(score, total_marks, percentage, passed, pending_answers,
                         pending_marks)


def status_after_grading(status: AttemptStatus | str, pending: bool) -> AttemptStatus:
    """An attempt's status once marked: ``graded`` when nothing waits for a teacher;
    ``submitted`` while something does; an attempt the server ended (``auto_submitted``,
    for its deadline or for violations, and ``force_submitted`` by a teacher) keeps saying
    so."""
    if status in (AttemptStatus.AUTO_SUBMITTED, AttemptStatus.FORCE_SUBMITTED):
        return AttemptStatus(status)
    return AttemptStatus.SUBMITTED if pending else AttemptStatus.GRADED


def manual_marks_problem(value: Decimal, marks: int) -> str | None:
    """Why ``value`` cannot be a teacher's marks for a question worth ``marks``, or None."""
    try:
        finite = value.is_finite()
    except (AttributeError, InvalidOperation):
        finite = False
    if not finite:
        return "marks_awarded must be a number."
    if value < 0 or value > marks:
        return f"marks_awarded must be between 0 and {marks} (the question's marks)."
    if value != value.quantize(Decimal(1).scaleb(-MARK_PLACES)):
        return f"marks_awarded may have at most {MARK_PLACES} decimal places."
    return None
