"""Request schemas of attempts (``/api/attempts``)."""

from __future__ import annotations

import colander

from ..domain.attempts import MAX_CLIENT_SEQ, MAX_IDEMPOTENCY_KEY_LENGTH
from ..domain.questions import MAX_OPTIONS, MAX_TEXT_LENGTH
from ..models import AttemptStatus
from ..rest import PaginationQuery
from .common import optional, page_node

STATUSES = [s.value for s in AttemptStatus]


class OptionOrText(colander.SchemaType):
    """An option index (a whole number or, for true/false, a boolean) or a text: the
    ``answer`` alias older clients send. The service reads which one it was."""

    def serialize(self, node, appstruct):
        return colander.null if appstruct is None else appstruct

    def deserialize(self, node, cstruct):
        if cstruct is colander.null or cstruct is None:
            return colander.null
        if isinstance(cstruct, str | int) or (isinstance(cstruct, float) and
                                               cstruct.is_integer()):
            return cstruct
        raise colander.Invalid(node, "must be an option index or a text")


class ShownIndexes(colander.SequenceSchema):
    index = colander.SchemaNode(colander.Integer(strict=True))


class AnswerBody(colander.MappingSchema):
    question_id = colander.SchemaNode(colander.String(), validator=colander.Length(max=36))
    answer_option = optional(
        colander.Integer(strict=True),
        "choice questions: index of the chosen option as shown to the student "
        "(true_false: 0 true, 1 false; a boolean is accepted)",
        validator=colander.Range(0, MAX_OPTIONS - 1))
    answer_text = optional(colander.String(allow_empty=True),
                           "short_answer / descriptive: the text (may be empty); "
                           "numerical: the number as typed",
                           validator=colander.Length(max=MAX_TEXT_LENGTH))
    answer_options = ShownIndexes(
        missing=colander.drop,
        description="multiple_answer: indexes of the chosen options as shown to the student")
    answer_number = optional(colander.Float(),
                             "numerical: the number (instead of answer_text, the number as "
                             "typed)")
    answer_matches = optional(
        colander.Mapping(unknown="preserve"),
        "matching: {left index: choice index}, choice indexes into the choices as shown")
    answer_order = ShownIndexes(
        missing=colander.drop,
        description="ordering: every shown item index once, in the order the student put "
                    "them")
    answer = optional(OptionOrText(),
                      "alias for older clients: an option index (or a boolean for "
                      "true/false) for choice questions, the text otherwise")
    client_seq = optional(
        colander.Integer(strict=True),
        "increasing number of this save in the client; a save with a lower number than the "
        "stored one is acknowledged but changes nothing",
        validator=colander.Range(0, MAX_CLIENT_SEQ))


class AnswerHeaders(colander.MappingSchema):
    idempotency_key = optional(
        colander.String(),
        "a retry of a request with the same key is acknowledged with the first result",
        name="Idempotency-Key", validator=colander.Length(max=MAX_IDEMPOTENCY_KEY_LENGTH))


class AnswerRequest(colander.MappingSchema):
    body = AnswerBody()
    header = AnswerHeaders()


class AttemptListQuery(PaginationQuery):
    page = page_node()
    quiz_id = optional(colander.String(), "attempts at this quiz")
    status = optional(colander.String(), " | ".join(STATUSES),
                      validator=colander.OneOf(STATUSES))
    student_id = optional(colander.String(), "teachers/admins: attempts of this student")


class AttemptListRequest(colander.MappingSchema):
    querystring = AttemptListQuery()
