"""The student's screens of the SPA: dashboard, available quizzes, results.

Each answer is assembled from the canonical API's own answers for the signed-in student
(``GET /api/quizzes``: the quizzes open to them with their effective limits and attempts;
``GET /api/attempts``: their attempts; ``GET /api/auth/me``: their profile), in the field
names the SPA's pages read (``StudentDashboard.tsx``, ``StudentQuizzes.tsx``,
``StudentResults.tsx``). Nothing here decides what a student may see.
"""

from __future__ import annotations

import colander

from quizcore.rest import PaginationQuery, Service, page_params, validator

from .core import TAGS, core_get, core_items, refused_as_is, students_only

ENDED = ("submitted", "graded", "force_submitted")

student_dashboard = Service(name="spa_student_dashboard", path="/api/student/dashboard",
                            description="SPA: the student's dashboard.")
student_quizzes = Service(name="spa_student_quizzes", path="/api/student/quizzes",
                          description="SPA: the quizzes open to the student.")
student_results = Service(name="spa_student_results", path="/api/student/results",
                          description="SPA: the student's ended attempts, newest first.")


class ResultsRequest(colander.MappingSchema):
    querystring = PaginationQuery()


def quiz_card(quiz: dict, attempts: list[dict]) -> dict:
    """A canonical student quiz in the SPA's names, with the student's latest attempt."""
    own = [a for a in attempts if a["quiz"]["id"] == quiz["id"]]
    return {**quiz, "remaining_attempts": quiz["attempts_remaining"],
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
    quizzes = [quiz_card(quiz, attempts) for quiz in core_items(request, "/api/quizzes")]
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
    return {"quizzes": [quiz_card(quiz, attempts)
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


def includeme(config):
    """Register this module's compat services."""
    for service in (student_dashboard, student_quizzes, student_results):
        config.add_cornice_service(service)
