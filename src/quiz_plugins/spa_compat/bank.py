"""The SPA's question bank and quiz builder (``QuestionBank.tsx``, ``QuizBuilder.tsx``), and
the teacher's view of one quiz (``QuizBuilder``, ``QuizAnalytics``, ``QuizMonitor``,
``TeacherQuizzes``).

Every route calls the canonical API for the signed-in teacher (``/api/questions``,
``/api/quizzes/{id}``), so whose questions and quizzes these are, every rule and every
refusal is the canonical API's. Translations:

* a question as the pages read it: the canonical question with ``correctAnswer``
  (= ``correct_answer``), ``modelAnswer`` (= ``sample_answer``) and ``topic`` as text (``""``
  for a question without one: the bank page lower-cases every topic to filter);
* a question as the pages send it: ``correctAnswer`` and ``modelAnswer`` are read as the
  canonical names, as ``POST /api/quizzes`` reads them
  (:func:`quizcore.domain.inline_questions.with_aliases`);
* lists answer ``questions``, ``total``, ``pages``, ``current_page``;
* one quiz answers the quiz at the top level (``QuizAnalytics`` and ``QuizMonitor`` read it
  there) and again under ``quiz`` (``QuizBuilder`` reads it there), with ``class_ids``,
  ``total_questions``, ``time_limit``, and ``start_date`` / ``end_date`` in UTC without the
  ``Z`` (``YYYY-MM-DDTHH:MM:SS``, what the builder's ``datetime-local`` inputs show; the
  builder sends them back unchanged and the canonical API reads a time without an offset as
  UTC). ``questions`` only with ``include_questions=true``;
* ``POST /api/quizzes/{id}/questions`` appends one question (``{question_id}`` of the bank, or
  a new question's fields) through ``PUT /api/quizzes/{id}`` with the quiz's question list
  plus that one: a new question joins the quiz owner's bank in the same transaction. Two
  additions sent at the same instant may cross (the later list wins), as two teachers saving
  the same quiz in the canonical API.

The quiz builder's own save (``POST /api/quizzes/``, ``PUT /api/quizzes/{id}`` with its
questions inline and ``status``) is the canonical route's: see
:mod:`quizcore.domain.inline_questions` and :func:`quizcore.domain.quizzes.move_to_status`.
"""

from __future__ import annotations

from urllib.parse import quote

import colander

from quizcore.domain.inline_questions import with_aliases
from quizcore.rest import PaginationQuery, Service, page_params, validator
from quizcore.schemas.types import flag_field, ids_only

from .core import TAGS, core_get, core_post, core_send, json_object, refused_as_is

BANK_ITEM_PATH = "/api/quizzes/questions/{id}"
QUIZ_QUESTIONS_PATH = "/api/quizzes/{id}/questions"
TEACHER_QUIZ_PATH = "/api/teacher/quizzes/{id}"
ACCESS_CODE_PATH = "/api/teacher/quizzes/{id}/access-code"

question_bank = Service(name="spa_question_bank", path="/api/quizzes/questions",
                        description="SPA: the teacher's question bank, a page at a time; add "
                                    "a question.")
question_bank_item = Service(name="spa_question_bank_item", path=BANK_ITEM_PATH,
                             path_info=ids_only(BANK_ITEM_PATH),
                             description="SPA: change or delete a question of the bank.")
quiz_questions = Service(name="spa_quiz_add_question", path=QUIZ_QUESTIONS_PATH,
                         path_info=ids_only(QUIZ_QUESTIONS_PATH),
                         description="SPA: add a question (of the bank, or a new one) to a "
                                     "quiz.")
teacher_quiz = Service(name="spa_teacher_quiz", path=TEACHER_QUIZ_PATH,
                       path_info=ids_only(TEACHER_QUIZ_PATH),
                       description="SPA: one of the teacher's quizzes.")
teacher_quiz_access_code = Service(name="spa_teacher_quiz_access_code", path=ACCESS_CODE_PATH,
                                   path_info=ids_only(ACCESS_CODE_PATH),
                                   description="SPA: give the quiz a new access code.")


class BankQuery(PaginationQuery):
    type = colander.SchemaNode(colander.String(), missing=colander.drop,
                               description="a question type (as GET /api/questions)")
    topic = colander.SchemaNode(colander.String(), missing=colander.drop,
                                description="exact topic")
    difficulty = colander.SchemaNode(colander.String(), missing=colander.drop,
                                     description="easy | medium | hard")
    search = colander.SchemaNode(colander.String(), missing=colander.drop,
                                 description="words in the question text")


class BankRequest(colander.MappingSchema):
    querystring = BankQuery()


class TeacherQuizQuery(colander.MappingSchema):
    include_questions = flag_field(missing=False, description="true: with the questions "
                                                              "and their keys")


class TeacherQuizRequest(colander.MappingSchema):
    querystring = TeacherQuizQuery()


