"""People: the users table and the teacher and student profiles that share its id."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import MYSQL_TABLE_ARGS, Base, CreatedAt, Role, UpdatedAt, UUIDStr, enum_column, fk

#: Stored as the password hash of accounts that have no password yet (unclaimed students).
#: It is not a bcrypt hash, so no password can ever match it.
UNUSABLE_PASSWORD = "!unusable"  # noqa: S105 - a marker, not a password


class User(Base):
    __tablename__ = "users"
    __table_args__ = (sa.Index("ix_users_email", "email"), sa.Index("ix_users_role", "role"),
                      MYSQL_TABLE_ARGS)

    id: Mapped[UUIDStr]
    # Stored lower-cased; the unicode_ci collation makes MySQL compare case-insensitively too.
    email: Mapped[str] = mapped_column(sa.String(255), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255), default=UNUSABLE_PASSWORD)
    role: Mapped[Role] = mapped_column(enum_column(Role, "user_role"))
    name: Mapped[str] = mapped_column(sa.String(255))
    is_active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    is_email_verified: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]
    last_login: Mapped[dt.datetime | None]
    # Added for correctness: access tokens carry this number and stop working when it changes
    # (logout, password change or reset, deactivation). The row is read on every request
    # anyway, so the check costs nothing and works while Redis is down.
    token_version: Mapped[int] = mapped_column(default=0, server_default="0")

    teacher: Mapped[Teacher | None] = relationship(back_populates="user", uselist=False,
                                                   passive_deletes=True)
    student: Mapped[Student | None] = relationship(back_populates="user", uselist=False,
                                                   passive_deletes=True)

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class Teacher(Base):
    __tablename__ = "teachers"
    __table_args__ = (sa.Index("ix_teachers_subject", "subject"), MYSQL_TABLE_ARGS)

    id: Mapped[str] = fk("users.id", ondelete="CASCADE", primary_key=True)
    subject: Mapped[str | None] = mapped_column(sa.String(100))
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    department: Mapped[str | None] = mapped_column(sa.String(100))
    bio: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[CreatedAt]

    user: Mapped[User] = relationship(back_populates="teacher")


class Student(Base):
    __tablename__ = "students"
    __table_args__ = (
        sa.Index("ix_students_registration_number", "registration_number"),
        sa.Index("ix_students_class_id", "class_id"),
        MYSQL_TABLE_ARGS,
    )

    id: Mapped[str] = fk("users.id", ondelete="CASCADE", primary_key=True)
    registration_number: Mapped[str] = mapped_column(sa.String(50), unique=True)
    class_id: Mapped[str | None] = fk("classes.id", ondelete="SET NULL")
    date_of_birth: Mapped[dt.date | None]
    parent_email: Mapped[str | None] = mapped_column(sa.String(255))
    parent_phone: Mapped[str | None] = mapped_column(sa.String(20))
    is_account_claimed: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    claimed_at: Mapped[dt.datetime | None]
    created_at: Mapped[CreatedAt]
    #: Standing accommodation: every quiz's time limit is multiplied by it (e.g. 1.25)
    #: unless an override of that quiz for this student says otherwise.
    time_multiplier: Mapped[Decimal] = mapped_column(sa.Numeric(4, 2), default=Decimal("1.00"),
                                                     server_default="1.00")

    user: Mapped[User] = relationship(back_populates="student")
    school_class: Mapped[SchoolClass | None] = relationship(back_populates="students")


from .classes import SchoolClass  # noqa: E402  (mutual relationship)
