"""Query and path parameters of the export endpoints."""

from __future__ import annotations

import colander

from quizcore.schemas.types import format_field, uuid_field


class StudentsQuery(colander.MappingSchema):
    class_id = uuid_field(missing=colander.drop, description="only this class")
    format = format_field("csv", "xlsx")


class StudentsExportRequest(colander.MappingSchema):
    querystring = StudentsQuery()


class QuizPath(colander.MappingSchema):
    quiz_id = colander.SchemaNode(colander.String())


class ResultsQuery(colander.MappingSchema):
    format = format_field("csv", "xlsx", "pdf")


class ResultsExportRequest(colander.MappingSchema):
    path = QuizPath()
    querystring = ResultsQuery()


class AttemptPath(colander.MappingSchema):
    attempt_id = colander.SchemaNode(colander.String())


class AttemptPdfRequest(colander.MappingSchema):
    path = AttemptPath()
