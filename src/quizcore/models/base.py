"""Declarative base and the column types every table shares.

The schema follows the MySQL design (utf8mb4_unicode_ci, CHAR(36) UUID keys, ENUMs stored
as their values) and also runs on SQLite for local development.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from decimal import Decimal
from typing import Annotated, Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import DeclarativeBase, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Table options of every table: InnoDB, utf8mb4 with the unicode collation (charset alone
#: would give utf8mb4_general_ci).
MYSQL_TABLE_ARGS = {
    "mysql_engine": "InnoDB",
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_unicode_ci",
}


def new_uuid() -> str:
    return str(uuid.uuid4())


def utcnow() -> dt.datetime:
    """Naive UTC, the form stored in TIMESTAMP columns (connections run at time_zone +00:00)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class UTCDateTime(sa.types.TypeDecorator):
    """TIMESTAMP holding naive UTC; aware datetimes are converted on the way in.

    MariaDB gets TIMESTAMP(6): sub-second precision keeps autosaves and violation reports
    in the order they happened (debounce windows are measured in seconds).
    """

    impl = sa.DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name in ("mysql", "mariadb"):
            return dialect.type_descriptor(mysql.TIMESTAMP(fsp=6))
        return dialect.type_descriptor(sa.DateTime())

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value


def enum_column(enum_cls: type[enum.Enum], name: str) -> sa.Enum:
    """An ENUM that stores the members' values (SQLAlchemy would store their names)."""
    return sa.Enum(
        enum_cls,
        name=name,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
        native_enum=True,
        create_constraint=False,
        length=max(len(m.value) for m in enum_cls),
    )


#: Server-side default of timestamp columns (rows are normally stamped by Python, in UTC).
SERVER_NOW = sa.func.current_timestamp()

UUIDStr = Annotated[str, mapped_column(sa.CHAR(36), primary_key=True, default=new_uuid)]
CreatedAt = Annotated[
    dt.datetime, mapped_column(UTCDateTime(), default=utcnow, server_default=SERVER_NOW)
]
UpdatedAt = Annotated[
    dt.datetime,
    mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow, server_default=SERVER_NOW),
]


def fk(target: str, ondelete: str | None = None, **kwargs: Any):
    return mapped_column(sa.CHAR(36), sa.ForeignKey(target, ondelete=ondelete), **kwargs)


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        dt.datetime: UTCDateTime(),
        dt.date: sa.Date(),
        Decimal: sa.Numeric(5, 2),
        dict: sa.JSON(),
        list: sa.JSON(),
        Any: sa.JSON(),
    }


class Role(enum.StrEnum):
    ADMIN = "admin"
    TEACHER = "teacher"
    STUDENT = "student"


class QuizStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class QuestionType(enum.StrEnum):
    MCQ = "mcq"
    DESCRIPTIVE = "descriptive"
    TRUE_FALSE = "true_false"
    SHORT_ANSWER = "short_answer"
    MULTIPLE_ANSWER = "multiple_answer"
    NUMERICAL = "numerical"
    MATCHING = "matching"
    ORDERING = "ordering"


class Difficulty(enum.StrEnum):
    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"


class AttemptStatus(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    GRADED = "graded"
    AUTO_SUBMITTED = "auto_submitted"
    #: Ended by a teacher on a running exam (graded as usual, the reason recorded).
    FORCE_SUBMITTED = "force_submitted"
    #: Not submitted by its deadline in a ``notcounted`` quiz: closed ungraded.
    NOT_COUNTED = "not_counted"


class ViolationType(enum.StrEnum):
    TAB_SWITCH = "tab_switch"
    FULLSCREEN_EXIT = "fullscreen_exit"
    COPY_ATTEMPT = "copy_attempt"
    PASTE_ATTEMPT = "paste_attempt"
    RIGHT_CLICK = "right_click"
    FOCUS_LOST = "focus_lost"
    MULTIPLE_WINDOWS = "multiple_windows"


class Severity(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
