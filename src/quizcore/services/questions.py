"""The question bank: ``/api/questions`` (teachers and admins).

A teacher sees and changes only their own questions; an admin sees all. Questions of other
teachers answer 404.
"""

from __future__ import annotations

import sqlalchemy as sa

from ..domain import questions as rules
from ..domain.quiz_payload import invalidate_after_commit
from ..events import EntityChanged
from ..models import Difficulty, Question, QuestionType
from ..rest import body_validator, emit_for, iso, page_params, paginate, validator
from ..schemas.questions import (
    QuestionListRequest,
    question_create_schema,
    question_update_schema,
)
from ..schemas.types import ids_only
from ._assessment import (
    JSON,
    is_admin,
    jsonable,
    nulls_sent,
    owned_or_404,
    owner_for_new,
    raw_body,
    service,
)

EDIT_POLICY = (
    "Once students have seen a question (it has answers in some attempt, it belongs to a "
    "quiz that has attempts, or an attempt drew it), a change to what they saw (text, type, "
    "options, marks, pairs, items) makes a new version: `version` counts up, ended attempts "
    "keep the version they answered (review, grading, regrade, exports) and new attempts get "
    "the new one. While an attempt using it is in progress the change is refused with 409 "
    "(reason question_being_answered). Answer-key corrections (correct_answer, "
    "accepted_answers, sample_answer, marking_rubric) and topic/difficulty change the current "
    "version in place, so a wrong key can be fixed and the attempts regraded."
)

questions = service(name="questions", path="/api/questions",
                    description="The question bank of the signed-in teacher (admins: all). "
                                + EDIT_POLICY)
QUESTION_PATH = "/api/questions/{id}"
# Only UUIDs match, so paths that plugins add beside it (/api/questions/bulk-import) are not
# swallowed by this route, which the core registers first.
question = service(name="question", path=QUESTION_PATH, path_info=ids_only(QUESTION_PATH),
                   description="One question of the bank. " + EDIT_POLICY)

#: Optional fields a partial update may clear with null.
CLEARABLE = ("topic", "difficulty", "sample_answer", "marking_rubric", "correct_answer",
             "options", "accepted_answers", "correct_answers", "scoring", "numeric_answers",
             "decimal_comma", "pairs", "items", "case_sensitive") + rules.DETAIL_FEEDBACK_FIELDS


def serialize_question(item: Question, in_use: bool | None = None) -> dict:
    options = item.options
    if item.type == QuestionType.TRUE_FALSE:
        options = list(rules.TRUE_FALSE_OPTIONS)
    data = {
        "id": item.id, "text": item.text, "type": str(item.type), "topic": item.topic,
        "difficulty": item.difficulty.value if item.difficulty else None,
        "marks": item.marks, "options": options, "correct_answer": item.correct_answer,
        "accepted_answers": item.accepted_answers, "sample_answer": item.sample_answer,
        "marking_rubric": item.marking_rubric, **type_details(item),
        "created_by": item.created_by, "version": item.version or 1,
        "created_at": iso(item.created_at), "updated_at": iso(item.updated_at),
    }
    if in_use is not None:
        data["in_use"] = in_use
    return data


def type_details(item: Question) -> dict:
    """The fields of the question's type kept in ``details`` (only those of its type)."""
    details = item.details or {}
    return {field: details[field] for field in rules.DETAIL_FIELDS if field in details}


def _visible_question(request) -> Question:
    return owned_or_404(request, Question, "Question")


def _with_raw_booleans(request, values: dict) -> dict:
    # colander reads JSON true as 1; for a true/false question true is option 0.
    correct = raw_body(request).get("correct_answer")
    if isinstance(correct, bool):
        values["correct_answer"] = correct
    return values


@questions.get(permission="teach", schema=QuestionListRequest(), validators=(validator,))
def list_questions(request):
    """Questions of the bank, newest first; filters ``type``, ``topic``, ``difficulty``,
    ``search`` (in the text)."""
    query = request.validated["querystring"]
    statement = sa.select(Question)
    if not is_admin(request.user):
        statement = statement.where(Question.created_by == request.user.id)
    if "type" in query:
        statement = statement.where(Question.type == QuestionType(query["type"]))
    if "topic" in query:
        statement = statement.where(Question.topic == query["topic"])
    if "difficulty" in query:
        statement = statement.where(Question.difficulty == Difficulty(query["difficulty"]))
    if "search" in query:
        statement = statement.where(Question.text.icontains(query["search"], autoescape=True))
    statement = statement.order_by(Question.created_at.desc(), Question.id)
    page, limit = page_params(request.validated)
    return paginate(request.dbsession, statement, page, limit, serialize_question)


@questions.post(permission="teach", schema=question_create_schema(),
                validators=(body_validator,), content_type=JSON)
def create_question(request):
    """Add a question to the bank (201). Admins name the owner with ``teacher_id``."""
    values = _with_raw_booleans(request, dict(request.validated))
    owner_id = owner_for_new(request, values.pop("teacher_id", None))
    cleaned = rules.clean_question(values)
    item = Question(created_by=owner_id, **rules.question_row_values(cleaned))
    request.dbsession.add(item)
    request.dbsession.flush()
    emit_for(request, EntityChanged(action="create", entity_type="question", entity_id=item.id,
                                    new=jsonable(cleaned)))
    request.response.status_code = 201
    return serialize_question(item, in_use=False)


@question.get(permission="teach")
def get_question(request):
    """One question with its answer key; ``in_use`` tells whether students have seen it."""
    item = _visible_question(request)
    return serialize_question(item, in_use=rules.question_in_use(request.dbsession, item.id))


@question.put(permission="teach", schema=question_update_schema(),
              validators=(body_validator,), content_type=JSON)
def update_question(request):
    item = _visible_question(request)
    changes = _with_raw_booleans(request, dict(request.validated))
    changes.update(nulls_sent(request, CLEARABLE))
    old, new = rules.apply_question_changes(request.dbsession, item, changes)
    if new:
        request.dbsession.flush()
        emit_for(request, EntityChanged(action="update", entity_type="question",
                                        entity_id=item.id, old=jsonable(old), new=jsonable(new)))
        invalidate_after_commit(request.dbsession, [q.id for q in rules.quizzes_using(
            request.dbsession, item.id)])
    return serialize_question(item, in_use=rules.question_in_use(request.dbsession, item.id))


update_question.__doc__ = ("Change any subset of the fields (null clears an optional one). "
                           + EDIT_POLICY)


@question.delete(permission="teach")
def delete_question(request):
    """Delete a question that no quiz uses (409 otherwise)."""
    item = _visible_question(request)
    rules.check_deletable(request.dbsession, item)
    old = jsonable(rules.question_values(item))
    request.dbsession.delete(item)
    request.dbsession.flush()
    emit_for(request, EntityChanged(action="delete", entity_type="question", entity_id=item.id,
                                    old=old))
    return {"message": "Question deleted."}


def includeme(config):
    config.add_cornice_service(questions)
    config.add_cornice_service(question)
    config.add_operation_statuses(questions, "POST", success=(201,))
    # the edit policy: a question answered in attempts is not changed under them
    config.add_operation_statuses(question, "PUT", statuses=(409,))
    config.add_operation_statuses(question, "DELETE", statuses=(409,))
