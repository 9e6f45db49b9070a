"""The questions of an attempt: its *paper*.

A quiz holds fixed questions (``quiz_questions``) and may hold **sections**
(``quiz_sections``), each drawing ``draw`` questions worth ``marks_each`` from a pool of the
quiz owner's bank (``pool``: ``topic``, ``difficulty``, ``question_ids``; every criterion
given must hold).

The rule, one for every reader:

* A quiz **without sections**: an attempt's paper is the quiz's fixed list; nothing is stored
  per attempt (attempts started before sections existed read the same way).
* A quiz **with sections**: when an attempt starts, in the same transaction (and savepoint)
  as the attempt row, its whole paper is drawn and stored in ``attempt_questions``: the fixed
  questions first, then each section's draw in section order. From then on resume, autosave,
  grading, regrade, review, exports, analytics and the monitor read that stored paper. Sections
  and questions are frozen once a quiz has attempts, so "the quiz has sections" and "its
  attempts have stored papers" never disagree.

Draws are deterministic: section ``s`` of attempt ``a`` draws with a generator seeded from
``(a, "draw", s)`` (as :mod:`quizcore.domain.shuffle` seeds option orders) over its pool
sorted by question id, so the same attempt always draws the same questions.

Overlapping pools: pools are made **disjoint in section order**. A question that is one of the
quiz's fixed questions is in no pool; a question that matches several sections' pools belongs
to the first of them only. So no question is on a paper twice, and whether every section can
draw is exact arithmetic: a section whose (disjoint) pool is smaller than its ``draw`` refuses
publishing (and starting) with 409 ``pool_too_small``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased, selectinload

from ..models import (
    AttemptQuestion,
    AttemptQuestionVersion,
    Difficulty,
    Question,
    QuestionVersion,
    Quiz,
    QuizAttempt,
    QuizQuestion,
    QuizSection,
    new_uuid,
)
from . import quiz_payload, shuffle, versions
from .errors import Conflict

#: Pool criteria a section may name.
POOL_FIELDS = ("topic", "difficulty", "question_ids")


# -- pure draw -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SectionPool:
    """A section's draw over its candidate question ids (any order; drawn sorted)."""

    section_id: str
    draw: int
    marks_each: int
    candidates: tuple[str, ...]


@dataclass(frozen=True)
class PaperEntry:
    question_id: str
    position: int
    section_id: str | None
    marks: int


@dataclass(frozen=True)
class Shortfall:
    """A section whose pool cannot supply its draw."""

    index: int  # 0-based section position
    available: int
    draw: int


def disjoint_pools(fixed_ids: Sequence[str], pools: Sequence[SectionPool]) -> list[SectionPool]:
    """The pools with the fixed questions removed and each question kept only in the first
    section whose pool holds it; candidates sorted by id."""
    taken = set(fixed_ids)
    result = []
    for pool in pools:
        own = tuple(sorted(set(pool.candidates) - taken))
        taken.update(own)
        result.append(SectionPool(pool.section_id, pool.draw, pool.marks_each, own))
    return result


def shortfalls(pools: Sequence[SectionPool]) -> list[Shortfall]:
    """The sections of (disjoint) ``pools`` that cannot draw their number of questions."""
    return [Shortfall(index, len(pool.candidates), pool.draw)
            for index, pool in enumerate(pools) if len(pool.candidates) < pool.draw]


def draw_paper(seed: str, fixed: Sequence[tuple[str, int]],
               pools: Sequence[SectionPool]) -> list[PaperEntry]:
    """The paper of one attempt: ``fixed`` (question id, marks) first, then each section's
    draw. ``seed`` is the attempt id. Pools are made disjoint first; raises ``ValueError``
    when one is too small (callers check :func:`shortfalls` before)."""
    pools = disjoint_pools([qid for qid, _ in fixed], pools)
    missing = shortfalls(pools)
    if missing:
        raise ValueError(f"section {missing[0].index} has {missing[0].available} questions "
                         f"for a draw of {missing[0].draw}")
    paper = [PaperEntry(qid, position, None, marks)
             for position, (qid, marks) in enumerate(fixed)]
    for pool in pools:
        chosen = shuffle.rng(seed, "draw", pool.section_id).sample(pool.candidates, pool.draw)
        start = len(paper)
        paper.extend([PaperEntry(qid, start + offset, pool.section_id, pool.marks_each)
                      for offset, qid in enumerate(chosen)])
    return paper


