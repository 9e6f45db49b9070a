"""Request schemas of quizzes (``/api/quizzes``)."""

from __future__ import annotations

import colander

from ..domain import access_codes, gates, overdue
from ..domain import quizzes as rules
from ..domain.questions import MAX_MARKS
from ..models import Difficulty, QuizStatus
from ..rest import PaginationQuery
from .common import IdList, NullableSequence, optional, page_node, strict_bool, timestamp

STATUSES = [s.value for s in QuizStatus]


class QuestionItem(colander.MappingSchema):
    """A question of the bank (``question_id``, or ``id`` holding its UUID), or a new
    question for the bank: the fields of ``POST /api/questions``, kept as sent and checked
    by :mod:`quizcore.domain.inline_questions`."""

    question_id = optional(colander.String(), "a question of the bank (the owner's)",
                           validator=colander.Length(max=36))
    id = optional(colander.String(), "alias of question_id when it is a UUID; any other "
                  "value (a client's placeholder) marks a new question",
                  validator=colander.Length(max=100))
    marks_override = optional(colander.Integer(strict=True),
                              "marks of this question in this quiz (else the question's own)",
                              validator=colander.Range(1, MAX_MARKS))

    def schema_type(self, **kw):
        return colander.Mapping(unknown="preserve")


class QuestionItems(colander.SequenceSchema):
    item = QuestionItem()


class SectionPool(colander.MappingSchema):
    topic = optional(colander.String(), "questions of this topic",
                     validator=colander.Length(max=100))
    difficulty = optional(colander.String(), "easy | medium | hard",
                          validator=colander.OneOf([d.value for d in Difficulty]))
    question_ids = IdList(missing=colander.drop,
                          description="only these questions (with the other criteria)")


class SectionItem(colander.MappingSchema):
    title = colander.SchemaNode(colander.String(), validator=colander.Length(1, 255))
    draw = colander.SchemaNode(colander.Integer(strict=True),
                               description="questions each attempt draws from the pool",
                               validator=colander.Range(1, rules.MAX_QUESTIONS))
    marks_each = colander.SchemaNode(colander.Integer(strict=True),
                                     description="marks of each drawn question",
                                     validator=colander.Range(1, MAX_MARKS))
    pool = SectionPool(description="the quiz owner's questions matching every criterion "
                                   "given (at least one)")


class SectionItems(colander.SequenceSchema):
    item = SectionItem()


class NetworkList(colander.SequenceSchema):
    network = colander.SchemaNode(colander.String(), validator=colander.Length(max=50),
                                  description="a network in CIDR notation, e.g. 10.1.2.0/24")

    def schema_type(self, **kw):
        return NullableSequence()


def _when(name: str) -> colander.SchemaNode:
    return optional(colander.String(), "immediately | after_close | never | an ISO 8601 "
                    "date (from then)", name=name, validator=colander.Length(max=40))


class ReviewTiming(colander.MappingSchema):
    """``{"answers": W, "marks": W, "correct_answers": W, "feedback": W}``
    (:mod:`quizcore.domain.review`)."""

    answers = _when("answers")
    marks = _when("marks")
    correct_answers = _when("correct_answers")
    feedback = _when("feedback")

    def schema_type(self, **kw):
        return colander.Mapping(unknown="raise")


