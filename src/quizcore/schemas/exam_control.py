"""Request bodies of exam control: overrides, extensions, teacher actions."""

from __future__ import annotations

import colander

from ..domain import exam_control, overrides
from ..domain.quizzes import MAX_ATTEMPTS, MAX_TIME_LIMIT_MINUTES
from .common import optional, timestamp

MULTIPLIER_RANGE = colander.Range(float(overrides.MIN_MULTIPLIER),
                                  float(overrides.MAX_MULTIPLIER))


def _override_values(schema: colander.MappingSchema) -> colander.MappingSchema:
    schema.add(optional(colander.Integer(strict=True),
                        "own time limit in minutes (not with time_multiplier)",
                        name="time_limit_minutes",
                        validator=colander.Range(1, MAX_TIME_LIMIT_MINUTES)))
    schema.add(optional(colander.Float(), "multiplier of the quiz's time limit (not with "
                        "time_limit_minutes)", name="time_multiplier",
                        validator=MULTIPLIER_RANGE))
    schema.add(optional(colander.Integer(strict=True), "attempts beyond the quiz's "
                        "max_attempts", name="extra_attempts",
                        validator=colander.Range(0, MAX_ATTEMPTS)))
    schema.add(timestamp("own window: attempts may start from (UTC)", name="start_date"))
    schema.add(timestamp("own window: attempts may start until, and end by (UTC)",
                         name="end_date"))
    return schema


def override_create_schema() -> colander.MappingSchema:
    schema = colander.MappingSchema()
    schema.add(optional(colander.String(), "the student (or class_id)", name="student_id",
                        validator=colander.Length(max=36)))
    schema.add(optional(colander.String(), "the class (or student_id)", name="class_id",
                        validator=colander.Length(max=36)))
    return _override_values(schema)


def override_update_schema() -> colander.MappingSchema:
    """Any of the values; null clears one."""
    return override_create_schema()


class ExtendAttemptBody(colander.MappingSchema):
    minutes = optional(colander.Integer(strict=True), "minutes added to the deadline (or to "
                       "now, when it has passed)",
                       validator=colander.Range(1, MAX_TIME_LIMIT_MINUTES))
    deadline_at = timestamp("the new deadline (later than now and than the current one)")


class ExtendQuizBody(colander.MappingSchema):
    minutes = colander.SchemaNode(colander.Integer(strict=True),
                                  description="minutes added to every attempt in progress",
                                  validator=colander.Range(1, MAX_TIME_LIMIT_MINUTES))


class ForceSubmitBody(colander.MappingSchema):
    reason = colander.SchemaNode(colander.String(), description="why (recorded, told to the "
                                 "student)",
                                 validator=colander.Length(
                                     min=1, max=exam_control.MAX_REASON_LENGTH))


class GrantAttemptsBody(colander.MappingSchema):
    additional_attempts = colander.SchemaNode(
        colander.Integer(strict=True), description="how many more attempts each student gets",
        validator=colander.Range(1, MAX_ATTEMPTS))
    reason = colander.SchemaNode(colander.String(), description="why (recorded in the audit "
                                 "trail)",
                                 validator=colander.Length(
                                     min=1, max=exam_control.MAX_REASON_LENGTH))
    student_id = optional(colander.String(), "one student of the quiz's classes (without it: "
                          "every student of the quiz's classes)",
                          validator=colander.Length(max=36))
