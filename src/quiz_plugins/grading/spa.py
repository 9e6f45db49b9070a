"""The Quizmaster SPA's grading calls (``src/lib/api.ts``), served by this plugin since they
mark attempts: without it they answer 404, like ``/api/grading``.

* ``POST /api/grading/attempt/{attempt_id}`` ``{grades: [{question_id, marks_awarded,
  feedback}]}`` (``GradingInterface.tsx``): the SPA names each answer by its question.
  Each ``question_id`` becomes the attempt's answer to that question and the marks go
  through the same marking as ``POST /api/grading/attempts/{id}/grade`` (same limits,
  locks, totals and ``AttemptGraded`` event), whose answer it returns with ``attempt``
  (``id``, ``status``, ``score``, ``total_marks``, ``percentage``, ``passed``). The
  canonical ``answer_id`` is accepted too. A question the student left unanswered has
  nothing to mark: 400 naming ``grades.N.question_id``;
* ``POST /api/teacher/grade-answer`` ``{attempt_id, question_id, marks_awarded,
  feedback}``: the same for one answer, with ``answer`` (``id``, ``question_id``,
  ``marks_awarded``, ``feedback``);
* ``GET /api/teacher/grading/pending?page=&per_page=``: the ``/api/grading/pending`` page
  under the name the SPA's Flask backend used (``attempts``, with ``id`` beside
  ``attempt_id``), ``total``, ``pages``, ``current_page``.

``GET /api/grading/statistics`` is a canonical read (:mod:`.views`).
Who may mark what is the canonical rule: the quiz's teacher and admins; anyone else gets
the 404 of an unknown attempt (students: 403).
"""

from __future__ import annotations

import colander
import sqlalchemy as sa

from quizcore.domain import visibility
from quizcore.domain.errors import Invalid, NotFound
from quizcore.errors import bad_request
from quizcore.models import QuizAttempt, StudentAnswer
from quizcore.rest import Service, validator
from quizcore.schemas.common import optional

from . import marking
from .schemas import MAX_GRADES, AttemptPath, GradeItem, GradingListRequest
from .views import graded_answer, list_pending, refuse_boolean_marks

ID = colander.Length(max=36)

spa_grade_attempt = Service(
    name="grading_spa_grade_attempt", path="/api/grading/attempt/{attempt_id}",
    description="SPA compat: mark answers of an ended attempt, each named by its "
                "question_id (or answer_id).")
spa_grade_answer = Service(
    name="grading_spa_grade_answer", path="/api/teacher/grade-answer",
    description="SPA compat: mark one answer, named by attempt_id and question_id.")
spa_pending = Service(
    name="grading_spa_teacher_pending", path="/api/teacher/grading/pending",
    description="SPA compat: the attempts waiting for marks, as 'attempts'.")


def _marks_node() -> colander.SchemaNode:
    return GradeItem().get("marks_awarded").clone()


def _feedback_node() -> colander.SchemaNode:
    return GradeItem().get("feedback").clone()


class SpaGradeItem(colander.MappingSchema):
    question_id = optional(colander.String(), "the question answered (the SPA's key)",
                           validator=ID)
    answer_id = optional(colander.String(), "or the answer itself", validator=ID)
    marks_awarded = _marks_node()
    feedback = _feedback_node()


class SpaGradeItems(colander.SequenceSchema):
    grade = SpaGradeItem()


class SpaGradeBody(colander.MappingSchema):
    grades = SpaGradeItems(validator=colander.Length(min=1, max=MAX_GRADES))


class SpaGradeRequest(colander.MappingSchema):
    path = AttemptPath()
    body = SpaGradeBody()


class SpaGradeAnswerBody(colander.MappingSchema):
    attempt_id = colander.SchemaNode(colander.String(), validator=ID,
                                     description="an ended attempt")
    question_id = colander.SchemaNode(colander.String(), validator=ID,
                                      description="the question whose answer is marked")
    marks_awarded = _marks_node()
    feedback = _feedback_node()