def _quiz_fields(schema: colander.MappingSchema, required: bool) -> colander.MappingSchema:
    def maybe(node: colander.SchemaNode) -> colander.SchemaNode:
        if not required:
            node.missing = colander.drop
        return node

    schema.add(maybe(colander.SchemaNode(colander.String(), name="title",
                                         validator=colander.Length(max=255))))
    schema.add(maybe(colander.SchemaNode(colander.String(), name="subject",
                                         validator=colander.Length(max=100))))
    schema.add(optional(colander.String(), name="description",
                        validator=colander.Length(max=10_000)))
    schema.add(optional(colander.Integer(strict=True), "minutes allowed per attempt",
                        name="time_limit_minutes",
                        validator=colander.Range(1, rules.MAX_TIME_LIMIT_MINUTES)))
    schema.add(optional(colander.Integer(strict=True),
                        "alias of time_limit_minutes (older clients)", name="duration_minutes",
                        validator=colander.Range(1, rules.MAX_TIME_LIMIT_MINUTES)))
    schema.add(timestamp("attempts may start from (UTC)", name="start_date"))
    schema.add(timestamp("attempts may start until; attempts end by then (UTC)",
                         name="end_date"))
    schema.add(optional(colander.Integer(strict=True), name="passing_percentage",
                        validator=colander.Range(0, 100)))
    schema.add(optional(colander.Float(), "fraction (0..1, two decimals) of a question's "
                        "marks lost per wrong objective answer; 0 (default) turns it off",
                        name="negative_marking", validator=colander.Range(0, 1)))
    schema.add(optional(colander.Integer(strict=True), name="max_attempts",
                        validator=colander.Range(1, rules.MAX_ATTEMPTS)))
    for flag in ("show_answers_after_submission", "randomize_questions", "randomize_options",
                 "allow_review"):
        schema.add(optional(strict_bool(), name=flag))
    schema.add(optional(colander.String(), "when time runs out: autosubmit (default) | "
                        "graceperiod (the student may still submit, not answer, for "
                        "grace_period_minutes) | notcounted (not submitted by the deadline: "
                        "closed ungraded)", name="overdue_handling",
                        validator=colander.OneOf(list(overdue.MODES))))
    schema.add(optional(colander.Integer(strict=True), "minutes a student may still submit "
                        "after the deadline (overdue_handling graceperiod only)",
                        name="grace_period_minutes",
                        validator=colander.Range(1, overdue.MAX_GRACE_MINUTES)))
    schema.add(ReviewTiming(name="review", missing=colander.drop,
                            description="when a student sees each part of a submitted "
                                        "attempt; items not sent keep their value"))
    schema.add(optional(colander.String(), "how attempts begin: window (default; inside "
                        "start_date..end_date) | teacher_release (when the teacher releases "
                        "the quiz: POST /quizzes/{id}/release)", name="start_mode",
                        validator=colander.OneOf(list(gates.START_MODES))))
    schema.add(optional(colander.String(), "write-only: the password students give to "
                        "start (null or \"\" removes it); quiz objects show has_password",
                        name="password", validator=colander.Length(max=200)))
    schema.add(NetworkList(name="allowed_networks", missing=colander.drop,
                           validator=colander.Length(max=gates.MAX_NETWORKS),
                           description="client networks (CIDR) attempts may start from; "
                                       "null or [] allows any address"))
    schema.add(optional(colander.String(),
                        "letters and digits, 4-20; generated (unambiguous, no 0/O/1/I) "
                        "when absent", name="access_code",
                        validator=colander.Length(max=access_codes.MAX_LENGTH + 10)))
    schema.add(IdList(name="class_ids", missing=colander.drop,
                      description="classes the quiz is set for"))
    schema.add(IdList(name="question_ids", missing=colander.drop,
                      description="ordered question ids"))
    schema.add(QuestionItems(name="questions", missing=colander.drop,
                             description="ordered questions with optional marks_override "
                                         "(instead of question_ids): questions of the bank "
                                         "({question_id}), or new questions (the fields of "
                                         "POST /questions) added to the owner's bank in the "
                                         "same transaction",
                             validator=colander.Length(max=rules.MAX_QUESTIONS)))
    schema.add(optional(colander.String(), "published | archived: publish or archive the "
                        "quiz in the same request, with the rules of POST /quizzes/{id}/publish "
                        "and /archive (nothing is saved when they refuse); draft leaves the "
                        "status as it is (quizzes are created as drafts)", name="status",
                        validator=colander.OneOf(list(rules.STATUS_REQUESTS))))
    schema.add(SectionItems(name="sections", missing=colander.drop,
                            description="sections drawing questions from pools for each "
                                        "attempt (beside or instead of question_ids)",
                            validator=colander.Length(max=rules.MAX_SECTIONS)))
    return schema


def quiz_create_schema() -> colander.MappingSchema:
    schema = _quiz_fields(colander.MappingSchema(), required=True)
    schema.add(optional(colander.String(), "admins only: the teacher who owns the quiz",
                        name="teacher_id"))
    return schema


def quiz_update_schema() -> colander.MappingSchema:
    """Any subset of the fields; null clears an optional one."""
    return _quiz_fields(colander.MappingSchema(), required=False)


class QuizListQuery(PaginationQuery):
    page = page_node()
    status = optional(colander.String(), "draft | published | archived",
                      validator=colander.OneOf(STATUSES))
    teacher_id = optional(colander.String(), "quizzes of this teacher (admins)")
    class_id = optional(colander.String(), "quizzes set for this class")
    subject = optional(colander.String(), "exact subject")
    search = optional(colander.String(), "words in the title (case-insensitive)",
                      validator=colander.Length(max=200))


class QuizListRequest(colander.MappingSchema):
    querystring = QuizListQuery()
