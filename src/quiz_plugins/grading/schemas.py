"""Request schemas of the grading API (``/api/grading``)."""

from __future__ import annotations

from decimal import Decimal

import colander

from quizcore.domain.questions import MAX_MARKS, MAX_TEXT_LENGTH
from quizcore.rest import PaginationQuery
from quizcore.schemas.common import optional, page_node, strict_bool

from .scoring import manual_marks_problem

#: One request marks at most this many answers (a quiz has far fewer questions).
MAX_GRADES = 500


def _as_decimal(value):
    # JSON numbers arrive as floats; repr() is the shortest text that reads back as the same
    # float, i.e. what the client wrote (2.55 stays 2.55, not 2.5499999...).
    if isinstance(value, float):
        return Decimal(repr(value))
    return value


def _marks_validator(node, value):
    problem = manual_marks_problem(value, MAX_MARKS)
    if problem:
        raise colander.Invalid(node, problem)


class GradeItem(colander.MappingSchema):
    answer_id = colander.SchemaNode(colander.String(), validator=colander.Length(max=36),
                                    description="an answer of this attempt")
    # A Float node (cornice_swagger has no converter for colander.Decimal) turned into a
    # Decimal before validation; booleans are refused in the view.
    marks_awarded = colander.SchemaNode(
        colander.Float(), preparer=_as_decimal, validator=_marks_validator,
        description="0 up to the question's marks in the quiz, at most two decimals")
    feedback = optional(colander.String(allow_empty=True),
                        "shown to the student with their review; \"\" clears it, leaving it "
                        "out keeps the current feedback",
                        validator=colander.Length(max=MAX_TEXT_LENGTH))


class GradeItems(colander.SequenceSchema):
    grade = GradeItem()


class GradeBody(colander.MappingSchema):
    grades = GradeItems(validator=colander.Length(min=1, max=MAX_GRADES))


class AttemptPath(colander.MappingSchema):
    attempt_id = colander.SchemaNode(colander.String(), validator=colander.Length(max=36))


class GradeRequest(colander.MappingSchema):
    path = AttemptPath()
    body = GradeBody()


class AttemptRequest(colander.MappingSchema):
    path = AttemptPath()


class GradingListQuery(PaginationQuery):
    page = page_node()
    quiz_id = optional(colander.String(), "attempts at this quiz",
                       validator=colander.Length(max=36))
    class_id = optional(colander.String(), "attempts of students in this class",
                        validator=colander.Length(max=36))


class GradingListRequest(colander.MappingSchema):
    querystring = GradingListQuery()


class QuizPath(colander.MappingSchema):
    id = colander.SchemaNode(colander.String(), validator=colander.Length(max=36),
                             description="the quiz's id")


class RegradeQuery(colander.MappingSchema):
    dry_run = optional(strict_bool(), "true: report what would change, change nothing")


class RegradeBody(colander.MappingSchema):
    dry_run = optional(strict_bool(), "the same as the query parameter")


class RegradeRequest(colander.MappingSchema):
    path = QuizPath()
    querystring = RegradeQuery()
    body = RegradeBody()
