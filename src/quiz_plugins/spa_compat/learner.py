"""The student's screens of the SPA: dashboard, available quizzes, results.

Each answer is assembled from the canonical API's own answers for the signed-in student
(``GET /api/quizzes``: the quizzes open to them with their effective limits and attempts;
``GET /api/attempts``: their attempts; ``GET /api/auth/me``: their profile), in the field
names the SPA's pages read (``StudentDashboard.tsx``, ``StudentQuizzes.tsx``,
``StudentResults.tsx``). Nothing here decides what a student may see.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

import colander

from quizcore.domain import timing
from quizcore.domain.errors import Forbidden, Invalid, NotFound
from quizcore.models import Role, utcnow
from quizcore.rest import NO_PERMISSION_REQUIRED, PaginationQuery, Service, page_params, validator

from .core import (
    TAGS,
    core_get,
    core_items,
    core_post,
    instant,
    refused_as_is,
    students_only,
)

ENDED = ("submitted", "graded", "force_submitted")

student_dashboard = Service(name="spa_student_dashboard", path="/api/student/dashboard",
                            description="SPA: the student's dashboard.")
student_quizzes = Service(name="spa_student_quizzes", path="/api/student/quizzes",
                          description="SPA: the quizzes open to the student.")
student_start = Service(name="spa_student_start", path="/api/student/quiz/{id}/start",
                        description="SPA: start (or resume) the student's attempt at a quiz.")
student_answer = Service(name="spa_student_answer", path="/api/student/attempt/{id}/answer",
                         description="SPA: save one answer of the student's attempt.")
student_submit = Service(name="spa_student_submit", path="/api/student/attempt/{id}/submit",
                         description="SPA: submit the student's attempt.")
student_attempts = Service(name="spa_student_attempts", path="/api/attempts/student/{id}",
                           description="SPA: a student's attempts with their answers.")
register = Service(name="spa_auth_register", path="/api/auth/register",
                   description="SPA: self-registration, which a school does not offer.")
student_results = Service(name="spa_student_results", path="/api/student/results",
                          description="SPA: the student's ended attempts, newest first.")


class ResultsRequest(colander.MappingSchema):
    querystring = PaginationQuery()


def availability(quiz: dict, now: dt.datetime) -> str:
    """``upcoming``, ``open`` or ``closed``: the student's own window (their effective
    dates) at ``now``. Starting still decides (a quiz waiting for its teacher's release is
    ``open`` here and its start answers ``waiting_for_release``)."""
    return timing.window_state(instant(quiz["effective_start_date"]),
                               instant(quiz["effective_end_date"]), now)


def quiz_card(quiz: dict, attempts: list[dict], now: dt.datetime) -> dict:
    """A canonical student quiz in the SPA's names, with the student's latest attempt and
    where ``now`` lies in its window (``availability_status``, ``is_available_now``), which
    ``StudentQuizzes.tsx`` reads to enable its start button."""
    own = [a for a in attempts if a["quiz"]["id"] == quiz["id"]]
    state = availability(quiz, now)
    return {**quiz, "remaining_attempts": quiz["attempts_remaining"],
            "availability_status": state, "is_available_now": state == timing.OPEN,
            "can_attempt": quiz["attempts_remaining"] > 0
            or quiz["in_progress_attempt_id"] is not None,
            "total_questions": quiz["question_count"], "max_score": quiz["total_marks"],
            "available_from": quiz["effective_start_date"],
            "available_until": quiz["effective_end_date"],
            "latest_attempt": attempt_card(own[0]) if own else None}


def attempt_card(attempt: dict) -> dict:
    """A canonical attempt in the SPA's names (``quiz_id`` beside ``quiz``)."""
    return {**attempt, "quiz_id": attempt["quiz"]["id"]}


def score_percent(attempt: dict) -> float | None:
    if attempt.get("percentage") is not None:
        return float(attempt["percentage"])
    return None


@student_dashboard.get(permission="study", tags=TAGS)
@students_only
@refused_as_is
def get_student_dashboard(request):
    """``student``, ``class``, ``available_quizzes`` (with ``remaining_attempts``),
    ``recent_attempts`` (the last 10) and ``stats`` (attempts, completed, available, average
    and best percentage)."""
    me = core_get(request, "/api/auth/me")
    attempts = core_items(request, "/api/attempts")
    now = utcnow()
    quizzes = [quiz_card(quiz, attempts, now) for quiz in core_items(request, "/api/quizzes")]
    available = [quiz for quiz in quizzes if quiz["can_attempt"]]
    scores = [s for s in (score_percent(a) for a in attempts if a["status"] in ENDED)
              if s is not None]
    return {
        "student": me["user"],
        "class": me.get("class"),
        "available_quizzes": available,
        "recent_attempts": [attempt_card(a) for a in attempts[:10]],
        "stats": {"total_attempts": len(attempts),
                  "completed_attempts": sum(1 for a in attempts if a["status"] in ENDED),
                  "available_quizzes": len(available),
                  "avg_score": round(sum(scores) / len(scores)) if scores else 0,
                  "best_score": round(max(scores)) if scores else 0},
    }


@student_quizzes.get(permission="study", tags=TAGS)
@students_only
@refused_as_is
def get_student_quizzes(request):
    """``quizzes``: every quiz open to the student, with ``remaining_attempts``,
    ``can_attempt`` and ``latest_attempt``."""
    attempts = core_items(request, "/api/attempts")
    now = utcnow()
    return {"quizzes": [quiz_card(quiz, attempts, now)
                        for quiz in core_items(request, "/api/quizzes")]}


