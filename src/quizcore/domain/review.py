"""Review policy: what a student may see of an attempt, and when.

* While the attempt is in progress the student sees the questions (in the attempt's order)
  and their own saved answers, nothing else: no marks, no correct answers.
* After submission the quiz's **review timing** decides, item by item, what the student
  sees at this moment (:func:`review_timing`, a pure function). The quiz's ``review`` object
  has four items, each with a *when* (W):

  - ``answers``: the questions and their own answers (the per-question list; without it
    nothing per question is shown, whatever the other items say);
  - ``marks``: marks awarded per question and whether each was right;
  - ``correct_answers``: the answer key (``correct_answer``, ``accepted_answers``,
    ``sample_answer`` and the richer types' keys);
  - ``feedback``: the teacher's or grader's feedback per answer.

  W is ``immediately`` (once submitted), ``after_close``, ``never`` or an ISO date (from
  that moment). **After close** means: the quiz is closed for everyone - archived, or its
  latest end (its ``end_date`` and every override's ``end_date``, make-up windows included)
  has passed - *and* no attempt at the quiz is still running (an extended or grace-period
  attempt included). A date likewise waits for the last running attempt to end, so an early
  finisher never sees anything timed "later" while classmates are still sitting; only
  ``immediately`` does not wait. A quiz without an ``end_date`` closes when archived.
  The attempt's overall result (score, status) is not part of the review timing: it is
  shown as soon as it is known, as before.
* Quizzes that never set ``review`` keep the two older flags, which map onto it:
  ``allow_review`` off is ``never`` for all four items; on, answers, marks and feedback are
  ``immediately`` and correct answers ``immediately`` with ``show_answers_after_submission``
  (else ``never``). Writing a flag rewrites the matching items; writing ``review`` sets the
  flags to what it means now (``allow_review``: answers visible at some point;
  ``show_answers_after_submission``: correct answers not ``never``).
* A marking rubric is a teacher's instrument and never shown to students.

Teachers (of the quiz) and admins see everything, in the quiz's original order.
Students read option indexes as their attempt shows them; teachers read the original ones.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, object_session

from ..models import (
    AttemptStatus,
    QuestionType,
    Quiz,
    QuizAttempt,
    QuizOverride,
    QuizStatus,
    StudentAnswer,
    utcnow,
)
from . import papers, shuffle
from .errors import Invalid
from .quiz_payload import student_question
from .timing import iso, storable, to_naive_utc

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
    #: Marks awarded, right or wrong.
    marks: bool
    #: Correct answers, accepted answers, sample answers.
    keys: bool
    #: Teacher view: original order, rubric, bank metadata.
    staff: bool = False
    #: Feedback on each answer (None: as ``marks``).
    feedback: bool | None = None

    @property
    def shows_feedback(self) -> bool:
        return self.marks if self.feedback is None else self.feedback


STAFF_POLICY = ReviewPolicy(answers=True, marks=True, keys=True, staff=True, feedback=True)
NOTHING = ReviewPolicy(answers=False, marks=False, keys=False, feedback=False)

# -- review timing ---------------------------------------------------------------------------

IMMEDIATELY = "immediately"
AFTER_CLOSE = "after_close"
NEVER = "never"
WHENS = (IMMEDIATELY, AFTER_CLOSE, NEVER)
#: The items of a quiz's ``review`` object.
ITEMS = ("answers", "marks", "correct_answers", "feedback")


def review_from_flags(allow_review: bool, show_answers_after_submission: bool) -> dict:
    """The ``review`` object the two older flags mean."""
    if not allow_review:
        return dict.fromkeys(ITEMS, NEVER)
    return {"answers": IMMEDIATELY, "marks": IMMEDIATELY, "feedback": IMMEDIATELY,
            "correct_answers": IMMEDIATELY if show_answers_after_submission else NEVER}


def flags_from_review(review: Mapping[str, str]) -> dict[str, bool]:
    """The older flags as the SPA of before reads them off a ``review`` object."""
    return {"allow_review": review["answers"] != NEVER,
            "show_answers_after_submission": review["correct_answers"] != NEVER}


def parse_when(value: Any, field: str) -> str:
    """A W as stored: ``immediately`` | ``after_close`` | ``never`` or an ISO date in naive
    UTC (``YYYY-MM-DDTHH:MM:SS[.ffffff]``). :class:`Invalid` otherwise."""
    if isinstance(value, str) and value in WHENS:
        return value
    if isinstance(value, str) and len(value) >= 10:
        try:
            moment = to_naive_utc(dt.datetime.fromisoformat(value.replace("Z", "+00:00")))
        except (ValueError, OverflowError):
            moment = None
        if moment is not None and storable(moment):
            return moment.isoformat()
    raise Invalid(f"{field} must be one of {', '.join(WHENS)} or an ISO 8601 date between "
                  "1970 and 2037.", field=field)


def clean_review(value: Any, current: Mapping[str, str]) -> dict[str, str]:
    """A ``review`` object from a request (any subset of :data:`ITEMS`) merged onto
    ``current``. Unknown items or values are :class:`Invalid`."""
    if not isinstance(value, Mapping):
        raise Invalid("review must be an object with answers, marks, correct_answers, "
                      "feedback.", field="review")
    unknown = sorted(set(value) - set(ITEMS))
    if unknown:
        raise Invalid(f"review has no item {unknown[0]!r} (items: {', '.join(ITEMS)}).",
                      field=f"review.{unknown[0]}")
    cleaned = dict(current)
    for item, when in value.items():
        cleaned[item] = parse_when(when, f"review.{item}")
    return cleaned


def quiz_review(quiz: Quiz) -> dict[str, str]:
    """The quiz's review object: its own, or the one its older flags mean."""
    stored = quiz.review_settings
    base = review_from_flags(quiz.allow_review, quiz.show_answers_after_submission)
    if isinstance(stored, Mapping):
        base.update({item: stored[item] for item in ITEMS if item in stored})
    return base