# -- pools in the database -------------------------------------------------------------------


def clean_pool(pool: Mapping[str, Any]) -> dict[str, Any]:
    """The stored form of a pool's criteria (only those given)."""
    cleaned: dict[str, Any] = {}
    if pool.get("topic") is not None:
        cleaned["topic"] = pool["topic"]
    if pool.get("difficulty") is not None:
        cleaned["difficulty"] = str(pool["difficulty"])
    if pool.get("question_ids") is not None:
        cleaned["question_ids"] = list(dict.fromkeys(pool["question_ids"]))
    return cleaned


def pool_condition(owner_id: str, pool: Mapping[str, Any]):
    """SQL condition on :class:`Question` for the questions of ``pool`` in the owner's bank."""
    conditions = [Question.created_by == owner_id]
    if pool.get("topic") is not None:
        conditions.append(Question.topic == pool["topic"])
    if pool.get("difficulty") is not None:
        conditions.append(Question.difficulty == Difficulty(pool["difficulty"]))
    if pool.get("question_ids") is not None:
        conditions.append(Question.id.in_(pool["question_ids"]) if pool["question_ids"]
                          else sa.false())
    return sa.and_(*conditions)


def has_sections(quiz: Quiz) -> bool:
    return bool(quiz.sections)


def quiz_has_sections(session: Session, quiz_id: str) -> bool:
    return bool(session.execute(sa.select(sa.exists(
        sa.select(QuizSection.id).where(QuizSection.quiz_id == quiz_id)))).scalar())


def section_pools(session: Session, quiz: Quiz) -> list[SectionPool]:
    """Each section of ``quiz`` with the ids its pool matches now (not yet disjoint)."""
    return [SectionPool(section.id, section.draw, section.marks_each, tuple(session.scalars(
        sa.select(Question.id).where(pool_condition(quiz.created_by, section.pool)))))
        for section in quiz.sections]


def fixed_entries(session: Session, quiz: Quiz) -> list[tuple[str, int]]:
    """(question id, marks) of the quiz's fixed questions, in quiz order."""
    return [(item.question.id, item.marks) for item in fixed_paper(session, quiz.id)]


def check_pools(session: Session, quiz: Quiz) -> None:
    """Refuse (409 ``pool_too_small``) a quiz one of whose sections cannot draw."""
    if quiz.sections:
        _refuse_shortfalls(quiz, [qid for qid, _ in fixed_entries(session, quiz)],
                           section_pools(session, quiz))


def _refuse_shortfalls(quiz: Quiz, fixed_ids: Sequence[str],
                       pools: Sequence[SectionPool]) -> None:
    missing = shortfalls(disjoint_pools(fixed_ids, pools))
    if missing:
        first = missing[0]
        section = quiz.sections[first.index]
        raise Conflict(f"Section \"{section.title}\" draws {first.draw} questions but its pool "
                       f"holds {first.available} (not counting the quiz's fixed questions or "
                       "those of earlier sections).", reason="pool_too_small",
                       section=first.index, available=first.available, draw=first.draw)


def draw_for_attempt(session: Session, quiz: Quiz, attempt: QuizAttempt) -> None:
    """Draw and store the paper of a new attempt at a quiz with sections (nothing for a
    fixed-list quiz). Call in the transaction that inserts the attempt."""
    if not quiz.sections:
        return
    fixed, pools = fixed_entries(session, quiz), section_pools(session, quiz)
    _refuse_shortfalls(quiz, [qid for qid, _ in fixed], pools)
    paper = draw_paper(attempt.id, fixed, pools)
    session.execute(sa.insert(AttemptQuestion), [
        {"id": new_uuid(), "attempt_id": attempt.id, "question_id": entry.question_id,
         "position": entry.position, "section_id": entry.section_id, "marks": entry.marks}
        for entry in paper])


