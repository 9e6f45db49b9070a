"""Query and path parameters of the analytics endpoints."""

from __future__ import annotations

import colander

from quizcore.domain.analytics import ATTEMPT_MODES, FIRST
from quizcore.schemas.types import format_field, lower_strip


def attempts_field() -> colander.SchemaNode:
    """``attempts``: which attempts the statistics count (``first`` or ``all``)."""
    return colander.SchemaNode(
        colander.String(), preparer=lower_strip, missing=FIRST,
        validator=colander.OneOf(ATTEMPT_MODES),
        description="first (default): each student's first ended attempt counts; all: "
                    "every ended attempt")


class TeacherPath(colander.MappingSchema):
    teacher_id = colander.SchemaNode(colander.String())


class StudentPath(colander.MappingSchema):
    student_id = colander.SchemaNode(colander.String())


class QuizPath(colander.MappingSchema):
    quiz_id = colander.SchemaNode(colander.String())


class TeacherRequest(colander.MappingSchema):
    path = TeacherPath()


class StudentRequest(colander.MappingSchema):
    path = StudentPath()


class QuizQuery(colander.MappingSchema):
    attempts = attempts_field()


class QuizRequest(colander.MappingSchema):
    path = QuizPath()
    querystring = QuizQuery()


class ExportQuery(colander.MappingSchema):
    format = format_field("pdf", "xlsx", "csv", description="pdf (default) | xlsx | csv "
                                                           "(the question statistics table)")
    attempts = attempts_field()


class ExportRequest(colander.MappingSchema):
    path = QuizPath()
    querystring = ExportQuery()


class ExportsPathQuery(colander.MappingSchema):
    """``/api/exports/analytics/{quiz_id}``, the exports path of the same download: PDF and
    XLSX only, as it has always offered."""

    format = format_field("pdf", "xlsx")
    attempts = attempts_field()


class ExportsPathRequest(colander.MappingSchema):
    path = QuizPath()
    querystring = ExportsPathQuery()
