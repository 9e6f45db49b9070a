"""Attempts at a quiz, the answers saved during them and the violations reported."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import (
    MYSQL_TABLE_ARGS,
    SERVER_NOW,
    AttemptStatus,
    Base,
    Severity,
    UpdatedAt,
    UUIDStr,
    ViolationType,
    enum_column,
    fk,
    utcnow,
)


class QuizAttempt(Base):
    __tablename__ = "quiz_attempts"
    __table_args__ = (
        sa.UniqueConstraint("quiz_id", "student_id", "attempt_number", name="unique_attempt"),
        sa.Index("ix_quiz_attempts_quiz_id", "quiz_id"),
        sa.Index("ix_quiz_attempts_student_id", "student_id"),
        sa.Index("ix_quiz_attempts_status", "status"),
        # Added: the sweeper looks for in-progress attempts past their deadline.
        sa.Index("ix_quiz_attempts_status_deadline_at", "status", "deadline_at"),
        MYSQL_TABLE_ARGS,
    )

    id: Mapped[UUIDStr]
    quiz_id: Mapped[str] = fk("quizzes.id", ondelete="CASCADE")
    student_id: Mapped[str] = fk("students.id", ondelete="CASCADE")
    attempt_number: Mapped[int] = mapped_column(default=1, server_default="1")

    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow, server_default=SERVER_NOW)
    submitted_at: Mapped[dt.datetime | None]
    status: Mapped[AttemptStatus] = mapped_column(
        enum_column(AttemptStatus, "attempt_status"),
        default=AttemptStatus.IN_PROGRESS, server_default=AttemptStatus.IN_PROGRESS.value,
    )
    # Added for correctness: the deadline fixed when the attempt starts
    # (min(started_at + time limit, quiz end_date)), so a later edit of the quiz's time
    # limit cannot move it and the sweeper can find expired attempts with an index.
    deadline_at: Mapped[dt.datetime | None]

    score: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 2))
    total_marks: Mapped[int | None]
    percentage: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 2))
    passed: Mapped[bool | None]

    total_violations: Mapped[int] = mapped_column(default=0, server_default="0")
    auto_submitted_due_to_violations: Mapped[bool] = mapped_column(default=False,
                                                                   server_default=sa.false())

    #: Why a teacher force-submitted the attempt (status ``force_submitted``).
    force_submit_reason: Mapped[str | None] = mapped_column(sa.Text)

    ip_address: Mapped[str | None] = mapped_column(sa.String(45))
    user_agent: Mapped[str | None] = mapped_column(sa.Text)

    quiz: Mapped[Quiz] = relationship()
    student: Mapped[Student] = relationship()
    answers: Mapped[list[StudentAnswer]] = relationship(back_populates="attempt",
                                                        passive_deletes=True)
    violations: Mapped[list[Violation]] = relationship(back_populates="attempt",
                                                       passive_deletes=True,
                                                       order_by="Violation.detected_at")

    @property
    def is_open(self) -> bool:
        return self.status == AttemptStatus.IN_PROGRESS


class StudentAnswer(Base):
    __tablename__ = "student_answers"
    __table_args__ = (
        # Added for correctness: one answer per question per attempt, so autosave is an
        # upsert and a retried save can never create a duplicate.
        sa.UniqueConstraint("attempt_id", "question_id", name="unique_attempt_question"),
        sa.Index("ix_student_answers_attempt_id", "attempt_id"),
        sa.Index("ix_student_answers_question_id", "question_id"),
        MYSQL_TABLE_ARGS,
    )

    id: Mapped[UUIDStr]
    attempt_id: Mapped[str] = fk("quiz_attempts.id", ondelete="CASCADE")
    question_id: Mapped[str] = fk("questions.id", ondelete="CASCADE")

    answer_text: Mapped[str | None] = mapped_column(sa.Text)
    #: Index into the question's options in their original (unshuffled) order.
    answer_option: Mapped[int | None]
    #: The structured answer of the richer types, in original indexes: multiple_answer
    #: ``{"options": [..]}``, numerical ``{"number": "3.14"}`` (answer_text keeps what was
    #: typed), matching ``{"matches": {"0": 2}}``, ordering ``{"order": [..]}``.
    answer_data: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON(none_as_null=True))

    marks_awarded: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 2))
    feedback: Mapped[str | None] = mapped_column(sa.Text)
    graded_by: Mapped[str | None] = fk("teachers.id", ondelete="SET NULL")
    graded_at: Mapped[dt.datetime | None]

    is_final: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    answered_at: Mapped[dt.datetime] = mapped_column(default=utcnow, server_default=SERVER_NOW)
    updated_at: Mapped[UpdatedAt]
    # Added for correctness: the client's sequence number of the save that wrote this row;
    # a save carrying a lower number arrived late and must not overwrite a newer answer.
    client_seq: Mapped[int | None] = mapped_column(sa.BigInteger)

    attempt: Mapped[QuizAttempt] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()


class AttemptQuestion(Base):
    """One question of an attempt's own paper, drawn when the attempt started (quizzes
    with sections only; see :mod:`quizcore.domain.papers`)."""

    __tablename__ = "attempt_questions"
    __table_args__ = (
        sa.UniqueConstraint("attempt_id", "question_id", name="unique_attempt_paper_question"),
        sa.UniqueConstraint("attempt_id", "position", name="unique_attempt_paper_position"),
        sa.Index("ix_attempt_questions_attempt_id", "attempt_id"),
        sa.Index("ix_attempt_questions_question_id", "question_id"),
        sa.Index("ix_attempt_questions_section_id", "section_id"),
        MYSQL_TABLE_ARGS,
    )

    id: Mapped[UUIDStr]
    attempt_id: Mapped[str] = fk("quiz_attempts.id", ondelete="CASCADE")
    question_id: Mapped[str] = fk("questions.id", ondelete="CASCADE")
    #: 0-based place on the paper (the teacher's order: fixed questions, then each
    #: section's draw).
    position: Mapped[int]
    #: The section that drew it; None for the quiz's fixed questions.
    section_id: Mapped[str | None] = fk("quiz_sections.id", ondelete="SET NULL")
    marks: Mapped[int]

    question: Mapped[Question] = relationship()


class AttemptQuestionVersion(Base):
    """The version of a question an attempt answered, written when the question got a newer
    version after the attempt (attempts without a row answered the current version)."""

    __tablename__ = "attempt_question_versions"
    __table_args__ = (
        sa.UniqueConstraint("attempt_id", "question_id", name="unique_attempt_question_version"),
        sa.Index("ix_attempt_question_versions_attempt_id", "attempt_id"),
        sa.Index("ix_attempt_question_versions_question_id", "question_id"),
        MYSQL_TABLE_ARGS,
    )

    id: Mapped[UUIDStr]
    attempt_id: Mapped[str] = fk("quiz_attempts.id", ondelete="CASCADE")
    question_id: Mapped[str] = fk("questions.id", ondelete="CASCADE")
    version: Mapped[int]


class Violation(Base):
    __tablename__ = "violations"
    __table_args__ = (
        sa.Index("ix_violations_attempt_id", "attempt_id"),
        sa.Index("ix_violations_violation_type", "violation_type"),
        MYSQL_TABLE_ARGS,
    )

    id: Mapped[UUIDStr]
    attempt_id: Mapped[str] = fk("quiz_attempts.id", ondelete="CASCADE")
    violation_type: Mapped[ViolationType] = mapped_column(
        enum_column(ViolationType, "violation_type"))
    detected_at: Mapped[dt.datetime] = mapped_column(default=utcnow, server_default=SERVER_NOW)
    question_index: Mapped[int | None]
    severity: Mapped[Severity | None] = mapped_column(enum_column(Severity, "severity"))
    # "metadata" is reserved on declarative classes, hence the attribute name.
    details: Mapped[dict[str, Any] | None] = mapped_column("metadata", sa.JSON)
    # Added for correctness: a report of the same type within the debounce window is kept
    # for the record but does not count toward the auto-submit threshold.
    is_counted: Mapped[bool] = mapped_column(default=True, server_default=sa.true())

    attempt: Mapped[QuizAttempt] = relationship(back_populates="violations")


from .questions import Question  # noqa: E402
from .quizzes import Quiz  # noqa: E402
from .users import Student  # noqa: E402
