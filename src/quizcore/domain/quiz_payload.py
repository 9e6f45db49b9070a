"""The student-facing view of a quiz, built once and cached in Redis.

When a class starts an exam together, a thousand students ask for the same quiz within a few
seconds. Its student view (settings and questions, **never** an answer key) is built from the
database once and kept in Redis under ``quizcore:quiz:{id}:student-view`` (a JSON document)
for ``quizcore.quiz_payload_cache_seconds``; starting and resuming attempts read it.

Every change that could alter the view (quiz edits, publish, archive, delete, question edits)
drops the cached copy after its transaction commits. A generation counter makes that
reliable: a builder reads the counter before reading the database and stores its result only
if the counter has not moved (``WATCH``), so a view built from data that changed meanwhile is
never cached.

Redis is optional: when it is unreachable every call builds the view from the database
(fail open) and logs the failure.

The autosave path does not need the view: the locked read of the attempt already tells,
with index lookups in the same round trip, whether the question belongs to the quiz
(:mod:`quizcore.domain.attempts`).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

import redis as redis_lib
import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from ..models import Question, QuestionType, Quiz, QuizQuestion
from ..redis_client import REDIS_ERRORS
from ..transactions import after_commit, redis_of, settings_of
from . import shuffle
from .questions import TRUE_FALSE_OPTIONS
from .timing import iso

log = logging.getLogger(__name__)

#: How long the generation counter of a quiz is kept (it only needs to outlive builds).
GENERATION_TTL_SECONDS = 7 * 24 * 3600


def cache_key(quiz_id: str) -> str:
    return f"quizcore:quiz:{quiz_id}:student-view"


def generation_key(quiz_id: str) -> str:
    return f"quizcore:quiz:{quiz_id}:student-view:gen"


@dataclass(frozen=True)
class QuestionMeta:
    """What reading or writing an answer needs to know about one question of a quiz."""

    position: int  # in quiz order, 0-based
    type: str
    option_count: int

    def encode(self) -> str:
        return f"{self.position}|{self.type}|{self.option_count}"

    @classmethod
    def decode(cls, text: str) -> QuestionMeta:
        position, qtype, count = text.split("|")
        return cls(int(position), qtype, int(count))


@dataclass(frozen=True)
class QuestionLookup:
    """A question's place in a quiz plus the quiz facts needed to translate an answer."""

    meta: QuestionMeta | None  # None: the question is not part of the quiz
    question_count: int
    randomize_options: bool
    #: numerical: students type a decimal comma (the question's ``decimal_comma``).
    decimal_comma: bool = False


@dataclass
class StudentView:
    """A quiz as students may see it: no answer keys anywhere."""

    quiz_id: str
    quiz: dict[str, Any]
    questions: list[dict[str, Any]]
    randomize_questions: bool
    randomize_options: bool
    members: dict[str, QuestionMeta] = field(default_factory=dict)

    def lookup(self, question_id: str) -> QuestionLookup:
        meta = self.members.get(question_id)
        comma = bool(meta is not None and
                     self.questions[meta.position].get("decimal_comma"))
        return QuestionLookup(meta, len(self.questions), self.randomize_options, comma)

    def to_json(self) -> str:
        return json.dumps({"quiz": self.quiz, "questions": self.questions,
                           "randomize_questions": self.randomize_questions,
                           "randomize_options": self.randomize_options})

    @classmethod
    def from_json(cls, quiz_id: str, text: str) -> StudentView:
        data = json.loads(text)
        return cls.of(quiz_id, data["quiz"], data["questions"], data["randomize_questions"],
                      data["randomize_options"])

    @classmethod
    def of(cls, quiz_id, quiz, questions, randomize_questions, randomize_options):
        members = {q["id"]: QuestionMeta(position, q["type"], shown_count(q))
                   for position, q in enumerate(questions)}
        return cls(quiz_id, quiz, questions, randomize_questions, randomize_options, members)


