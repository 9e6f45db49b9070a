"""Request schemas of the question bank (``/api/questions``)."""

from __future__ import annotations

import colander

from ..domain import questions as rules
from ..models import Difficulty, QuestionType
from ..rest import PaginationQuery
from .common import optional, page_node

QUESTION_TYPES = [t.value for t in QuestionType]
DIFFICULTIES = [d.value for d in Difficulty]


class Options(colander.SequenceSchema):
    option = colander.SchemaNode(colander.String(),
                                 validator=colander.Length(max=rules.MAX_OPTION_LENGTH))


class AcceptedAnswers(colander.SequenceSchema):
    answer = colander.SchemaNode(colander.String(),
                                 validator=colander.Length(max=rules.MAX_ACCEPTED_LENGTH))


class IndexList(colander.SequenceSchema):
    index = colander.SchemaNode(colander.Integer(strict=True))


class NumericAnswer(colander.MappingSchema):
    value = colander.SchemaNode(colander.Float(), description="the accepted value")
    tolerance = colander.SchemaNode(colander.Float(), missing=0, validator=colander.Range(0),
                                    description="how far off an answer may be (default 0)")
    tolerance_type = colander.SchemaNode(
        colander.String(), missing="absolute",
        validator=colander.OneOf(list(rules.TOLERANCE_TYPES)),
        description="absolute (same unit as value) | relative (0.05 = 5 % of value)")
    credit = colander.SchemaNode(colander.Float(), missing=1, validator=colander.Range(0, 1),
                                 description="fraction of the marks earned, 0..1 (default 1)")


class NumericAnswers(colander.SequenceSchema):
    answer = NumericAnswer()


class Pair(colander.MappingSchema):
    left = colander.SchemaNode(colander.String(),
                               validator=colander.Length(max=rules.MAX_OPTION_LENGTH))
    right = colander.SchemaNode(colander.String(),
                                validator=colander.Length(max=rules.MAX_OPTION_LENGTH))


class Pairs(colander.SequenceSchema):
    pair = Pair()


class Items(colander.SequenceSchema):
    item = colander.SchemaNode(colander.String(),
                               validator=colander.Length(max=rules.MAX_OPTION_LENGTH))


class OptionFeedback(colander.SequenceSchema):
    feedback = colander.SchemaNode(colander.String(), missing=None,
                                   validator=colander.Length(max=rules.MAX_FEEDBACK_LENGTH))


class Tags(colander.SequenceSchema):
    tag = colander.SchemaNode(colander.String(),
                              validator=colander.Length(max=rules.MAX_TAG_LENGTH))


def _type_fields(schema: colander.MappingSchema) -> None:
    """The fields of the richer types (stored together in ``questions.details``)."""
    schema.add(IndexList(name="correct_answers", missing=colander.drop,
                         description="multiple_answer: 0-based indexes of the right options "
                                     "(at least one)"))
    schema.add(optional(colander.String(),
                        "multiple_answer: all_or_nothing (default) | partial | "
                        "partial_negative; ordering: all_or_nothing (default) | partial",
                        name="scoring",
                        validator=colander.OneOf(list(rules.MULTIPLE_ANSWER_SCORING))))
    schema.add(NumericAnswers(name="numeric_answers", missing=colander.drop,
                              description="numerical: accepted values, each with its "
                                          "tolerance and credit"))
    schema.add(optional(colander.Boolean(), "numerical: students type a decimal comma "
                        "(\"3,14\") instead of a point (default false)", name="decimal_comma"))
    schema.add(Pairs(name="pairs", missing=colander.drop,
                     description="matching: 2 to 20 {left, right} pairs"))
    schema.add(Items(name="items", missing=colander.drop,
                     description="ordering: 2 to 20 items in the correct order"))
    schema.add(optional(colander.Boolean(), "short_answer: compare case-sensitively "
                        "(default false)", name="case_sensitive"))
    _feedback_fields(schema)


