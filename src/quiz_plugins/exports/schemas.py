"""Query and path parameters of the export endpoints."""

from __future__ import annotations

import colander

from quizcore.domain.analytics import ATTEMPT_MODES, FIRST
from quizcore.schemas.types import lower_strip, uuid_field


def format_field(*choices: str) -> colander.SchemaNode:
    """``format``: one of ``choices`` (case-insensitive); the first is the default."""
    return colander.SchemaNode(colander.String(), preparer=lower_strip, missing=choices[0],
                               validator=colander.OneOf(choices),
                               description=f"{' | '.join(choices)} (default {choices[0]})")


def attempts_field() -> colander.SchemaNode:
    return colander.SchemaNode(
        colander.String(), preparer=lower_strip, missing=FIRST,
        validator=colander.OneOf(ATTEMPT_MODES),
        description="first (default): each student's first ended attempt; all: every ended "
                    "attempt")


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


class AnalyticsQuery(colander.MappingSchema):
    format = format_field("pdf", "xlsx")
    attempts = attempts_field()


class AnalyticsExportRequest(colander.MappingSchema):
    path = QuizPath()
    querystring = AnalyticsQuery()
