"""The students a user may see, as CSV or XLSX.

The column names are the ones the bulk import reads (``Name``, ``Email``, ``Registration
Number``, ``Class Name``...), so an exported file can be edited and imported again; the
import ignores the extra columns (claimed, active, created). One query.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from quizcore.documents.files import CSV_TYPE, XLSX_TYPE, Download, file_name
from quizcore.documents.spreadsheets import XlsxBook, csv_chunks
from quizcore.domain import visibility
from quizcore.models import SchoolClass, Student, User

HEADER = ("Name", "Email", "Registration Number", "Class Name", "Section", "Academic Year",
          "Date of Birth", "Parent Email", "Parent Phone", "Account Claimed", "Active",
          "Created At (UTC)")


def load_students(session: Session, viewer: User,
                  class_id: str | None = None) -> list[Sequence[Any]]:
    """The students ``viewer`` may see (optionally of one class), ordered by class and name,
    as rows of :data:`HEADER`."""
    statement = (
        sa.select(User.name, User.email, Student.registration_number, SchoolClass.name,
                  SchoolClass.section, SchoolClass.academic_year, Student.date_of_birth,
                  Student.parent_email, Student.parent_phone, Student.is_account_claimed,
                  User.is_active, Student.created_at)
        .select_from(Student).join(User, User.id == Student.id)
        .outerjoin(SchoolClass, SchoolClass.id == Student.class_id)
        .where(visibility.student_condition(viewer))
        .order_by(SchoolClass.name, SchoolClass.section, User.name, Student.registration_number))
    if class_id is not None:
        statement = statement.where(Student.class_id == class_id)
    return [tuple(row) for row in session.execute(statement)]


def _name(label: str | None, extension: str, day: dt.date) -> str:
    return file_name("students", label, extension=extension, day=day)


def students_csv(rows: list[Sequence[Any]], label: str | None, day: dt.date) -> Download:
    return Download(_name(label, "csv", day), CSV_TYPE, chunks=csv_chunks(HEADER, rows))


def students_xlsx(rows: list[Sequence[Any]], label: str | None, day: dt.date) -> Download:
    book = XlsxBook()
    book.sheet("Students").table(HEADER, rows, freeze=True, autofilter=True)
    return Download(_name(label, "xlsx", day), XLSX_TYPE, body=book.close())