def shown_count(question: dict[str, Any]) -> int:
    """How many indexed things a student's answer to ``question`` refers to: options
    (choice types), left items (matching), items (ordering); 0 otherwise."""
    for name in ("options", "left", "items"):
        if question.get(name) is not None:
            return len(question[name])
    return 0


def student_question(question: Question, marks: int, position: int) -> dict[str, Any]:
    """One question as a student sees it. Whitelisted fields only: keys never get in.

    Matching questions carry ``left`` (in the teacher's order) and ``choices`` (the right
    items); ordering questions carry ``items``. In this shared view both are still in the
    teacher's order, which for ``items`` *is* the key: :func:`questions_for_attempt` always
    shuffles them per attempt before a student sees them.
    """
    details = question.details or {}
    if question.type in (QuestionType.MCQ, QuestionType.MULTIPLE_ANSWER):
        options = list(question.options or [])
    elif question.type == QuestionType.TRUE_FALSE:
        options = list(TRUE_FALSE_OPTIONS)
    else:
        options = None
    data = {"id": question.id, "text": question.text, "type": str(question.type),
            "options": options, "marks": marks, "order_index": position,
            "version": question.version or 1}
    if question.type == QuestionType.MATCHING:
        pairs = details.get("pairs") or []
        data["left"] = [pair["left"] for pair in pairs]
        data["choices"] = [pair["right"] for pair in pairs]
    elif question.type == QuestionType.ORDERING:
        data["items"] = list(details.get("items") or [])
    elif question.type == QuestionType.NUMERICAL:
        data["decimal_comma"] = bool(details.get("decimal_comma"))
    return data


def student_quiz_fields(quiz: Quiz, total: int, count: int) -> dict[str, Any]:
    """The quiz settings a student may see (no access code, no classes, no keys)."""
    return {
        "id": quiz.id, "title": quiz.title, "subject": quiz.subject,
        "description": quiz.description, "status": str(quiz.status),
        "time_limit_minutes": quiz.time_limit_minutes,
        "duration_minutes": quiz.time_limit_minutes,
        "start_date": iso(quiz.start_date), "end_date": iso(quiz.end_date),
        "total_marks": total, "question_count": count,
        "passing_percentage": quiz.passing_percentage, "max_attempts": quiz.max_attempts,
        "show_answers_after_submission": quiz.show_answers_after_submission,
        "randomize_questions": quiz.randomize_questions,
        "randomize_options": quiz.randomize_options, "allow_review": quiz.allow_review,
        "negative_marking": float(quiz.negative_marking or 0),
        "overdue_handling": quiz.overdue_handling,
        "grace_period_minutes": quiz.grace_period_minutes,
    }


def build_student_view(session: Session, quiz_id: str) -> StudentView | None:
    """Build the view from the database (None if the quiz does not exist)."""
    quiz = session.get(Quiz, quiz_id)
    if quiz is None:
        return None
    links = session.scalars(
        sa.select(QuizQuestion).where(QuizQuestion.quiz_id == quiz_id)
        .order_by(QuizQuestion.order_index).options(selectinload(QuizQuestion.question))).all()
    questions = [student_question(link.question, link.marks, position)
                 for position, link in enumerate(links)]
    # Sections add their draws to every paper's totals; the questions themselves are each
    # attempt's own (quizcore.domain.papers.view_of_attempt).
    total = sum(q["marks"] for q in questions) + sum(s.draw * s.marks_each
                                                     for s in quiz.sections)
    count = len(questions) + sum(s.draw for s in quiz.sections)
    return StudentView.of(quiz_id, student_quiz_fields(quiz, total, count), questions,
                          quiz.randomize_questions, quiz.randomize_options)


def _ttl(session: Session) -> int:
    return settings_of(session)["quizcore.quiz_payload_cache_seconds"]


