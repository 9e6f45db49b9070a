"""Query and path parameters of the analytics endpoints."""

from __future__ import annotations

import colander

from quizcore.domain.analytics import ATTEMPT_MODES, FIRST
from quizcore.schemas.types import lower_strip


def _attempts() -> colander.SchemaNode:
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
    attempts = _attempts()


class QuizRequest(colander.MappingSchema):
    path = QuizPath()
    querystring = QuizQuery()


class ExportQuery(colander.MappingSchema):
    format = colander.SchemaNode(colander.String(), preparer=lower_strip, missing="pdf",
                                 validator=colander.OneOf(("csv", "xlsx", "pdf")),
                                 description="pdf (default) | xlsx | csv (the question "
                                             "statistics table)")
    attempts = _attempts()


class ExportRequest(colander.MappingSchema):
    path = QuizPath()
    querystring = ExportQuery()
