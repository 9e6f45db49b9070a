"""The administrator's and teacher's dashboards of the SPA (``AdminDashboard.tsx``,
``TeacherDashboard.tsx``).

The administrator's figures are counts over the whole school (the canonical API has no
such report); the teacher's come from the canonical lists of their own quizzes and the
attempts at them, so they see exactly what the canonical API shows them.
"""

from __future__ import annotations

from urllib.parse import quote

import colander
import sqlalchemy as sa

from quizcore.models import Quiz as QuizModel
from quizcore.models import QuizAttempt, QuizStatus, Role, SchoolClass, Student, User, utcnow
from quizcore.rest import PaginationQuery, Service, page_params, validator

from .core import TAGS, CoreRefused, core_get, core_items, instant, refused_as_is

admin_stats = Service(name="spa_admin_dashboard_stats", path="/api/admin/dashboard/stats",
                      description="SPA: the school's figures for the admin dashboard.")
teacher_dashboard = Service(name="spa_teacher_dashboard", path="/api/teacher/dashboard",
                            description="SPA: the teacher's dashboard.")

teacher_quizzes = Service(name="spa_teacher_quizzes", path="/api/teacher/quizzes",
                          description="SPA: the teacher's quizzes, a page at a time.")
teacher_classes = Service(name="spa_teacher_classes", path="/api/teacher/classes",
                          description="SPA: the classes the teacher is assigned to.")
teacher_students = Service(name="spa_teacher_students", path="/api/teacher/students",
                           description="SPA: the students of the teacher's classes.")

quiz_attempts = Service(name="spa_quiz_attempts", path="/api/attempts/quiz/{id}",
                        description="SPA: the attempts at one of the teacher's quizzes.")

ENDED = ("submitted", "graded", "force_submitted")


class TeacherQuizzesQuery(PaginationQuery):
    status = colander.SchemaNode(colander.String(), missing=colander.drop,
                                 validator=colander.OneOf(["draft", "published", "archived"]),
                                 description="draft | published | archived")


class TeacherQuizzesRequest(colander.MappingSchema):
    querystring = TeacherQuizzesQuery()


@admin_stats.get(permission="admin", tags=TAGS)
def get_admin_stats(request):
    """Counts of users (by role, active or not, claimed student accounts), classes, quizzes
    (published, draft) and attempts, at the top level of the answer as the page reads it."""
    session = request.dbsession
    by_role = dict(session.execute(
        sa.select(User.role, sa.func.count()).group_by(User.role)).all())
    active = session.scalar(sa.select(sa.func.count()).where(User.is_active.is_(True)))
    claimed = session.scalar(sa.select(sa.func.count()).select_from(Student)
                             .where(Student.is_account_claimed.is_(True)))
    by_status = dict(session.execute(
        sa.select(QuizModel.status, sa.func.count()).group_by(QuizModel.status)).all())
    total_users = sum(by_role.values())
    students = by_role.get(Role.STUDENT, 0)
    return {
        "total_users": total_users,
        "admin_count": by_role.get(Role.ADMIN, 0),
        "teacher_count": by_role.get(Role.TEACHER, 0),
        "student_count": students,
        "active_users": active, "inactive_users": total_users - active,
        "claimed_accounts": claimed, "unclaimed_accounts": students - claimed,
        "total_classes": session.scalar(sa.select(sa.func.count()).select_from(SchoolClass)),
        "total_quizzes": sum(by_status.values()),
        "published_quizzes": by_status.get(QuizStatus.PUBLISHED, 0),
        "draft_quizzes": by_status.get(QuizStatus.DRAFT, 0),
        "total_attempts": session.scalar(sa.select(sa.func.count()).select_from(QuizAttempt)),
    }


@teacher_dashboard.get(permission="teach", tags=TAGS)
@refused_as_is
def get_teacher_dashboard(request):
    """``stats`` (quizzes, published, students who attempted, average percentage of ended
    attempts, completion rate: ended over all attempts), ``quizzes`` and
    ``recent_attempts`` (the last 10), from the canonical lists of the teacher's own."""
    quizzes = core_items(request, "/api/quizzes")
    attempts = core_items(request, "/api/attempts")
    ended = [a for a in attempts if a["status"] in ENDED]
    scores = [float(a["percentage"]) for a in ended if a.get("percentage") is not None]
    return {
        "stats": {
            "total_quizzes": len(quizzes),
            "published_quizzes": sum(1 for q in quizzes if q["status"] == "published"),
            "total_students": len({a["student"]["id"] for a in attempts}),
            "average_score": round(sum(scores) / len(scores), 1) if scores else 0,
            "completion_rate": round(100 * len(ended) / len(attempts), 1) if attempts else 0,
        },
        "quizzes": quizzes,
        "recent_attempts": [{**a, "quiz_id": a["quiz"]["id"], "student_id": a["student"]["id"],
                             "studentId": a["student"]["id"], "quizId": a["quiz"]["id"],
                             "totalMarks": a["total_marks"]} for a in attempts[:10]],
    }


