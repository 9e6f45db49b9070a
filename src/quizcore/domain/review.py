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
from sqlalchemy.orm import Session

from ..models import AttemptStatus, QuestionType, Quiz, QuizAttempt, StudentAnswer
from . import papers, shuffle
from .quiz_payload import student_question
from .timing import iso

#: Answer-key fields a student may receive once the policy allows it.
STUDENT_KEY_FIELDS = ("correct_answer", "accepted_answers", "sample_answer",
                      "correct_answers", "numeric_answers", "correct_matches", "correct_order",
                      "case_sensitive", "scoring")


def structured_answer(qtype: str, data: Any, option_perm, choice_perm) -> dict[str, Any]:
    """The answer fields of the richer types (``answer_options``, ``answer_number``,
    ``answer_matches``, ``answer_order``) from the stored ``answer_data`` (original
    indexes), in the indexes the viewer reads (``*_perm[shown] == original``)."""
    data = data if isinstance(data, dict) else {}

    def shown(perm, index):
        return shuffle.to_shown(perm, index) if isinstance(index, int) and \
            0 <= index < len(perm) else index

    if qtype == QuestionType.MULTIPLE_ANSWER:
        options = data.get("options")
        return {"answer_options": sorted(shown(option_perm, i) for i in options)
                if options is not None else None}
    if qtype == QuestionType.NUMERICAL:
        return {"answer_number": float(data["number"]) if "number" in data else None}
    if qtype == QuestionType.MATCHING:
        matches = data.get("matches")
        return {"answer_matches": {k: shown(choice_perm, v) for k, v in matches.items()}
                if matches is not None else None}
    if qtype == QuestionType.ORDERING:
        order = data.get("order")
        return {"answer_order": [shown(choice_perm, i) for i in order]
                if order is not None else None}
    return {}


def structured_key(question, option_perm, choice_perm) -> dict[str, Any]:
    """The answer key of the richer types in the viewer's indexes: ``correct_answers``,
    ``scoring``, ``numeric_answers``, ``correct_matches`` ({left: choice index}),
    ``correct_order`` (shown item indexes in the right order), ``case_sensitive``."""
    details = question.details or {}
    qtype = question.type
    if qtype == QuestionType.MULTIPLE_ANSWER:
        return {"correct_answers": sorted(shuffle.to_shown(option_perm, i)
                                          for i in details.get("correct_answers", ())),
                "scoring": details.get("scoring")}
    if qtype == QuestionType.NUMERICAL:
        return {"numeric_answers": details.get("numeric_answers")}
    if qtype == QuestionType.MATCHING:
        return {"correct_matches": {str(i): shuffle.to_shown(choice_perm, i)
                                    for i in range(len(details.get("pairs", ())))}}
    if qtype == QuestionType.ORDERING:
        return {"correct_order": [shuffle.to_shown(choice_perm, i)
                                  for i in range(len(details.get("items", ())))],
                "scoring": details.get("scoring")}
    if qtype == QuestionType.SHORT_ANSWER:
        return {"case_sensitive": bool(details.get("case_sensitive"))}
    return {}


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
    """One entry per question of the attempt's paper (unanswered ones included), as
    ``policy`` allows.

    Students get the attempt's question and option order; staff the quiz's original order.
    """
    if not policy.answers:
        return []
    links = papers.questions_of_attempt(session, attempt)
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
        listed = "choices" if "choices" in data else "items" if "items" in data else None
        choice_perm: tuple[int, ...] = ()
        if listed:
            count = len(data[listed])
            choice_perm = tuple(range(count)) if policy.staff else shuffle.choice_order(
                attempt.id, question.id, count)
            data[listed] = shuffle.apply(choice_perm, data[listed])
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
            **structured_answer(question.type, answer.answer_data if answer else None, perm,
                                choice_perm),
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
            entry.update(structured_key(question, perm, choice_perm))
            if policy.staff:
                entry["marking_rubric"] = question.marking_rubric
        entries.append(entry)
    return entries


RICH_TYPES = (QuestionType.MULTIPLE_ANSWER, QuestionType.NUMERICAL, QuestionType.MATCHING,
              QuestionType.ORDERING)


def describe_answer(question, answer_text: str | None, answer_data: Any) -> str | None:
    """A richer-type answer in words, in the question's own texts (for documents): the
    chosen options, the number as typed, "left → right" pairs, the items in the order
    given. None when nothing was answered."""
    data = answer_data if isinstance(answer_data, dict) else {}
    details = question.details or {}

    def pick(texts, index):
        return str(texts[index]) if isinstance(index, int) and 0 <= index < len(texts) \
            else "?"

    if question.type == QuestionType.MULTIPLE_ANSWER and "options" in data:
        return "; ".join(pick(question.options or (), i) for i in data["options"]) or "(none)"
    if question.type == QuestionType.NUMERICAL:
        return answer_text or None
    if question.type == QuestionType.MATCHING and "matches" in data:
        pairs = details.get("pairs") or []
        lefts = [pair["left"] for pair in pairs]
        rights = [pair["right"] for pair in pairs]
        return "; ".join(f"{pick(lefts, int(left))} → {pick(rights, right)}"
                         for left, right in sorted(data["matches"].items(),
                                                   key=lambda item: int(item[0])))
    if question.type == QuestionType.ORDERING and "order" in data:
        items = details.get("items") or []
        return " → ".join(pick(items, i) for i in data["order"])
    return None


def describe_key(question) -> str | None:
    """The answer key of a richer-type question in words (for documents)."""
    details = question.details or {}
    if question.type == QuestionType.MULTIPLE_ANSWER:
        options = question.options or []
        return "; ".join(str(options[i]) for i in details.get("correct_answers", ())
                         if 0 <= i < len(options)) + f" (scoring: {details.get('scoring')})"
    if question.type == QuestionType.NUMERICAL:
        def accepted(a):
            relative = " ×|value|" if a["tolerance_type"] == "relative" else ""
            return f"{a['value']} ± {a['tolerance']}{relative} → " \
                f"{round(float(a['credit']) * 100)} %"
        return "; ".join(accepted(a) for a in details.get("numeric_answers", ()))
    if question.type == QuestionType.MATCHING:
        return "; ".join(f"{pair['left']} → {pair['right']}"
                         for pair in details.get("pairs", ()))
    if question.type == QuestionType.ORDERING:
        return " → ".join(details.get("items", ())) + f" (scoring: {details.get('scoring')})"
    return None