def spa_question(question: dict) -> dict:
    """A canonical question with the names the bank and the builder read."""
    return {**question, "correctAnswer": question.get("correct_answer"),
            "modelAnswer": question.get("sample_answer"), "topic": question.get("topic") or ""}


def _naive_utc(value: str | None) -> str | None:
    return value.removesuffix("Z") if value else value


def spa_quiz(quiz: dict, *, questions: bool) -> dict:
    """A canonical staff quiz as the teacher's pages read it (see the module docstring)."""
    data = {**quiz, "class_ids": [item["id"] for item in quiz.get("classes") or []],
            "total_questions": quiz.get("question_count"),
            "time_limit": quiz.get("time_limit_minutes"),
            "start_date": _naive_utc(quiz.get("start_date")),
            "end_date": _naive_utc(quiz.get("end_date"))}
    if questions:
        data["questions"] = [spa_question(item) for item in quiz.get("questions") or []]
    else:
        data.pop("questions", None)
    return data


def _path(template: str, request) -> str:
    return template.replace("{id}", quote(request.matchdict["id"], safe=""))


@question_bank.get(permission="teach", schema=BankRequest(), validators=(validator,),
                   tags=TAGS)
@refused_as_is
def list_bank(request):
    """``questions`` (``GET /api/questions``'s page, filters ``type``, ``topic``,
    ``difficulty``, ``search``), ``total``, ``pages``, ``current_page``."""
    query = request.validated["querystring"]
    page, per_page = page_params(query)
    filters = {key: query[key] for key in ("type", "topic", "difficulty", "search")
               if key in query}
    body = core_get(request, "/api/questions", page=page, per_page=per_page, **filters)
    return {"questions": [spa_question(item) for item in body["items"]],
            "total": body["total"], "pages": body["pages"], "current_page": page}


@question_bank.post(permission="teach", tags=TAGS)
@refused_as_is
def create_bank_question(request):
    """``POST /api/questions`` with the page's body (201); answers ``question`` and
    ``message``."""
    question = core_post(request, "/api/questions", with_aliases(json_object(request)))
    return {"question": spa_question(question), "message": "Question added to the bank."}


@question_bank_item.put(permission="teach", tags=TAGS)
@refused_as_is
def update_bank_question(request):
    """``PUT /api/questions/{id}`` with the page's body (its edit policy: a question students
    have seen gets a new version); answers ``question`` and ``message``."""
    question = core_send(request, "PUT", _path("/api/questions/{id}", request),
                         with_aliases(json_object(request)))
    return {"question": spa_question(question), "message": "Question updated."}


@question_bank_item.delete(permission="teach", tags=TAGS)
@refused_as_is
def delete_bank_question(request):
    """``DELETE /api/questions/{id}`` (409 while a quiz uses it)."""
    return core_send(request, "DELETE", _path("/api/questions/{id}", request))


@quiz_questions.post(permission="teach", tags=TAGS)
@refused_as_is
def add_question_to_quiz(request):
    """Append ``{question_id[, marks_override]}`` of the bank, or a new question's fields,
    to the quiz's questions: ``PUT /api/quizzes/{id}`` with the list it has plus this one
    (refused as there: a quiz students have started keeps its questions, 409). 201 with
    ``question`` (as the quiz now holds it) and ``message``."""
    path = _path("/api/quizzes/{id}", request)
    quiz = core_get(request, path)
    items = [{"question_id": item["id"], **({"marks_override": item["marks_override"]}
                                           if item.get("marks_override") is not None else {})}
             for item in quiz.get("questions") or []]
    updated = core_send(request, "PUT", path, {"questions": [*items, json_object(request)]})
    request.response.status_code = 201
    return {"question": spa_question(updated["questions"][-1]),
            "message": "Question added to the quiz."}


@teacher_quiz.get(permission="teach", schema=TeacherQuizRequest(), validators=(validator,),
                  tags=TAGS)
@refused_as_is
def get_teacher_quiz(request):
    """``GET /api/quizzes/{id}`` (the teacher's own; 404 otherwise) at the top level and
    under ``quiz``, with ``class_ids``, ``total_questions``, ``time_limit``, dates without
    ``Z``, and ``questions`` (with ``correctAnswer``, ``modelAnswer``) when
    ``include_questions=true``."""
    quiz = core_get(request, _path("/api/quizzes/{id}", request))
    data = spa_quiz(quiz, questions=request.validated["querystring"]["include_questions"])
    return {**data, "quiz": data}


@teacher_quiz_access_code.post(permission="teach", tags=TAGS)
@refused_as_is
def renew_access_code(request):
    """``POST /api/quizzes/{id}/access-code``: ``access_code`` (the new one) and
    ``message``."""
    return core_post(request, _path("/api/quizzes/{id}/access-code", request))


def includeme(config):
    """Register this module's compat services."""
    for service in (question_bank, question_bank_item, quiz_questions, teacher_quiz,
                    teacher_quiz_access_code):
        config.add_cornice_service(service)
