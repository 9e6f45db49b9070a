"""The question bank."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .base import (
    MYSQL_TABLE_ARGS,
    Base,
    CreatedAt,
    Difficulty,
    QuestionType,
    UpdatedAt,
    UUIDStr,
    enum_column,
    fk,
)


class Question(Base):
    __tablename__ = "questions"
    __table_args__ = (
        sa.CheckConstraint("marks > 0", name="marks_positive"),
        sa.Index("ix_questions_created_by", "created_by"),
        sa.Index("ix_questions_type", "type"),
        sa.Index("ix_questions_topic", "topic"),
        sa.Index("ix_questions_difficulty", "difficulty"),
        MYSQL_TABLE_ARGS,
    )

    id: Mapped[UUIDStr]
    text: Mapped[str] = mapped_column(sa.Text)
    type: Mapped[QuestionType] = mapped_column(enum_column(QuestionType, "question_type"))
    topic: Mapped[str | None] = mapped_column(sa.String(100))
    difficulty: Mapped[Difficulty | None] = mapped_column(enum_column(Difficulty, "difficulty"))
    marks: Mapped[int]
    created_by: Mapped[str] = fk("teachers.id", ondelete="CASCADE")
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    #: mcq: the option texts, in their original order.
    options: Mapped[list[Any] | None] = mapped_column(sa.JSON)
    #: mcq: 0-based index into ``options``; true_false: 0 = true, 1 = false.
    correct_answer: Mapped[int | None]
    # Added for correctness: short-answer questions are marked against a list of accepted
    # answers, which the seed schema has no column for.
    accepted_answers: Mapped[list[Any] | None] = mapped_column(sa.JSON)

    sample_answer: Mapped[str | None] = mapped_column(sa.Text)
    marking_rubric: Mapped[str | None] = mapped_column(sa.Text)
    #: The per-type details of the richer types, one JSON document (kept out of separate
    #: columns so a new type needs no schema change): multiple_answer ``correct_answers``,
    #: ``scoring``; numerical ``numeric_answers``, ``decimal_comma``; matching ``pairs``;
    #: ordering ``items``, ``scoring``; short_answer ``case_sensitive``.
    details: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON(none_as_null=True))
    #: The current version; an edit of what students saw, once attempts have ended with the
    #: question, snapshots the old content in ``question_versions`` and counts up.
    version: Mapped[int] = mapped_column(default=1, server_default="1")


class QuestionVersion(Base):
    """The content of an earlier version of a question, as the attempts that used it saw
    it (see :mod:`quizcore.domain.versions`)."""

    __tablename__ = "question_versions"
    __table_args__ = (
        sa.UniqueConstraint("question_id", "version", name="unique_question_version"),
        sa.Index("ix_question_versions_question_id", "question_id"),
        MYSQL_TABLE_ARGS,
    )

    id: Mapped[UUIDStr]
    question_id: Mapped[str] = fk("questions.id", ondelete="CASCADE")
    version: Mapped[int]
    #: The question's fields (text, type, options, keys, details, marks...) at that version.
    content: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    created_at: Mapped[CreatedAt]
