"""Query and path parameters of the analytics endpoints."""

from __future__ import annotations

import colander

from quizcore.schemas.downloads import attempts_field, format_field


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
