"""Review policy: what a student may see of an attempt, and when.

* While the attempt is in progress the student sees the questions (in the attempt's order)
  and their own saved answers, nothing else: no marks, no correct answers.
* After submission, with ``allow_review`` off: the result only (score, status), no answers.
* After submission, with ``allow_review`` on: their answers with marks, feedback and
  whether each was right; with ``show_answers_after_submission`` also the correct answers
  (``correct_answer``, ``accepted_answers``, ``sample_answer``).
* A marking rubric is a teacher's instrument and never shown to students.

Teachers (of the quiz) and admins see everything, in the quiz's original order.
Students read option indexes as their attempt shows them; teachers read the original ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from ..models import AttemptStatus, QuestionType, Quiz, QuizAttempt, QuizQuestion, StudentAnswer
from . import shuffle
from .quiz_payload import student_question
from .timing import iso

#: Answer-key fields a student may receive once the policy allows it.
STUDENT_KEY_FIELDS = ("correct_answer", "accepted_answers", "sample_answer")


@dataclass(frozen=True)
class ReviewPolicy:
    #: The student's own answers are listed.
    answers: bool
    #: Marks awarded, feedback, right or wrong.
    marks: bool
    #: Correct answers, accepted answers, sample answers.
    keys: bool
    #: Teacher view: original order, rubric, bank metadata.
    staff: bool = False


STAFF_POLICY = ReviewPolicy(answers=True, marks=True, keys=True, staff=True)


def review_policy(attempt: QuizAttempt, quiz: Quiz, *, staff: bool) -> ReviewPolicy:
    """What the viewer may see of ``attempt`` now (``staff``: its quiz's teacher or an admin)."""
    if staff:
        return STAFF_POLICY
    if attempt.status == AttemptStatus.IN_PROGRESS:
        return ReviewPolicy(answers=True, marks=False, keys=False)
    if not quiz.allow_review:
        return ReviewPolicy(answers=False, marks=False, keys=False)
    return ReviewPolicy(answers=True, marks=True,
                        keys=bool(quiz.show_answers_after_submission))


def is_correct(marks_awarded: Decimal | None, marks: int) -> bool | None:
    """Full marks: right; fewer: not (yet) right; not marked: unknown."""
    if marks_awarded is None:
        return None
    return marks_awarded >= marks


def attempt_answers(session: Session, attempt: QuizAttempt, quiz: Quiz,
                    policy: ReviewPolicy) -> list[dict[str, Any]]:
    """One entry per question of the quiz (unanswered ones included), as ``policy`` allows.

    Students get the attempt's question and option order; staff the quiz's original order.
    """
    if not policy.answers:
        return []
    links = session.scalars(
        sa.select(QuizQuestion).where(QuizQuestion.quiz_id == quiz.id)
        .order_by(QuizQuestion.order_index).options(selectinload(QuizQuestion.question))).all()
    answers = {a.question_id: a for a in session.scalars(
        sa.select(StudentAnswer).where(StudentAnswer.attempt_id == attempt.id))}
    order = list(range(len(links))) if policy.staff else \
        shuffle.question_order(attempt.id, len(links), quiz.randomize_questions)
    entries = []
    for shown_position, position in enumerate(order):
        link = links[position]
        question = link.question
        data = student_question(question, link.marks, position)
        option_count = len(data["options"] or ())
        perm = tuple(range(option_count)) if policy.staff else shuffle.option_order(
            attempt.id, question.id, option_count, question.type, quiz.randomize_options)
        if data["options"] is not None:
            data["options"] = shuffle.apply(perm, data["options"])
        if not policy.staff:
            data["order_index"] = shown_position
        else:
            data.update(topic=question.topic, difficulty=question.difficulty,
                        marks_override=link.marks_override)
        answer = answers.get(question.id)

        def shown(index: int | None, perm=perm) -> int | None:
            if index is None or not 0 <= index < len(perm):
                return index
            return shuffle.to_shown(perm, index)

        entry: dict[str, Any] = {
            "question": data,
            "question_id": question.id,
            "answer_id": answer.id if answer else None,
            "answer_option": shown(answer.answer_option) if answer else None,
            "answer_text": answer.answer_text if answer else None,
            "saved_at": iso(answer.updated_at) if answer else None,
            "marks_awarded": None, "feedback": None, "is_correct": None,
        }
        if policy.marks and answer is not None:
            entry["marks_awarded"] = answer.marks_awarded
            entry["feedback"] = answer.feedback
            entry["is_correct"] = is_correct(answer.marks_awarded, link.marks)
        if policy.keys:
            correct = question.correct_answer
            if question.type == QuestionType.MCQ:
                correct = shown(correct)
            entry["correct_answer"] = correct
            entry["accepted_answers"] = question.accepted_answers
            entry["sample_answer"] = question.sample_answer
            if policy.staff:
                entry["marking_rubric"] = question.marking_rubric
        entries.append(entry)
    return entries
