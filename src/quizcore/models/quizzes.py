"""Quizzes, the classes they are set for and their ordered questions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import (
    MYSQL_TABLE_ARGS,
    SERVER_NOW,
    Base,
    CreatedAt,
    QuizStatus,
    UpdatedAt,
    UUIDStr,
    enum_column,
    fk,
    utcnow,
)


class Quiz(Base):
    __tablename__ = "quizzes"
    __table_args__ = (
        sa.CheckConstraint("time_limit_minutes > 0", name="time_limit_positive"),
        sa.CheckConstraint("passing_percentage >= 0 AND passing_percentage <= 100",
                           name="passing_percentage_range"),
        sa.CheckConstraint("max_attempts > 0", name="max_attempts_positive"),
        sa.CheckConstraint("grace_period_minutes IS NULL OR grace_period_minutes > 0",
                           name="grace_period_positive"),
        sa.Index("ix_quizzes_created_by", "created_by"),
        sa.Index("ix_quizzes_status", "status"),
        sa.Index("ix_quizzes_access_code", "access_code"),
        MYSQL_TABLE_ARGS,
    )

    id: Mapped[UUIDStr]
    title: Mapped[str] = mapped_column(sa.String(255))
    subject: Mapped[str] = mapped_column(sa.String(100))
    description: Mapped[str | None] = mapped_column(sa.Text)
    access_code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    time_limit_minutes: Mapped[int]
    status: Mapped[QuizStatus] = mapped_column(enum_column(QuizStatus, "quiz_status"),
                                               default=QuizStatus.DRAFT,
                                               server_default=QuizStatus.DRAFT.value)
    start_date: Mapped[dt.datetime | None]
    end_date: Mapped[dt.datetime | None]
    created_by: Mapped[str] = fk("teachers.id", ondelete="CASCADE")
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    passing_percentage: Mapped[int] = mapped_column(default=40, server_default="40")
    #: Fraction (0..1) of a question's marks lost per wrong objective answer (TCExam-style
    #: negative marking); 0 turns it off.
    negative_marking: Mapped[Decimal] = mapped_column(sa.Numeric(3, 2), default=Decimal(0),
                                                      server_default="0")
    max_attempts: Mapped[int] = mapped_column(default=1, server_default="1")
    show_answers_after_submission: Mapped[bool] = mapped_column(default=False,
                                                                server_default=sa.false())
    randomize_questions: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    randomize_options: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    allow_review: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    #: When time runs out (:mod:`quizcore.domain.overdue`): autosubmit | graceperiod |
    #: notcounted, and the grace period's minutes (graceperiod only).
    overdue_handling: Mapped[str] = mapped_column(sa.String(16), default="autosubmit",
                                                  server_default="autosubmit")
    grace_period_minutes: Mapped[int | None]
    #: The review timing ({"answers": W, "marks": W, "correct_answers": W, "feedback": W},
    #: :mod:`quizcore.domain.review`); None: the older flags decide.
    review_settings: Mapped[dict | None] = mapped_column(sa.JSON)
    #: How attempts may begin (:mod:`quizcore.domain.gates`): ``window`` (inside the
    #: open/close dates) or ``teacher_release`` (when the teacher releases the quiz, at
    #: ``released_at``).
    start_mode: Mapped[str] = mapped_column(sa.String(16), default="window",
                                            server_default="window")
    released_at: Mapped[dt.datetime | None]
    #: bcrypt hash of the quiz password students must give at start; None: no password.
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    #: Normalised CIDR strings a start must come from; None: any address.
    allowed_networks: Mapped[list[str] | None] = mapped_column(sa.JSON)

    quiz_questions: Mapped[list[QuizQuestion]] = relationship(
        back_populates="quiz", order_by="QuizQuestion.order_index", passive_deletes=True,
        cascade="all, delete-orphan",
    )
    class_links: Mapped[list[QuizClass]] = relationship(
        back_populates="quiz", passive_deletes=True, cascade="all, delete-orphan",
    )
    #: Sections drawing questions from pools (see :mod:`quizcore.domain.papers`).
    sections: Mapped[list[QuizSection]] = relationship(
        back_populates="quiz", order_by="QuizSection.position", passive_deletes=True,
        cascade="all, delete-orphan",
    )


class QuizClass(Base):
    __tablename__ = "quiz_classes"
    __table_args__ = (
        sa.UniqueConstraint("quiz_id", "class_id", name="unique_quiz_class"),
        sa.Index("ix_quiz_classes_quiz_id", "quiz_id"),
        sa.Index("ix_quiz_classes_class_id", "class_id"),
        MYSQL_TABLE_ARGS,
    )

    id: Mapped[UUIDStr]
    quiz_id: Mapped[str] = fk("quizzes.id", ondelete="CASCADE")
    class_id: Mapped[str] = fk("classes.id", ondelete="CASCADE")
    assigned_at: Mapped[dt.datetime] = mapped_column(default=utcnow, server_default=SERVER_NOW)

    quiz: Mapped[Quiz] = relationship(back_populates="class_links")
    school_class: Mapped[SchoolClass] = relationship()


class QuizQuestion(Base):
    __tablename__ = "quiz_questions"
    __table_args__ = (
        sa.UniqueConstraint("quiz_id", "question_id", name="unique_quiz_question"),
        sa.UniqueConstraint("quiz_id", "order_index", name="unique_quiz_order"),
        sa.Index("ix_quiz_questions_quiz_id", "quiz_id"),
        sa.Index("ix_quiz_questions_question_id", "question_id"),
        MYSQL_TABLE_ARGS,
    )

    id: Mapped[UUIDStr]
    quiz_id: Mapped[str] = fk("quizzes.id", ondelete="CASCADE")
    question_id: Mapped[str] = fk("questions.id", ondelete="CASCADE")
    order_index: Mapped[int]
    marks_override: Mapped[int | None]

    quiz: Mapped[Quiz] = relationship(back_populates="quiz_questions")
    question: Mapped[Question] = relationship()

    @property
    def marks(self) -> int:
        """The marks this question is worth in this quiz."""
        return self.marks_override if self.marks_override is not None else self.question.marks


class QuizSection(Base):
    """A part of a quiz that draws ``draw`` questions, each worth ``marks_each``, from a
    pool of the quiz owner's bank: ``pool`` holds the criteria (``topic``, ``difficulty``,
    ``question_ids``; every criterion given must hold)."""

    __tablename__ = "quiz_sections"
    __table_args__ = (
        sa.UniqueConstraint("quiz_id", "position", name="unique_quiz_section_position"),
        sa.CheckConstraint("draw > 0", name="draw_positive"),
        sa.CheckConstraint("marks_each > 0", name="marks_each_positive"),
        sa.Index("ix_quiz_sections_quiz_id", "quiz_id"),
        MYSQL_TABLE_ARGS,
    )

    id: Mapped[UUIDStr]
    quiz_id: Mapped[str] = fk("quizzes.id", ondelete="CASCADE")
    position: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(255))
    draw: Mapped[int]
    marks_each: Mapped[int]
    pool: Mapped[dict[str, Any]] = mapped_column(sa.JSON)

    quiz: Mapped[Quiz] = relationship(back_populates="sections")


class QuizWaiting(Base):
    """A student who opened a ``teacher_release`` quiz before its release, since when."""

    __tablename__ = "quiz_waiting"
    __table_args__ = (
        sa.Index("ix_quiz_waiting_student_id", "student_id"),
        MYSQL_TABLE_ARGS,
    )

    quiz_id: Mapped[str] = fk("quizzes.id", ondelete="CASCADE", primary_key=True)
    student_id: Mapped[str] = fk("students.id", ondelete="CASCADE", primary_key=True)
    since: Mapped[dt.datetime] = mapped_column(default=utcnow, server_default=SERVER_NOW)


from .classes import SchoolClass  # noqa: E402
from .questions import Question  # noqa: E402
