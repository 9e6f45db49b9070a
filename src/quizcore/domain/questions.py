"""The question bank: what a valid question is, and when a question may still change.

Validation per type:

* ``mcq``: 2 to 10 non-empty options and ``correct_answer``, a 0-based index into them;
* ``true_false``: ``correct_answer`` 0 (true) or 1 (false); a boolean is accepted too;
* ``short_answer``: at least one accepted answer;
* ``descriptive``: a sample answer and a marking rubric are optional.

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
    Difficulty,
    Question,
    QuestionType,
    Quiz,
    QuizAttempt,
    QuizQuestion,
    StudentAnswer,
)
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

#: What students see: frozen once the question is in use.
CONTENT_FIELDS = ("text", "type", "options", "marks")
#: The answer key: may be corrected at any time (then regrade).
KEY_FIELDS = ("correct_answer", "accepted_answers", "sample_answer", "marking_rubric")
#: Bank metadata students never see.
META_FIELDS = ("topic", "difficulty")
FIELDS = CONTENT_FIELDS + KEY_FIELDS + META_FIELDS

TRUE_FALSE_OPTIONS = ("True", "False")


def clean_question(values: Mapping[str, Any]) -> dict[str, Any]:
    """Check a complete question (every field of :data:`FIELDS`) and return it cleaned.

    Raises :class:`~quizcore.domain.errors.Invalid` naming the first offending field.
    """
    try:
        qtype = QuestionType(values.get("type"))
    except ValueError:
        raise Invalid("type must be one of mcq, true_false, short_answer, descriptive.",
                      field="type") from None
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
    if qtype == QuestionType.MCQ:
        options = values.get("options")
        if not isinstance(options, list | tuple) or \
                not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
            raise Invalid(f"A multiple-choice question has {MIN_OPTIONS} to {MAX_OPTIONS} "
                          "options.", field="options")
        cleaned["options"] = [text_value(option, "options", MAX_OPTION_LENGTH, required=True)
                              for option in options]
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
    return cleaned


def question_values(question: Question) -> dict[str, Any]:
    """The editable fields of a stored question."""
    return {field: getattr(question, field) for field in FIELDS}


def question_in_use(session: Session, question_id: str) -> bool:
    """True when students may have seen the question: it has answers in some attempt, or it
    belongs to a quiz that has attempts."""
    answered = sa.select(StudentAnswer.id).where(StudentAnswer.question_id == question_id)
    in_attempted_quiz = (
        sa.select(QuizQuestion.id)
        .join(QuizAttempt, QuizAttempt.quiz_id == QuizQuestion.quiz_id)
        .where(QuizQuestion.question_id == question_id)
    )
    return bool(session.execute(
        sa.select(sa.or_(sa.exists(answered), sa.exists(in_attempted_quiz)))).scalar())


def changed_fields(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """The fields whose value differs between two cleaned versions of a question."""
    return [field for field in FIELDS if old.get(field) != new.get(field)]


def apply_question_changes(session: Session, question: Question,
                           changes: Mapping[str, Any]) -> tuple[dict, dict]:
    """Validate ``changes`` on top of the stored question and apply them.

    Returns ``(old, new)``: the changed fields before and after (empty when nothing changed).
    Raises :class:`Conflict` (reason ``question_in_use``) when the question is in use and a
    field students saw would change.
    """
    current = question_values(question)
    merged = clean_question({**current, **changes})
    changed = changed_fields(current, merged)
    frozen = [field for field in changed if field in CONTENT_FIELDS]
    if frozen and question_in_use(session, question.id):
        raise Conflict(
            "Students have already seen this question in a quiz, so its "
            f"{', '.join(frozen)} can no longer change. Copy the question to make a new "
            "version; answer-key fields (correct_answer, accepted_answers, sample_answer, "
            "marking_rubric) can still be corrected.",
            reason="question_in_use", fields=frozen)
    if "marks" in changed:
        _check_quiz_totals(session, question, merged["marks"])
    for field in changed:
        setattr(question, field, merged[field])
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
    answered = session.execute(sa.select(sa.exists(
        sa.select(StudentAnswer.id).where(StudentAnswer.question_id == question.id)))).scalar()
    if answered:
        raise Conflict("Students have answered this question; it cannot be deleted.",
                       reason="question_in_use")