class SpaGradeAnswerRequest(colander.MappingSchema):
    body = SpaGradeAnswerBody()


def _managed_attempt(request, attempt_id: str) -> QuizAttempt:
    """The attempt, when the user may mark it (the same 404 otherwise)."""
    attempt = request.dbsession.get(QuizAttempt, attempt_id)
    if attempt is None or not visibility.manages(request.user, attempt.quiz):
        raise NotFound("Attempt")
    return attempt


def _grades(request, attempt: QuizAttempt, items: list[dict],
            prefix: str | None = "grades") -> list[marking.Grade]:
    """The SPA's items as marks of the attempt's answers (``question_id`` -> its answer);
    refusals name ``<prefix>.<index>.question_id`` (``prefix`` None: ``question_id``)."""
    answer_of = dict(request.dbsession.execute(
        sa.select(StudentAnswer.question_id, StudentAnswer.id)
        .where(StudentAnswer.attempt_id == attempt.id)).all())
    grades = []
    for index, item in enumerate(items):
        field = f"{prefix}.{index}.question_id" if prefix else "question_id"
        answer_id = item.get("answer_id")
        if answer_id is None:
            if "question_id" not in item:
                raise Invalid("Name the answer by question_id (or answer_id).", field=field)
            answer_id = answer_of.get(item["question_id"])
            if answer_id is None:
                raise Invalid("The student gave no answer to this question in this "
                              "attempt: there is nothing to mark.", field=field)
        grades.append(marking.Grade(answer_id, item["marks_awarded"], item.get("feedback")))
    return grades


def _attempt_summary(attempt: QuizAttempt) -> dict:
    return {"id": attempt.id, "status": str(attempt.status), "score": attempt.score,
            "total_marks": attempt.total_marks, "percentage": attempt.percentage,
            "passed": attempt.passed}


@spa_grade_attempt.post(permission="teach", schema=SpaGradeRequest(), validators=(validator,),
                        content_type=("application/json",))
def grade_attempt_for_spa(request):
    """``POST /api/grading/attempts/{id}/grade``'s answer, plus ``attempt``."""
    refuse_boolean_marks(request.json_body["grades"])
    attempt = _managed_attempt(request, request.validated["path"]["attempt_id"])
    done = marking.grade_answers(request.dbsession, attempt.id,
                                 _grades(request, attempt, request.validated["body"]["grades"]),
                                 request.user)
    return {**graded_answer(done), "attempt": _attempt_summary(done.attempt)}


@spa_grade_answer.post(permission="teach", schema=SpaGradeAnswerRequest(),
                       validators=(validator,), content_type=("application/json",))
def grade_answer_for_spa(request):
    """One answer marked as ``POST /api/grading/attempts/{id}/grade`` marks it; its answer
    plus ``answer`` and ``attempt``."""
    if isinstance(request.json_body.get("marks_awarded"), bool):
        raise bad_request("marks_awarded must be a number.", name="marks_awarded")
    body = request.validated["body"]
    attempt = _managed_attempt(request, body["attempt_id"])
    (grade,) = _grades(request, attempt, [body], prefix=None)
    done = marking.grade_answers(request.dbsession, attempt.id, [grade], request.user)
    answer = request.dbsession.get(StudentAnswer, grade.answer_id)
    return {**graded_answer(done), "attempt": _attempt_summary(done.attempt),
            "answer": {"id": answer.id, "question_id": answer.question_id,
                       "marks_awarded": answer.marks_awarded, "feedback": answer.feedback}}


@spa_pending.get(permission="teach", schema=GradingListRequest(), validators=(validator,))
def pending_for_spa(request):
    """``GET /api/grading/pending``'s page as ``attempts`` (each with ``id``), ``total``,
    ``pages``, ``current_page``."""
    page = list_pending(request)
    return {"attempts": [{**item, "id": item["attempt_id"]} for item in page["items"]],
            "total": page["total"], "pages": page["pages"],
            "current_page": page["current_page"]}


SPA_SERVICES = (spa_grade_attempt, spa_grade_answer, spa_pending)
