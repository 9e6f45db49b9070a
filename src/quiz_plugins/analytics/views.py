"""The analytics endpoints: dashboards for administrators, teachers and students, and the
item analysis of a quiz (JSON, or as a PDF/XLSX/CSV download).

The figures come from :mod:`.dashboards` and :mod:`quizcore.domain.analytics` (aggregate
queries; what each field means is documented there), the downloads from :mod:`.report`.
Who may see what follows the rest of the API: anything not visible answers 404, and an
endpoint for another role answers 403.
"""

from __future__ import annotations

from quizcore.documents.files import response
from quizcore.domain import analytics, visibility
from quizcore.errors import not_found
from quizcore.models import Quiz, Role, Student, Teacher, User
from quizcore.rest import Service, validator

from . import dashboards, report
from .schemas import (
    ExportRequest,
    ExportsPathRequest,
    QuizRequest,
    StudentRequest,
    TeacherRequest,
)
from .settings import ACTIVITY_DAYS, RECENT_LIMIT

# Created first so that the OpenAPI document lists it where it always stood, right after the
# exports plugin's downloads.
exports_analytics = Service(
    name="exports_analytics", path="/api/exports/analytics/{quiz_id}",
    description="The quiz's analytics as PDF (histogram of scores, facility chart, item "
                "analysis, student performance, violations) or XLSX (with native charts). "
                "attempts=first (default) or all. The quiz's owner and administrators only.")
admin_analytics = Service(
    name="analytics_admin", path="/api/analytics/admin",
    description="The school at a glance (administrators): users by role, classes, questions "
                "by type, quizzes by status, attempts and results (average percentage, pass "
                "rate, pending results, last 7 and 30 days), violations by type, per-class "
                "breakdown, most attempted quizzes, daily activity, recent attempts.")
teacher_analytics = Service(
    name="analytics_teacher", path="/api/analytics/teacher/{teacher_id}",
    description="A teacher's dashboard (the teacher themself or an administrator): totals, "
                "each of their quizzes with attempts, average percentage and pass rate, each "
                "assigned class with its students' results at their quizzes, daily activity, "
                "recent attempts.")
student_analytics = Service(
    name="analytics_student", path="/api/analytics/student/{student_id}",
    description="A student's results (the student themself, the teachers of their class, "
                "administrators): totals, per quiz and per subject, a progress line of the "
                "latest results and recent attempts. A teacher sees the attempts at their "
                "own quizzes only (scope: teacher).")
quiz_analytics = Service(
    name="analytics_quiz", path="/api/analytics/quiz/{quiz_id}",
    description="How a quiz went (its owner and administrators): question_statistics "
                "(correct_count, incorrect_count, unanswered_count, success_rate, "
                "average_marks, facility, discrimination = corrected item-total "
                "correlation, option_counts), summary (mean, median, std_dev, pass_rate, "
                "cronbach_alpha...), score_distribution, student_performance, "
                "violation_summary {total_violations, by_type}. attempts=first (default: "
                "each student's first ended attempt) or all. Undefined statistics are null.")
quiz_analytics_export = Service(
    name="analytics_quiz_export", path="/api/analytics/quiz/{quiz_id}/export",
    description="The quiz analytics as a download: format=pdf (default; histogram of "
                "scores, facility chart, tables), xlsx (sheets with native charts) or csv "
                "(the question statistics). attempts=first|all.")


def _recent_limit(request) -> int:
    return request.registry.settings[RECENT_LIMIT]


def _activity_days(request) -> int:
    return request.registry.settings[ACTIVITY_DAYS]


def _quiz(request) -> Quiz:
    quiz = request.dbsession.get(Quiz, request.validated["path"]["quiz_id"])
    if quiz is None or not visibility.manages(request.user, quiz):
        raise not_found("Quiz")
    return quiz


@admin_analytics.get(permission="admin")
def get_admin_analytics(request):
    return dashboards.admin_dashboard(request.dbsession, recent_limit=_recent_limit(request),
                                      activity_days=_activity_days(request))


@teacher_analytics.get(permission="teach", schema=TeacherRequest(), validators=(validator,))
def get_teacher_analytics(request):
    teacher_id = request.validated["path"]["teacher_id"]
    session = request.dbsession
    if not visibility.can_see_teacher(request.user, teacher_id) or \
            session.get(Teacher, teacher_id) is None:
        raise not_found("Teacher")
    return dashboards.teacher_dashboard(
        session, session.get(User, teacher_id), recent_limit=_recent_limit(request),
        activity_days=_activity_days(request))


@student_analytics.get(schema=StudentRequest(), validators=(validator,))
def get_student_analytics(request):
    session = request.dbsession
    profile = session.get(Student, request.validated["path"]["student_id"])
    if profile is None or not visibility.can_see_student(session, request.user, profile):
        raise not_found("Student")
    owner = request.user.id if request.user.role == Role.TEACHER else None
    return dashboards.student_dashboard(session, profile, quiz_owner_id=owner,
                                        recent_limit=_recent_limit(request))


@quiz_analytics.get(permission="teach", schema=QuizRequest(), validators=(validator,))
def get_quiz_analytics(request):
    quiz = _quiz(request)
    return analytics.quiz_analytics(request.dbsession, quiz,
                                    request.validated["querystring"]["attempts"])


# One download, two paths: /api/exports/analytics/{quiz_id} (API.md lists it among the
# exports) offers PDF and XLSX only, hence its own schema. No docstring: cornice_swagger
# would make it both operations' summary.
@quiz_analytics_export.get(permission="teach", schema=ExportRequest(), validators=(validator,))
@exports_analytics.get(permission="teach", schema=ExportsPathRequest(), validators=(validator,))
def export_quiz_analytics(request):
    quiz = _quiz(request)
    query = request.validated["querystring"]
    data = analytics.quiz_analytics(request.dbsession, quiz, query["attempts"])
    return response(report.analytics_document(
        data, query["format"], request.registry.settings["quizcore.pdf_font_dir"]))


SERVICES = (admin_analytics, teacher_analytics, student_analytics, quiz_analytics,
            quiz_analytics_export, exports_analytics)
