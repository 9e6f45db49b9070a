"""Classes (a form group such as "Grade 9 / A / 2025-2026") and their teachers."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import MYSQL_TABLE_ARGS, SERVER_NOW, Base, CreatedAt, UpdatedAt, UUIDStr, fk, utcnow


class SchoolClass(Base):
    __tablename__ = "classes"
    __table_args__ = (
        # MySQL lets rows that differ only by a NULL section/year through this key; the
        # services check those duplicates themselves.
        sa.UniqueConstraint("name", "section", "academic_year", name="unique_class"),
        sa.Index("ix_classes_name", "name"),
        MYSQL_TABLE_ARGS,
    )

    id: Mapped[UUIDStr]
    name: Mapped[str] = mapped_column(sa.String(100))
    section: Mapped[str | None] = mapped_column(sa.String(50))
    academic_year: Mapped[str | None] = mapped_column(sa.String(20))
    created_by: Mapped[str | None] = fk("users.id", ondelete="SET NULL")
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    students: Mapped[list[Student]] = relationship(back_populates="school_class",
                                                   passive_deletes=True)
    teacher_links: Mapped[list[TeacherClass]] = relationship(back_populates="school_class",
                                                             passive_deletes=True)


class TeacherClass(Base):
    __tablename__ = "teacher_classes"
    __table_args__ = (
        sa.UniqueConstraint("teacher_id", "class_id", name="unique_teacher_class"),
        sa.Index("ix_teacher_classes_teacher_id", "teacher_id"),
        sa.Index("ix_teacher_classes_class_id", "class_id"),
        MYSQL_TABLE_ARGS,
    )

    id: Mapped[UUIDStr]
    teacher_id: Mapped[str] = fk("teachers.id", ondelete="CASCADE")
    class_id: Mapped[str] = fk("classes.id", ondelete="CASCADE")
    assigned_at: Mapped[dt.datetime] = mapped_column(default=utcnow, server_default=SERVER_NOW)

    school_class: Mapped[SchoolClass] = relationship(back_populates="teacher_links")
    teacher: Mapped[Teacher] = relationship()


from .users import Student, Teacher  # noqa: E402  (mutual relationship)
