"""Question versions: editing what students saw of a question makes a new version.

A question row always holds its **current** version (``questions.version``). When a teacher
changes what students saw (text, type, options, marks, matching pairs, ordering items) of a
question that attempts have used:

* while an attempt using it is still in progress, the edit is refused (409
  ``question_being_answered``): a student never sees a question change under them, and
  autosave always checks answers against the content shown;
* otherwise the current content is kept in ``question_versions`` (its version number), every
  attempt that used the question and has no version recorded for it gets one in
  ``attempt_question_versions`` (the version it answered), and the question counts up to a
  new version that takes the edit.

Attempts without a recorded version answered the current one. So new attempts get the newest
version and old attempts keep theirs for review, grading, regrade and exports
(:mod:`quizcore.domain.papers` hands readers the version each attempt answered). Answer-key
corrections (correct_answer, accepted_answers, ...) change the current version in place, as
before, and a regrade applies them to the attempts that answered that version.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import (
    AttemptQuestion,
    AttemptQuestionVersion,
    AttemptStatus,
    Difficulty,
    Question,
    QuestionType,
    QuestionVersion,
    QuizAttempt,
    QuizQuestion,
    StudentAnswer,
    new_uuid,
)
from .errors import Conflict

#: The fields a version keeps (everything a reader of an attempt may need).
SNAPSHOT_FIELDS = ("text", "type", "topic", "difficulty", "marks", "options", "correct_answer",
                   "accepted_answers", "sample_answer", "marking_rubric", "details")


def snapshot(question: Question) -> dict[str, Any]:
    content = {field: getattr(question, field) for field in SNAPSHOT_FIELDS}
    content["type"] = str(question.type)
    content["difficulty"] = str(question.difficulty) if question.difficulty else None
    return content


def as_question(question: Question, version: int, content: dict[str, Any]) -> Question:
    """A detached, never-stored :class:`Question` holding ``content`` (an earlier version
    of ``question``), for readers of the attempts that answered it."""
    values = dict(content)
    values["type"] = QuestionType(values["type"])
    values["difficulty"] = Difficulty(values["difficulty"]) if values["difficulty"] else None
    return Question(id=question.id, created_by=question.created_by,
                    created_at=question.created_at, updated_at=question.updated_at,
                    version=version, **values)


def attempts_using(question_id: str) -> sa.Select:
    """``SELECT`` of the ids of the attempts whose paper holds the question or that answered
    it."""
    at_quiz = (sa.select(QuizAttempt.id)
               .join(QuizQuestion, QuizQuestion.quiz_id == QuizAttempt.quiz_id)
               .where(QuizQuestion.question_id == question_id))
    drawn = sa.select(AttemptQuestion.attempt_id).where(AttemptQuestion.question_id == question_id)
    answered = sa.select(StudentAnswer.attempt_id).where(StudentAnswer.question_id == question_id)
    return sa.union(at_quiz, drawn, answered)


def new_version(session: Session, question: Question) -> None:
    """Keep the question's current content as its version and count up (see the module
    documentation). Refuses while an attempt using it is in progress."""
    using = attempts_using(question.id).subquery()
    rows = session.execute(
        sa.select(QuizAttempt.id, QuizAttempt.status,
                  AttemptQuestionVersion.id.label("pinned"))
        .join(using, using.c.id == QuizAttempt.id)
        .outerjoin(AttemptQuestionVersion,
                   sa.and_(AttemptQuestionVersion.attempt_id == QuizAttempt.id,
                           AttemptQuestionVersion.question_id == question.id))).all()
    if any(row.status == AttemptStatus.IN_PROGRESS for row in rows):
        raise Conflict("Students are answering this question right now, so what they see "
                       "cannot change; edit it once their attempts have ended (that makes a "
                       "new version; ended attempts keep the one they answered).",
                       reason="question_being_answered")
    session.add(QuestionVersion(question_id=question.id, version=question.version,
                                content=snapshot(question)))
    pins = [{"id": new_uuid(), "attempt_id": row.id, "question_id": question.id,
             "version": question.version} for row in rows if row.pinned is None]
    if pins:
        session.execute(sa.insert(AttemptQuestionVersion), pins)
    question.version += 1
    session.flush()


def answered_versions(session: Session, attempt_ids: Iterable[str]
                      ) -> dict[tuple[str, str], tuple[int, dict[str, Any]]]:
    """``{(attempt_id, question_id): (version, content)}`` for the questions these attempts
    answered in an earlier version (one query)."""
    ids = list(attempt_ids)
    if not ids:
        return {}
    rows = session.execute(
        sa.select(AttemptQuestionVersion.attempt_id, AttemptQuestionVersion.question_id,
                  AttemptQuestionVersion.version, QuestionVersion.content)
        .join(QuestionVersion,
              sa.and_(QuestionVersion.question_id == AttemptQuestionVersion.question_id,
                      QuestionVersion.version == AttemptQuestionVersion.version))
        .where(AttemptQuestionVersion.attempt_id.in_(ids)))
    return {(row.attempt_id, row.question_id): (row.version, row.content) for row in rows}