def paper_totals(session: Session, quiz: Quiz) -> tuple[int, int]:
    """(total marks, question count) of every paper of ``quiz``."""
    fixed = fixed_entries(session, quiz)
    return (sum(marks for _, marks in fixed) + sum(s.draw * s.marks_each for s in quiz.sections),
            len(fixed) + sum(s.draw for s in quiz.sections))


# -- reading an attempt's paper --------------------------------------------------------------


@dataclass(frozen=True)
class PaperQuestion:
    question: Question
    marks: int
    position: int
    section_id: str | None = None
    #: The marks are the question's own (a fixed question without marks_override), so an
    #: earlier version of it brings its own marks.
    own_marks: bool = False

    @property
    def version(self) -> int:
        return self.question.version or 1

    def in_version(self, version: int, content: Mapping[str, Any]) -> PaperQuestion:
        """This paper question as the attempt answered it: an earlier version."""
        question = versions.as_question(self.question, version, dict(content))
        marks = question.marks if self.own_marks else self.marks
        return PaperQuestion(question, marks, self.position, self.section_id, self.own_marks)

    @property
    def marks_override(self) -> int | None:
        """The marks when they differ from the question's own (else None)."""
        return self.marks if self.marks != self.question.marks else None


def questions_of_attempt(session: Session, attempt: QuizAttempt) -> list[PaperQuestion]:
    """The questions of ``attempt`` in paper order, each with its marks in the attempt and
    in the version the attempt answered (:mod:`quizcore.domain.versions`)."""
    stored = session.scalars(
        sa.select(AttemptQuestion).where(AttemptQuestion.attempt_id == attempt.id)
        .order_by(AttemptQuestion.position)
        .options(selectinload(AttemptQuestion.question))).all()
    if stored:
        paper = [PaperQuestion(row.question, row.marks, row.position, row.section_id)
                 for row in stored]
    else:
        paper = fixed_paper(session, attempt.quiz_id)
    return _as_answered(session, {attempt.id: paper})[attempt.id]


def _as_answered(session: Session, paper_of: dict[str, list[PaperQuestion]]
                 ) -> dict[str, list[PaperQuestion]]:
    """The papers with each question in the version its attempt answered."""
    earlier = versions.answered_versions(session, paper_of)
    if not earlier:
        return paper_of
    return {attempt_id: [item.in_version(*earlier[(attempt_id, item.question.id)])
                         if (attempt_id, item.question.id) in earlier else item
                         for item in paper]
            for attempt_id, paper in paper_of.items()}


def fixed_paper(session: Session, quiz_id: str) -> list[PaperQuestion]:
    """The quiz's fixed questions as a paper (a fixed-list quiz's every paper)."""
    links = session.scalars(
        sa.select(QuizQuestion).where(QuizQuestion.quiz_id == quiz_id)
        .order_by(QuizQuestion.order_index).options(selectinload(QuizQuestion.question))).all()
    return [PaperQuestion(link.question, link.marks, position,
                          own_marks=link.marks_override is None)
            for position, link in enumerate(links)]


def papers_of_attempts(session: Session, quiz_id: str, attempt_ids: Sequence[str]
                       ) -> dict[str, list[PaperQuestion]]:
    """:func:`questions_of_attempt` for many attempts of one quiz in a few queries."""
    stored: dict[str, list[PaperQuestion]] = {}
    for start in range(0, len(attempt_ids), 1000):
        for row in session.scalars(
                sa.select(AttemptQuestion)
                .where(AttemptQuestion.attempt_id.in_(attempt_ids[start:start + 1000]))
                .order_by(AttemptQuestion.attempt_id, AttemptQuestion.position)
                .options(selectinload(AttemptQuestion.question))):
            stored.setdefault(row.attempt_id, []).append(
                PaperQuestion(row.question, row.marks, row.position, row.section_id))
    if len(stored) < len(set(attempt_ids)):
        fixed = fixed_paper(session, quiz_id)
        for attempt_id in attempt_ids:
            stored.setdefault(attempt_id, fixed)
    return _as_answered(session, stored)