@student_results.get(permission="study", schema=ResultsRequest(), validators=(validator,),
                     tags=TAGS)
@students_only
@refused_as_is
def get_student_results(request):
    """``results``: the student's ended attempts, newest first, each with its ``quiz``;
    ``total``, ``pages``, ``current_page`` (``page``, ``per_page`` as the canonical lists)."""
    page, per_page = page_params(request.validated)
    ended = [attempt_card(a) for a in core_items(request, "/api/attempts")
             if a["status"] in ENDED]
    start = (page - 1) * per_page
    return {"results": ended[start:start + per_page], "total": len(ended),
            "pages": max(1, -(-len(ended) // per_page)), "current_page": page}


@student_start.post(permission="study", tags=TAGS)
@students_only
@refused_as_is
def start_for_spa(request):
    """``POST /api/quizzes/{id}/start``'s answer (201 new, 200 resumed), plus ``attempt``
    (``id``, ``status``, ``started_at``...), which ``StudentQuizzes`` reads."""
    body = core_post(request, f"/api/quizzes/{_path_id(request)}/start",
                     _json_object(request))
    return {**body, "attempt": {"id": body["attempt_id"], "quiz_id": body["quiz"]["id"],
                                "status": body["status"], "started_at": body["started_at"],
                                "deadline_at": body["deadline_at"]}}


@student_answer.post(permission="study", tags=TAGS)
@students_only
@refused_as_is
def answer_for_spa(request):
    """``{question_id, answer}`` (the documented ``answer`` alias) to
    ``POST /api/attempts/{id}/answer``; its answer unchanged."""
    return core_post(request, f"/api/attempts/{_path_id(request)}/answer",
                     _json_object(request))


@student_submit.post(permission="study", tags=TAGS)
@students_only
@refused_as_is
def submit_for_spa(request):
    """``POST /api/attempts/{id}/submit``'s answer unchanged."""
    return core_post(request, f"/api/attempts/{_path_id(request)}/submit")


@student_attempts.get(permission="view", tags=TAGS)
@refused_as_is
def attempts_of_student(request):
    """The attempts of a student (a student: only their own; staff: as the canonical list
    lets them see), newest first, each with its ``answers`` and ``quiz_id``, as ``data``
    (``StudentResults``) and ``attempts`` (``StudentQuizzes``)."""
    student_id = request.matchdict["id"]
    identity = request.identity
    if identity.role == Role.STUDENT and identity.id != student_id:
        raise NotFound("Student")
    query = {} if identity.role == Role.STUDENT else {"student_id": student_id}
    attempts = []
    for attempt in core_items(request, "/api/attempts", **query):
        detail = core_get(request, f"/api/attempts/{attempt['id']}")
        attempts.append({**attempt_card(attempt), "answers": detail["answers"],
                         "teacher_graded": attempt["status"] == "graded"})
    return {"data": attempts, "attempts": attempts}


@register.post(permission=NO_PERMISSION_REQUIRED, tags=TAGS)
def refuse_registration(request):
    """Always 403 ``reason: registration_closed``: accounts are made by the school
    (administrators create staff and students, or import classes; students claim theirs
    with their registration number), never by whoever finds the sign-up page."""
    raise Forbidden("Accounts are created by the school. Ask your administrator; students "
                    "claim their account with their registration number.",
                    reason="registration_closed")


def attempt_for_exam_page(request, answer: dict) -> dict:
    """``GET /api/attempts/{id}`` gains ``attempt`` (``QuizTaking`` reads it first): the same
    attempt with ``quiz_id`` and ``started_at`` without its "Z", because the page appends
    one itself (``QuizTaking.tsx:255``) and a doubled "Z" is an invalid date there, so its
    timer never ran. Every other timestamp keeps the canonical form. ``teacher_graded``
    (``ResultDetail.tsx`` reads the same ``attempt``) says the grade is final, as in the
    attempt lists: without it the page calls every quiz with a short answer "pending manual
    grading", although quizcore grades short answers itself."""
    started = answer.get("started_at")
    return {"attempt": {**answer, "quiz_id": (answer.get("quiz") or {}).get("id"),
                        "started_at": started.removesuffix("Z") if started else started,
                        "teacher_graded": answer.get("status") == "graded"}}


def _path_id(request) -> str:
    """The path's id as a path segment of the canonical call (any text the SPA sent; the
    canonical route answers 404 for what is no id)."""
    return quote(request.matchdict["id"], safe="")


def _json_object(request) -> dict:
    """The request's JSON object (an empty body is ``{}``); anything else is a 400."""
    if not request.body:
        return {}
    try:
        body = request.json_body
    except ValueError:
        raise Invalid("The body is not valid JSON.", field="body") from None
    if not isinstance(body, dict):
        raise Invalid("The body is a JSON object.", field="body")
    return body


def includeme(config):
    """Register this module's compat services."""
    for service in (student_dashboard, student_quizzes, student_results, student_start,
                    student_answer, student_submit, student_attempts, register):
        config.add_cornice_service(service)
    config.add_operation_statuses(register, "POST", statuses=(403,))
    config.add_response_extension("attempt", "GET", attempt_for_exam_page)
