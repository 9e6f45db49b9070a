"""School classes: what makes two classes the same."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import SchoolClass


def find_duplicate_class(session: Session, name: str, section: str | None,
                         academic_year: str | None, *,
                         exclude_class_id: str | None = None) -> SchoolClass | None:
    """Another class with the same name, section and academic year.

    NULL counts as a value here: MySQL's unique key lets ``("Grade 9", NULL, NULL)`` in
    twice, the school would not.
    """
    def same(column, value):
        return column.is_(None) if value is None else column == value

    statement = sa.select(SchoolClass).where(
        SchoolClass.name == name, same(SchoolClass.section, section),
        same(SchoolClass.academic_year, academic_year))
    if exclude_class_id is not None:
        statement = statement.where(SchoolClass.id != exclude_class_id)
    return session.scalars(statement.limit(1)).first()