def _store(client, view: StudentView, generation: str | None, ttl: int) -> None:
    key, gen_key = cache_key(view.quiz_id), generation_key(view.quiz_id)
    with client.pipeline() as pipe:
        try:
            pipe.watch(gen_key)
            if pipe.get(gen_key) != generation:
                return  # the quiz changed while this view was being built
            pipe.multi()
            pipe.set(key, view.to_json(), ex=ttl)
            pipe.execute()
        except redis_lib.WatchError:
            return


def _build_and_cache(session: Session, quiz_id: str) -> StudentView | None:
    ttl = _ttl(session)
    client = redis_of(session)
    generation = None
    if ttl:
        try:
            generation = client.get(generation_key(quiz_id))
        except REDIS_ERRORS as exc:
            log.warning("Quiz view cache unavailable (%s); building from the database.", exc)
            ttl = 0
    view = build_student_view(session, quiz_id)
    if view is not None and ttl:
        try:
            _store(client, view, generation, ttl)
        except REDIS_ERRORS as exc:
            log.warning("Could not cache the view of quiz %s: %s", quiz_id, exc)
    return view


def student_view(session: Session, quiz_id: str) -> StudentView | None:
    """The cached student view of a quiz (built and cached on a miss); None if the quiz
    does not exist."""
    if _ttl(session):
        try:
            cached = redis_of(session).get(cache_key(quiz_id))
        except REDIS_ERRORS as exc:
            log.warning("Quiz view cache unavailable (%s); building from the database.", exc)
            return build_student_view(session, quiz_id)
        if cached is not None:
            return StudentView.from_json(quiz_id, cached)
    return _build_and_cache(session, quiz_id)


def invalidate(client, quiz_ids) -> None:
    """Drop the cached views now (bumping their generation). Logs when Redis is down."""
    quiz_ids = list(quiz_ids)
    if not quiz_ids:
        return
    try:
        pipe = client.pipeline(transaction=False)
        for quiz_id in quiz_ids:
            pipe.incr(generation_key(quiz_id))
            pipe.expire(generation_key(quiz_id), GENERATION_TTL_SECONDS)
            pipe.delete(cache_key(quiz_id))
        pipe.execute()
    except REDIS_ERRORS as exc:
        log.error("Could not drop the cached view of quizzes %s: %s", quiz_ids, exc)


def invalidate_after_commit(session: Session, quiz_ids) -> None:
    """Drop the cached views of ``quiz_ids`` once the current transaction commits."""
    quiz_ids = set(quiz_ids)
    if quiz_ids:
        after_commit(session, invalidate, redis_of(session), quiz_ids)


# -- one attempt's view ----------------------------------------------------------------------


@dataclass(frozen=True)
class ShownQuestion:
    """A question as one attempt shows it: ``data`` is the JSON, ``option_order`` the
    permutation used (``option_order[shown] == original``) for its options, matching
    ``choices`` or ordering ``items``."""

    data: dict[str, Any]
    option_order: tuple[int, ...]


def questions_for_attempt(view: StudentView, attempt_id: str) -> list[ShownQuestion]:
    """The quiz's questions in this attempt's order, options in this attempt's order.
    ``order_index`` is the position as shown."""
    order = shuffle.question_order(attempt_id, len(view.questions), view.randomize_questions)
    shown = []
    for position, original_position in enumerate(order):
        question = view.questions[original_position]
        options = question["options"]
        if question.get("choices") is not None:
            perm = shuffle.choice_order(attempt_id, question["id"], len(question["choices"]))
            data = dict(question, order_index=position,
                        choices=shuffle.apply(perm, question["choices"]))
        elif question.get("items") is not None:
            perm = shuffle.choice_order(attempt_id, question["id"], len(question["items"]))
            data = dict(question, order_index=position,
                        items=shuffle.apply(perm, question["items"]))
        else:
            perm = shuffle.option_order(attempt_id, question["id"], len(options or ()),
                                        question["type"], view.randomize_options)
            data = dict(question, order_index=position,
                        options=shuffle.apply(perm, options) if options is not None else None)
        shown.append(ShownQuestion(data, perm))
    return shown