@dataclass(frozen=True)
class Closing:
    """What :func:`review_timing` needs to know of the quiz's close."""

    #: The latest moment anyone may still sit the quiz (quiz and override end dates); None:
    #: no end date (the quiz closes when archived).
    closes_at: dt.datetime | None
    archived: bool = False
    #: Some attempt at the quiz is still running.
    sitting: bool = False

    def closed(self, now: dt.datetime) -> bool:
        if self.sitting:
            return False
        return self.archived or (self.closes_at is not None and now >= self.closes_at)


def when_reached(when: str, now: dt.datetime, closing: Closing) -> bool:
    """Has the moment ``when`` come (see the module's rules)?"""
    if when == IMMEDIATELY:
        return True
    if when == NEVER:
        return False
    if when == AFTER_CLOSE:
        return closing.closed(now)
    return not closing.sitting and now >= dt.datetime.fromisoformat(when)


def review_timing(review: Mapping[str, str], *, status: AttemptStatus | str, now: dt.datetime,
                  closing: Closing) -> ReviewPolicy:
    """What a student sees of their attempt at ``now`` (a pure function).

    In progress: their answers only. Ended: each item of ``review`` as its W allows;
    without ``answers`` nothing per question.
    """
    if status == AttemptStatus.IN_PROGRESS:
        return ReviewPolicy(answers=True, marks=False, keys=False, feedback=False)
    if not when_reached(review["answers"], now, closing):
        return NOTHING
    return ReviewPolicy(answers=True,
                        marks=when_reached(review["marks"], now, closing),
                        keys=when_reached(review["correct_answers"], now, closing),
                        feedback=when_reached(review["feedback"], now, closing))


def quiz_closing(session: Session, quiz: Quiz, now: dt.datetime) -> Closing:
    """The :class:`Closing` of ``quiz`` at ``now``: its latest end over the quiz and its
    overrides, and whether an attempt is still running (in progress and not past the point
    where the server ends it)."""
    from .attempts import running_attempt_condition  # the lifecycle imports this module

    ends = [end for end in session.scalars(
        sa.select(QuizOverride.end_date).where(QuizOverride.quiz_id == quiz.id,
                                               QuizOverride.end_date.is_not(None)))]
    closes_at = None
    if quiz.end_date is not None:
        closes_at = max([quiz.end_date, *ends])
    sitting = bool(session.scalar(sa.select(sa.exists().where(
        QuizAttempt.quiz_id == quiz.id, running_attempt_condition(session, quiz, now)))))
    return Closing(closes_at, archived=quiz.status == QuizStatus.ARCHIVED, sitting=sitting)


def review_policy(attempt: QuizAttempt, quiz: Quiz, *, staff: bool,
                  session: Session | None = None, now: dt.datetime | None = None
                  ) -> ReviewPolicy:
    """What the viewer may see of ``attempt`` now (``staff``: its quiz's teacher or an admin).

    Students: :func:`review_timing` with the quiz's review object and its close (the
    ``session`` is needed to learn it when an item waits for the close or a date)."""
    if staff:
        return STAFF_POLICY
    now = now or utcnow()
    session = session or object_session(attempt)
    settings = quiz_review(quiz)
    closing = Closing(None)
    if attempt.status != AttemptStatus.IN_PROGRESS and session is not None and any(
            settings[item] != IMMEDIATELY and settings[item] != NEVER for item in ITEMS):
        closing = quiz_closing(session, quiz, now)
    return review_timing(settings, status=attempt.status, now=now, closing=closing)


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
            entry["is_correct"] = is_correct(answer.marks_awarded, link.marks)
        if policy.shows_feedback and answer is not None:
            entry["feedback"] = answer.feedback
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

