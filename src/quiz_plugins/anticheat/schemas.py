"""Request schemas of the anti-cheat API."""

from __future__ import annotations

import colander

from quizcore.schemas.common import optional

from .policy import SEVERITIES, accepted_types_text, parse_type

#: question_index is informative; the bound keeps it inside the INT column.
MAX_QUESTION_INDEX = 10_000


def _type_validator(node, value):
    if parse_type(value) is None:
        raise colander.Invalid(node, "must be one of " + accepted_types_text() + ".")


def _lower(value):
    return value.strip().lower() if isinstance(value, str) else value


class ViolationBody(colander.MappingSchema):
    violation_type = colander.SchemaNode(
        colander.String(), validator=_type_validator,
        description="one of " + accepted_types_text())
    question_index = optional(colander.Integer(strict=True),
                              "the question on screen (0-based position)",
                              validator=colander.Range(0, MAX_QUESTION_INDEX))
    severity = optional(colander.String(), "low | medium | high (default: the type's, from "
                        "the settings)", preparer=_lower,
                        validator=colander.OneOf(SEVERITIES))
    metadata = optional(colander.Mapping(unknown="preserve"),
                        "a JSON object of details (size-limited)")


class AttemptPath(colander.MappingSchema):
    id = colander.SchemaNode(colander.String(), validator=colander.Length(max=36))


class ViolationRequest(colander.MappingSchema):
    path = AttemptPath()
    body = ViolationBody()


class QuizPath(colander.MappingSchema):
    id = colander.SchemaNode(colander.String(), validator=colander.Length(max=36),
                             description="the quiz's id")


class QuizViolationsRequest(colander.MappingSchema):
    path = QuizPath()