def has_stored_paper(session: Session, attempt_id: str) -> bool:
    return bool(session.execute(sa.select(sa.exists(
        sa.select(AttemptQuestion.id).where(AttemptQuestion.attempt_id == attempt_id)))).scalar())


def view_of_attempt(session: Session, attempt: QuizAttempt) -> quiz_payload.StudentView:
    """The student view an attempt shows: the quiz's cached view, or for an attempt with
    a drawn paper, a view of that paper (built from the database, never shared)."""
    if not has_stored_paper(session, attempt.id):
        view = quiz_payload.student_view(session, attempt.quiz_id)
        if view is not None:
            return view
    quiz = attempt.quiz
    paper = questions_of_attempt(session, attempt)
    questions = [quiz_payload.student_question(item.question, item.marks, item.position)
                 for item in paper]
    total = sum(item.marks for item in paper)
    return quiz_payload.StudentView.of(
        quiz.id, quiz_payload.student_quiz_fields(quiz, total, len(questions)), questions,
        quiz.randomize_questions, quiz.randomize_options)


def paper_rows(quiz_id: str):
    """A selectable of every paper row of the attempts at ``quiz_id``: ``attempt_id``,
    ``question_id``, ``position``, ``marks``, ``version`` (the version of the question the
    attempt answered). Attempts with a stored paper read it; the others read the quiz's
    fixed list (an earlier version of a question without marks_override brings its own
    marks)."""
    pin = aliased(AttemptQuestionVersion)
    kept = aliased(QuestionVersion)

    def versioned(select, attempt_id):
        return (select.join(Question, Question.id == select.selected_columns.question_id)
                .outerjoin(pin, sa.and_(pin.attempt_id == attempt_id,
                                        pin.question_id == Question.id))
                .outerjoin(kept, sa.and_(kept.question_id == pin.question_id,
                                         kept.version == pin.version)))

    version = sa.func.coalesce(pin.version, Question.version).label("version")
    stored = versioned(
        sa.select(AttemptQuestion.attempt_id, AttemptQuestion.question_id,
                  AttemptQuestion.position, AttemptQuestion.marks, version)
        .select_from(AttemptQuestion)
        .join(QuizAttempt, QuizAttempt.id == AttemptQuestion.attempt_id)
        .where(QuizAttempt.quiz_id == quiz_id), AttemptQuestion.attempt_id)
    has_paper = sa.exists(sa.select(AttemptQuestion.id)
                          .where(AttemptQuestion.attempt_id == QuizAttempt.id))
    marks = sa.func.coalesce(QuizQuestion.marks_override, kept.content["marks"].as_integer(),
                             Question.marks).label("marks")
    fixed = versioned(
        sa.select(QuizAttempt.id.label("attempt_id"), QuizQuestion.question_id,
                  QuizQuestion.order_index.label("position"), marks, version)
        .select_from(QuizAttempt)
        .join(QuizQuestion, QuizQuestion.quiz_id == QuizAttempt.quiz_id)
        .where(QuizAttempt.quiz_id == quiz_id, ~has_paper), QuizAttempt.id)
    return sa.union_all(stored, fixed).subquery("paper")


def drawn_questions(quiz_id: str):
    """A selectable of the questions some attempt at ``quiz_id`` drew from a section:
    ``question_id``, ``marks``, ``section`` (its position), ``first_position`` (its first
    place on a paper)."""
    return (sa.select(AttemptQuestion.question_id,
                      sa.func.max(AttemptQuestion.marks).label("marks"),
                      sa.func.min(QuizSection.position).label("section"),
                      sa.func.min(AttemptQuestion.position).label("first_position"))
            .join(QuizAttempt, QuizAttempt.id == AttemptQuestion.attempt_id)
            .join(QuizSection, QuizSection.id == AttemptQuestion.section_id)
            .where(QuizAttempt.quiz_id == quiz_id)
            .group_by(AttemptQuestion.question_id).subquery("drawn"))