@teacher_quizzes.get(permission="teach", schema=TeacherQuizzesRequest(),
                     validators=(validator,), tags=TAGS)
@refused_as_is
def get_teacher_quizzes(request):
    """``quizzes`` (``GET /api/quizzes``'s page of the teacher's own, with
    ``total_questions`` and ``time_limit``), ``total``, ``pages``, ``current_page``."""
    page, per_page = page_params(request.validated)
    query = {"page": page, "per_page": per_page}
    if "status" in request.validated["querystring"]:
        query["status"] = request.validated["querystring"]["status"]
    body = core_get(request, "/api/quizzes", **query)
    return {"quizzes": [{**quiz, "total_questions": quiz.get("question_count"),
                         "time_limit": quiz.get("time_limit_minutes")}
                        for quiz in body["items"]],
            "total": body["total"], "pages": body["pages"], "current_page": page}


@teacher_classes.get(permission="teach", tags=TAGS)
@refused_as_is
def get_teacher_classes(request):
    """``classes``: ``GET /api/classes`` (the teacher's assigned classes, with
    ``student_count``, ``teachers`` and ``teacher_count``)."""
    return {"classes": [{**item, "teacher_count": len(item.get("teachers") or [])}
                        for item in core_items(request, "/api/classes")]}


@teacher_students.get(permission="teach", tags=TAGS)
@refused_as_is
def get_teacher_students(request):
    """``students``: ``GET /api/students`` (the students of the teacher's classes)."""
    return {"students": core_items(request, "/api/students")}


#: What ``QuizMonitor`` reads of each attempt, taken from the canonical live monitor.
MONITOR_FIELDS = ("total_questions", "answered_questions", "progress",
                  "current_question_number", "last_activity_at", "tab_switches",
                  "fullscreen_exits", "time_spent_seconds")


def _live_progress(request, quiz_id: str) -> dict[str, dict]:
    """Per attempt id, the progress fields of ``GET /api/quizzes/{id}/monitor`` (each
    student's latest attempt), or nothing when the caller may not watch the quiz live."""
    try:
        status = core_get(request, f"/api/quizzes/{quote(quiz_id, safe='')}/monitor")
    except CoreRefused:
        return {}
    return {student["attempt_id"]: {name: student[name] for name in MONITOR_FIELDS}
            for student in status["students"] if student.get("attempt_id")}


@quiz_attempts.get(permission="teach", tags=TAGS)
@refused_as_is
def get_quiz_attempts(request):
    """A bare array (``QuizAnalytics`` and ``QuizMonitor`` read it so): the canonical
    attempts at the quiz, each with ``student_id``, ``student_name``,
    ``registration_number``, ``time_spent_seconds`` and ``teacher_graded``; each student's
    latest attempt also with the live monitor's ``total_questions``, ``answered_questions``,
    ``progress``, ``current_question_number`` and ``last_activity_at`` (the monitor page's
    progress bars). 404 for a quiz the teacher may not see, as ``GET /api/quizzes/{id}``."""
    quiz_id = request.matchdict["id"]
    core_get(request, f"/api/quizzes/{quote(quiz_id, safe='')}")
    live = _live_progress(request, quiz_id)
    now = utcnow()
    rows = []
    for attempt in core_items(request, "/api/attempts", quiz_id=quiz_id):
        started = instant(attempt["started_at"])
        ended = instant(attempt["submitted_at"]) or now
        rows.append({**attempt, "quiz_id": quiz_id, "student_id": attempt["student"]["id"],
                     "student_name": attempt["student"]["name"],
                     "registration_number": attempt["student"]["registration_number"],
                     "time_spent_seconds": max(0, int((ended - started).total_seconds()))
                     if started else 0,
                     "teacher_graded": attempt["status"] == "graded",
                     **live.get(attempt["id"], {})})
    return rows


def includeme(config):
    """Register this module's compat services."""
    for service in (admin_stats, teacher_dashboard, teacher_quizzes, teacher_classes,
                    teacher_students, quiz_attempts):
        config.add_cornice_service(service)