def _feedback_fields(schema: colander.MappingSchema) -> None:
    """Feedback the review shows after submitting, and the bank's tags (editable even when
    the question is in use)."""
    schema.add(optional(colander.String(), "shown to students with the review of their "
                        "attempt (when the quiz's review settings show feedback)",
                        name="feedback",
                        validator=colander.Length(max=rules.MAX_FEEDBACK_LENGTH)))
    schema.add(OptionFeedback(name="option_feedback", missing=colander.drop,
                              description="mcq, multiple_answer: one feedback text (or null) "
                                          "per option, in the options' order"))
    schema.add(optional(colander.String(), "true_false: feedback for the answer true",
                        name="true_feedback",
                        validator=colander.Length(max=rules.MAX_FEEDBACK_LENGTH)))
    schema.add(optional(colander.String(), "true_false: feedback for the answer false",
                        name="false_feedback",
                        validator=colander.Length(max=rules.MAX_FEEDBACK_LENGTH)))
    schema.add(Tags(name="tags", missing=colander.drop,
                    description=f"up to {rules.MAX_TAGS} tags of the bank (not shown to "
                                "students)"))


def _question_fields(schema: colander.MappingSchema, required: bool) -> colander.MappingSchema:
    def maybe(node: colander.SchemaNode) -> colander.SchemaNode:
        if not required:
            node.missing = colander.drop
        return node

    schema.add(maybe(colander.SchemaNode(
        colander.String(), name="text", validator=colander.Length(max=rules.MAX_TEXT_LENGTH),
        description="the question as students read it")))
    schema.add(maybe(colander.SchemaNode(
        colander.String(), name="type", validator=colander.OneOf(QUESTION_TYPES),
        description=" | ".join(QUESTION_TYPES))))
    schema.add(maybe(colander.SchemaNode(
        colander.Integer(strict=True), name="marks",
        validator=colander.Range(rules.MIN_MARKS, rules.MAX_MARKS),
        description=f"marks the question is worth, 1..{rules.MAX_MARKS}")))
    schema.add(optional(colander.String(), "topic", name="topic",
                        validator=colander.Length(max=rules.MAX_TOPIC_LENGTH)))
    schema.add(optional(colander.String(), "easy | medium | hard", name="difficulty",
                        validator=colander.OneOf(DIFFICULTIES)))
    schema.add(Options(name="options", missing=colander.drop,
                       description="mcq: 2 to 10 option texts"))
    schema.add(optional(colander.Integer(strict=True),
                        "mcq: 0-based index of the right option; true_false: 0 (true) or "
                        "1 (false), or a boolean", name="correct_answer"))
    schema.add(AcceptedAnswers(name="accepted_answers", missing=colander.drop,
                               description="short_answer: the accepted answers"))
    schema.add(optional(colander.String(), "descriptive: a model answer for the marker",
                        name="sample_answer",
                        validator=colander.Length(max=rules.MAX_TEXT_LENGTH)))
    schema.add(optional(colander.String(), "descriptive: how to award marks",
                        name="marking_rubric",
                        validator=colander.Length(max=rules.MAX_TEXT_LENGTH)))
    _type_fields(schema)
    return schema


def question_create_schema() -> colander.MappingSchema:
    schema = _question_fields(colander.MappingSchema(), required=True)
    schema.add(optional(colander.String(), "admins only: the teacher whose bank gets the "
                        "question", name="teacher_id"))
    return schema


def question_update_schema() -> colander.MappingSchema:
    """Any subset of the fields; null clears an optional one."""
    return _question_fields(colander.MappingSchema(), required=False)


class QuestionListQuery(PaginationQuery):
    page = page_node()
    type = optional(colander.String(), " | ".join(QUESTION_TYPES),
                    validator=colander.OneOf(QUESTION_TYPES))
    topic = optional(colander.String(), "exact topic")
    difficulty = optional(colander.String(), "easy | medium | hard",
                          validator=colander.OneOf(DIFFICULTIES))
    search = optional(colander.String(), "words in the question text (case-insensitive)",
                      validator=colander.Length(max=200))


class QuestionListRequest(colander.MappingSchema):
    querystring = QuestionListQuery()
