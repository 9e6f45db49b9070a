"""Per-quiz overrides of the time limit, attempts and window for one student or one class."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .base import MYSQL_TABLE_ARGS, Base, CreatedAt, UpdatedAt, UUIDStr, fk


class QuizOverride(Base):
    """Exactly one of ``student_id`` / ``class_id`` is set; at most one override per quiz and
    student, and per quiz and class (MySQL lets the NULLs of the other kind through the
    unique keys). Unset values fall back to the class override, then to the quiz."""

    __tablename__ = "quiz_overrides"
    __table_args__ = (
        sa.UniqueConstraint("quiz_id", "student_id", name="unique_quiz_override_student"),
        sa.UniqueConstraint("quiz_id", "class_id", name="unique_quiz_override_class"),
        sa.CheckConstraint("(student_id IS NULL) <> (class_id IS NULL)",
                           name="override_one_target"),
        sa.Index("ix_quiz_overrides_quiz_id", "quiz_id"),
        sa.Index("ix_quiz_overrides_student_id", "student_id"),
        sa.Index("ix_quiz_overrides_class_id", "class_id"),
        MYSQL_TABLE_ARGS,
    )

    id: Mapped[UUIDStr]
    quiz_id: Mapped[str] = fk("quizzes.id", ondelete="CASCADE")
    student_id: Mapped[str | None] = fk("students.id", ondelete="CASCADE")
    class_id: Mapped[str | None] = fk("classes.id", ondelete="CASCADE")
    time_limit_minutes: Mapped[int | None]
    time_multiplier: Mapped[Decimal | None] = mapped_column(sa.Numeric(4, 2))
    extra_attempts: Mapped[int | None]
    start_date: Mapped[dt.datetime | None]
    end_date: Mapped[dt.datetime | None]
    created_by: Mapped[str | None] = fk("users.id", ondelete="SET NULL")
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]
