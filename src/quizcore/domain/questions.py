"""The question bank: what a valid question is, and when a question may still change.

Validation per type:

* ``mcq``: 2 to 10 non-empty options and ``correct_answer``, a 0-based index into them;
* ``true_false``: ``correct_answer`` 0 (true) or 1 (false); a boolean is accepted too;
* ``short_answer``: at least one accepted answer;
* ``descriptive``: a sample answer and a marking rubric are optional;
* ``short_answer`` also takes ``case_sensitive`` (default false): answers are compared after
  Unicode NFKC and whitespace normalisation (trimmed, inner runs collapsed to one space), and
  case folded unless the flag is set;
* ``multiple_answer``: 2 to 10 options, ``correct_answers`` (one or more distinct option
  indexes) and ``scoring`` ``all_or_nothing`` (default) | ``partial`` | ``partial_negative``
  (see :func:`quizcore.domain.grading.multiple_answer_credit`);
* ``numerical``: ``numeric_answers``, 1 to 20 of ``{value, tolerance >= 0, tolerance_type
  absolute|relative, credit 0..1}`` (at least one with credit 1), and ``decimal_comma``
  (default false: students type "3.14"; true: they type "3,14", the locale rule of
  :func:`quizcore.domain.grading.parse_number`);
* ``matching``: ``pairs``, 2 to 20 of ``{left, right}``;
* ``ordering``: ``items``, 2 to 20 texts in the correct order, and ``scoring``
  ``all_or_nothing`` (default) | ``partial``.

The type-specific fields are stored together in the ``details`` JSON column.

Fields that do not belong to the type (options of a short-answer question...) are cleared.

**Editing questions that students have answered.** Once a question is in use (it has answers
in some attempt, or it belongs to a quiz that has attempts), what students saw (text, type,
options, marks) can no longer change: such an edit is refused with a conflict and the teacher
copies the question instead. Answer-key corrections (``correct_answer``,
``accepted_answers``, ``sample_answer``, ``marking_rubric``) stay allowed so a wrong key can be
fixed and the attempts regraded; so do ``topic`` and ``difficulty``, which students never see.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import (
    AttemptQuestion,
    Difficulty,
    Question,
    QuestionType,
    Quiz,
    QuizAttempt,
    QuizQuestion,
    StudentAnswer,
)
from . import versions
from .errors import Conflict, Invalid
from .values import text_value, whole_number

MIN_MARKS = 1
#: quiz_attempts.score is DECIMAL(5,2): no question, and no quiz, may be worth 1000 marks.
MAX_MARKS = 999
MIN_OPTIONS = 2
MAX_OPTIONS = 10
MAX_TEXT_LENGTH = 10_000  # TEXT holds 65,535 bytes: 10,000 four-byte characters fit
MAX_OPTION_LENGTH = 1_000
MAX_ACCEPTED_ANSWERS = 50
MAX_ACCEPTED_LENGTH = 500
MAX_TOPIC_LENGTH = 100  # questions.topic is VARCHAR(100)

MAX_PAIRS = 20
MAX_ITEMS = 20
MAX_NUMERIC_ANSWERS = 20
MAX_TAGS = 20
MAX_TAG_LENGTH = 50
MAX_FEEDBACK_LENGTH = MAX_TEXT_LENGTH
MULTIPLE_ANSWER_SCORING = ("all_or_nothing", "partial", "partial_negative")
ORDERING_SCORING = ("all_or_nothing", "partial")
TOLERANCE_TYPES = ("absolute", "relative")

#: Type-specific fields kept in the ``details`` JSON column.
DETAIL_CONTENT_FIELDS = ("pairs", "items")
DETAIL_KEY_FIELDS = ("correct_answers", "scoring", "numeric_answers", "decimal_comma",
                     "case_sensitive")
#: Feedback shown with the review and the bank's tags: teachers may edit them at any time.
DETAIL_FEEDBACK_FIELDS = ("feedback", "option_feedback", "true_feedback", "false_feedback",
                          "tags")
DETAIL_FIELDS = DETAIL_CONTENT_FIELDS + DETAIL_KEY_FIELDS + DETAIL_FEEDBACK_FIELDS

#: What students see: frozen once the question is in use.
CONTENT_FIELDS = ("text", "type", "options", "marks") + DETAIL_CONTENT_FIELDS
#: The answer key: may be corrected at any time (then regrade).
KEY_FIELDS = ("correct_answer", "accepted_answers", "sample_answer",
              "marking_rubric") + DETAIL_KEY_FIELDS
#: Bank metadata students never see.
META_FIELDS = ("topic", "difficulty") + DETAIL_FEEDBACK_FIELDS
FIELDS = CONTENT_FIELDS + KEY_FIELDS + META_FIELDS
#: Fields that are columns of their own.
COLUMN_FIELDS = tuple(f for f in FIELDS if f not in DETAIL_FIELDS)

TRUE_FALSE_OPTIONS = ("True", "False")


def clean_question(values: Mapping[str, Any]) -> dict[str, Any]:
    """Check a complete question (every field of :data:`FIELDS`) and return it cleaned.

    Raises :class:`~quizcore.domain.errors.Invalid` naming the first offending field.
    """
    try:
        qtype = QuestionType(values.get("type"))
    except ValueError:
        raise Invalid("type must be one of " + ", ".join(t.value for t in QuestionType)
                      + ".", field="type") from None
    cleaned: dict[str, Any] = {
        "type": qtype,
        "text": text_value(values.get("text"), "text", MAX_TEXT_LENGTH, required=True),
        "topic": text_value(values.get("topic"), "topic", MAX_TOPIC_LENGTH),
        "sample_answer": text_value(values.get("sample_answer"), "sample_answer",
                                    MAX_TEXT_LENGTH),
        "marking_rubric": text_value(values.get("marking_rubric"), "marking_rubric",
                                MAX_TEXT_LENGTH),
        "options": None,
        "correct_answer": None,
        "accepted_answers": None,
    }
    cleaned.update(dict.fromkeys(DETAIL_FIELDS))
    difficulty = values.get("difficulty")
    if difficulty is not None:
        try:
            difficulty = Difficulty(difficulty)
        except ValueError:
            raise Invalid("difficulty must be one of easy, medium, hard.",
                          field="difficulty") from None
    cleaned["difficulty"] = difficulty

    marks = values.get("marks")
    if marks is None:
        raise Invalid("marks is required.", field="marks")
    marks = whole_number(marks, "marks")
    if not MIN_MARKS <= marks <= MAX_MARKS:
        raise Invalid(f"marks must be between {MIN_MARKS} and {MAX_MARKS}.", field="marks")
    cleaned["marks"] = marks

    correct = values.get("correct_answer")
    if qtype in (QuestionType.MCQ, QuestionType.MULTIPLE_ANSWER):
        options = values.get("options")
        if not isinstance(options, list | tuple) or \
                not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
            raise Invalid(f"A multiple-choice question has {MIN_OPTIONS} to {MAX_OPTIONS} "
                          "options.", field="options")
        cleaned["options"] = [text_value(option, "options", MAX_OPTION_LENGTH, required=True)
                              for option in options]
    if qtype == QuestionType.MULTIPLE_ANSWER:
        cleaned.update(_multiple_answer(values, len(options)))
    elif qtype == QuestionType.NUMERICAL:
        cleaned.update(_numerical(values))
    elif qtype == QuestionType.MATCHING:
        cleaned["pairs"] = _pairs(values.get("pairs"))
    elif qtype == QuestionType.ORDERING:
        items = values.get("items")
        if not isinstance(items, list | tuple) or not MIN_OPTIONS <= len(items) <= MAX_ITEMS:
            raise Invalid(f"An ordering question has {MIN_OPTIONS} to {MAX_ITEMS} items.",
                          field="items")
        cleaned["items"] = [text_value(item, "items", MAX_OPTION_LENGTH, required=True)
                            for item in items]
        cleaned["scoring"] = _choice(values.get("scoring"), "scoring", ORDERING_SCORING)
    if qtype == QuestionType.MCQ:
        if correct is None:
            raise Invalid("correct_answer (the index of the right option) is required.",
                          field="correct_answer")
        correct = whole_number(correct, "correct_answer")
        if not 0 <= correct < len(options):
            raise Invalid(f"correct_answer must be an option index from 0 to "
                          f"{len(options) - 1}.", field="correct_answer")
        cleaned["correct_answer"] = correct
    elif qtype == QuestionType.TRUE_FALSE:
        if isinstance(correct, bool):
            # true is option 0, false is option 1.
            correct = 0 if correct else 1
        if correct not in (0, 1) or isinstance(correct, float):
            raise Invalid("correct_answer of a true/false question is 0 (true), 1 (false), "
                          "or a boolean.", field="correct_answer")
        cleaned["correct_answer"] = int(correct)
    elif qtype == QuestionType.SHORT_ANSWER:
        accepted = values.get("accepted_answers")
        if not isinstance(accepted, list | tuple) or not accepted:
            raise Invalid("A short-answer question needs at least one accepted answer.",
                          field="accepted_answers")
        if len(accepted) > MAX_ACCEPTED_ANSWERS:
            raise Invalid(f"At most {MAX_ACCEPTED_ANSWERS} accepted answers.",
                          field="accepted_answers")
        cleaned["accepted_answers"] = [
            text_value(answer, "accepted_answers", MAX_ACCEPTED_LENGTH, required=True)
            for answer in accepted]
        cleaned["case_sensitive"] = _flag(values.get("case_sensitive"), "case_sensitive")
    cleaned.update(_feedback(values, qtype, cleaned["options"]))
    return cleaned


def _feedback(values: Mapping[str, Any], qtype: QuestionType,
              options: list[str] | None) -> dict[str, Any]:
    """General feedback, per-option feedback (choice types), feedback on true and on false
    (true/false) and tags (deduplicated, first spelling kept)."""
    cleaned: dict[str, Any] = {"feedback": text_value(values.get("feedback"), "feedback",
                                                      MAX_FEEDBACK_LENGTH)}
    per_option = values.get("option_feedback")
    if per_option is not None:
        if qtype not in (QuestionType.MCQ, QuestionType.MULTIPLE_ANSWER):
            raise Invalid("option_feedback belongs to mcq and multiple_answer questions.",
                          field="option_feedback")
        if not isinstance(per_option, list | tuple) or len(per_option) != len(options or ()):
            raise Invalid("option_feedback has one entry (text or null) per option.",
                          field="option_feedback")
        per_option = [text_value(text, "option_feedback", MAX_FEEDBACK_LENGTH)
                      for text in per_option]
        cleaned["option_feedback"] = per_option if any(per_option) else None
    for field in ("true_feedback", "false_feedback"):
        text = text_value(values.get(field), field, MAX_FEEDBACK_LENGTH)
        if text is not None and qtype != QuestionType.TRUE_FALSE:
            raise Invalid(f"{field} belongs to true_false questions.", field=field)
        cleaned[field] = text
    tags = values.get("tags")
    if tags is not None:
        if not isinstance(tags, list | tuple) or len(tags) > MAX_TAGS:
            raise Invalid(f"tags is a list of at most {MAX_TAGS} words.", field="tags")
        unique: dict[str, str] = {}
        for tag in tags:
            tag = text_value(tag, "tags", MAX_TAG_LENGTH, required=True)
            unique.setdefault(tag.casefold(), tag)
        cleaned["tags"] = list(unique.values()) or None
    return cleaned


def _flag(value: Any, field: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise Invalid(f"{field} must be true or false.", field=field)
    return value


def _choice(value: Any, field: str, allowed: tuple[str, ...]) -> str:
    if value is None:
        return allowed[0]
    if value not in allowed:
        raise Invalid(f"{field} must be one of {', '.join(allowed)}.", field=field)
    return value


def _number(value: Any, field: str) -> float | int:
    if isinstance(value, bool) or not isinstance(value, int | float) or \
            value != value or value in (float("inf"), float("-inf")):
        raise Invalid(f"{field} must be a number.", field=field)
    return value


def _multiple_answer(values: Mapping[str, Any], option_count: int) -> dict[str, Any]:
    correct = values.get("correct_answers")
    if not isinstance(correct, list | tuple) or not correct:
        raise Invalid("correct_answers (the indexes of the right options, at least one) is "
                      "required.", field="correct_answers")
    indexes = []
    for item in correct:
        item = whole_number(item, "correct_answers")
        if not 0 <= item < option_count:
            raise Invalid(f"correct_answers must be option indexes from 0 to "
                          f"{option_count - 1}.", field="correct_answers")
        if item in indexes:
            raise Invalid("correct_answers lists an option twice.", field="correct_answers")
        indexes.append(item)
    return {"correct_answers": sorted(indexes),
            "scoring": _choice(values.get("scoring"), "scoring", MULTIPLE_ANSWER_SCORING)}


def _numerical(values: Mapping[str, Any]) -> dict[str, Any]:
    answers = values.get("numeric_answers")
    if not isinstance(answers, list | tuple) or not 1 <= len(answers) <= MAX_NUMERIC_ANSWERS:
        raise Invalid(f"A numerical question needs 1 to {MAX_NUMERIC_ANSWERS} "
                      "numeric_answers.", field="numeric_answers")
    cleaned = []
    for answer in answers:
        if not isinstance(answer, Mapping):
            raise Invalid("Each numeric answer is an object {value, tolerance, "
                          "tolerance_type, credit}.", field="numeric_answers")
        tolerance = _number(answer.get("tolerance", 0), "numeric_answers.tolerance")
        credit = _number(answer.get("credit", 1), "numeric_answers.credit")
        if tolerance < 0:
            raise Invalid("numeric_answers.tolerance cannot be negative.",
                          field="numeric_answers")
        if not 0 <= credit <= 1:
            raise Invalid("numeric_answers.credit is between 0 and 1.",
                          field="numeric_answers")
        cleaned.append({
            "value": _number(answer.get("value"), "numeric_answers.value"),
            "tolerance": tolerance,
            "tolerance_type": _choice(answer.get("tolerance_type"),
                                      "numeric_answers.tolerance_type", TOLERANCE_TYPES),
            "credit": credit})
    if not any(answer["credit"] == 1 for answer in cleaned):
        raise Invalid("At least one numeric answer earns full credit (credit 1).",
                      field="numeric_answers")
    return {"numeric_answers": cleaned,
            "decimal_comma": _flag(values.get("decimal_comma"), "decimal_comma")}


def _pairs(pairs: Any) -> list[dict[str, str]]:
    if not isinstance(pairs, list | tuple) or not MIN_OPTIONS <= len(pairs) <= MAX_PAIRS:
        raise Invalid(f"A matching question has {MIN_OPTIONS} to {MAX_PAIRS} pairs.",
                      field="pairs")
    cleaned = []
    for pair in pairs:
        if not isinstance(pair, Mapping):
            raise Invalid("Each pair is an object {left, right}.", field="pairs")
        cleaned.append({"left": text_value(pair.get("left"), "pairs.left", MAX_OPTION_LENGTH,
                                           required=True),
                        "right": text_value(pair.get("right"), "pairs.right",
                                            MAX_OPTION_LENGTH, required=True)})
    return cleaned


def details_of(cleaned: Mapping[str, Any]) -> dict[str, Any] | None:
    """The ``details`` column of a cleaned question (None for the types without any)."""
    details = {f: cleaned[f] for f in DETAIL_FIELDS if cleaned.get(f) is not None}
    return details or None


def question_row_values(cleaned: Mapping[str, Any]) -> dict[str, Any]:
    """A cleaned question as the keyword arguments of :class:`Question`."""
    values = {f: cleaned[f] for f in COLUMN_FIELDS}
    values["details"] = details_of(cleaned)
    return values


def question_values(question: Question) -> dict[str, Any]:
    """The editable fields of a stored question."""
    values = {field: getattr(question, field) for field in COLUMN_FIELDS}
    details = question.details or {}
    values.update({field: details.get(field) for field in DETAIL_FIELDS})
    return values


def question_in_use(session: Session, question_id: str) -> bool:
    """True when students may have seen the question: it has answers in some attempt, it
    belongs to a quiz that has attempts, or some attempt drew it from a pool."""
    answered = sa.select(StudentAnswer.id).where(StudentAnswer.question_id == question_id)
    in_attempted_quiz = (
        sa.select(QuizQuestion.id)
        .join(QuizAttempt, QuizAttempt.quiz_id == QuizQuestion.quiz_id)
        .where(QuizQuestion.question_id == question_id)
    )
    drawn = sa.select(AttemptQuestion.id).where(AttemptQuestion.question_id == question_id)
    return bool(session.execute(
        sa.select(sa.or_(sa.exists(answered), sa.exists(in_attempted_quiz),
                         sa.exists(drawn)))).scalar())


def changed_fields(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """The fields whose value differs between two cleaned versions of a question."""
    return [field for field in FIELDS if old.get(field) != new.get(field)]


def apply_question_changes(session: Session, question: Question,
                           changes: Mapping[str, Any]) -> tuple[dict, dict]:
    """Validate ``changes`` on top of the stored question and apply them.

    Returns ``(old, new)``: the changed fields before and after (empty when nothing changed).
    A change to what students saw of a question in use makes a new version
    (:func:`quizcore.domain.versions.new_version`; :class:`Conflict` with reason
    ``question_being_answered`` while an attempt using it is in progress).
    """
    current = question_values(question)
    merged = clean_question({**current, **changes})
    changed = changed_fields(current, merged)
    frozen = [field for field in changed if field in CONTENT_FIELDS]
    if frozen and question_in_use(session, question.id):
        # Attempts keep the version they answered; the edit makes the next one.
        versions.new_version(session, question)
    if "marks" in changed:
        _check_quiz_totals(session, question, merged["marks"])
    for field in changed:
        if field in COLUMN_FIELDS:
            setattr(question, field, merged[field])
    if any(field in DETAIL_FIELDS for field in changed):
        question.details = details_of(merged)
    return ({f: current[f] for f in changed}, {f: merged[f] for f in changed})


def _check_quiz_totals(session: Session, question: Question, marks: int) -> None:
    """New marks may not push a quiz that uses the question past :data:`MAX_MARKS`."""
    for quiz in quizzes_using(session, question.id):
        total = sum(marks if link.question_id == question.id and link.marks_override is None
                    else link.marks for link in quiz.quiz_questions)
        if total > MAX_MARKS:
            raise Invalid(f"With {marks} marks the quiz {quiz.title!r} would be worth {total} "
                          f"marks; the most is {MAX_MARKS}.", field="marks")


def quizzes_using(session: Session, question_id: str) -> list[Quiz]:
    """Quizzes that contain the question."""
    return list(session.scalars(
        sa.select(Quiz).join(QuizQuestion, QuizQuestion.quiz_id == Quiz.id)
        .where(QuizQuestion.question_id == question_id).order_by(Quiz.title)))


def check_deletable(session: Session, question: Question) -> None:
    """A question is deleted only when no quiz uses it, so that no quiz changes under its
    students and no student answer is cascaded away. Raises :class:`Conflict` otherwise."""
    quizzes = quizzes_using(session, question.id)
    if quizzes:
        titles = ", ".join(quiz.title for quiz in quizzes[:5])
        raise Conflict(f"This question is used by {len(quizzes)} quiz(zes) ({titles}); "
                       "remove it from them first.", reason="question_in_quiz")
    answered = session.execute(sa.select(sa.or_(sa.exists(
        sa.select(StudentAnswer.id).where(StudentAnswer.question_id == question.id)), sa.exists(
        sa.select(AttemptQuestion.id).where(AttemptQuestion.question_id == question.id))))
    ).scalar()
    if answered:
        raise Conflict("Students have answered or drawn this question; it cannot be deleted.",
                       reason="question_in_use")
