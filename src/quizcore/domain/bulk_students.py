"""Many student accounts at once (bulk imports): batched duplicate checks, multi-row INSERTs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..db import is_mysql
from ..models import (
    Role,
    Student,
    User,
    new_uuid,
    utcnow,
)
from .people import new_student_password_hash, normalize_email


def _now(now: dt.datetime | None) -> dt.datetime:
    return now if now is not None else utcnow()


# -- many students at once (bulk imports) ----------------------------------------------------

#: Values per ``IN (...)`` list and rows per multi-row INSERT: small enough for MySQL's
#: packet size, large enough that 10,000 students take a handful of round trips.
BULK_CHUNK = 1000


@dataclass(frozen=True)
class NewStudent:
    """One student account to create with :func:`insert_students` (values already checked)."""

    name: str
    email: str
    registration_number: str
    class_id: str | None = None
    date_of_birth: dt.date | None = None
    parent_email: str | None = None
    parent_phone: str | None = None


def _chunks(values: list):
    size = BULK_CHUNK
    for start in range(0, len(values), size):
        yield values[start:start + size]


def emails_in_use(session: Session, emails) -> set[str]:
    """Which of ``emails`` already belong to an account, as stored (lower-cased).

    One ``IN (...)`` query per :data:`BULK_CHUNK` addresses, instead of one per address.
    """
    wanted = sorted({normalize_email(email) for email in emails if email})
    found: set[str] = set()
    for chunk in _chunks(wanted):
        found.update(session.scalars(sa.select(User.email).where(User.email.in_(chunk))))
    return found


def registration_numbers_in_use(session: Session, numbers) -> set[str]:
    """Which of ``numbers`` are taken, as stored (their own spelling), in batched queries.

    Compared case-insensitively like :func:`find_student_by_registration_number`: MySQL's
    collation does it with the index; SQLite needs ``lower()``.
    """
    wanted = sorted({number.strip() for number in numbers if number and number.strip()})
    column = Student.registration_number
    if not is_mysql(session):
        wanted = sorted({number.lower() for number in wanted})
        column = sa.func.lower(Student.registration_number)
    found: set[str] = set()
    for chunk in _chunks(wanted):
        found.update(session.scalars(
            sa.select(Student.registration_number).where(column.in_(chunk))))
    return found


def insert_students(session: Session, students: list[NewStudent], *,
                    now: dt.datetime | None = None) -> list[str]:
    """Create many unclaimed student accounts; returns their ids in the order given.

    The bulk twin of :func:`create_student`: the same normalised values and the same
    unusable password (no bcrypt work), written with multi-row INSERTs of
    :data:`BULK_CHUNK` rows instead of one ORM object and round trip per student. Callers
    check duplicates first (:func:`emails_in_use`, :func:`registration_numbers_in_use`);
    the unique keys still refuse a concurrent duplicate with an ``IntegrityError``.
    """
    now = _now(now)
    ids: list[str] = []
    for chunk in _chunks(students):
        users, profiles = [], []
        for new in chunk:
            user_id = new_uuid()
            ids.append(user_id)
            users.append({
                "id": user_id, "email": normalize_email(new.email), "name": new.name.strip(),
                "role": Role.STUDENT, "password_hash": new_student_password_hash(),
                "is_active": True, "is_email_verified": False, "token_version": 0,
                "created_at": now, "updated_at": now,
            })
            profiles.append({
                "id": user_id, "registration_number": new.registration_number.strip(),
                "class_id": new.class_id, "date_of_birth": new.date_of_birth,
                "parent_email": normalize_email(new.parent_email) if new.parent_email
                else None,
                "parent_phone": new.parent_phone, "is_account_claimed": False,
                "claimed_at": None, "created_at": now,
            })
        session.execute(sa.insert(User), users)
        session.execute(sa.insert(Student), profiles)
    return ids
