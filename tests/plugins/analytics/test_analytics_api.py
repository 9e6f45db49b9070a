"""The analytics endpoints: who sees which dashboard, the quiz payload's field names (API.md)
and its numbers (the same as quizcore.domain.analytics, checked by hand in tests/core/analytics),
and the downloads."""

from __future__ import annotations

import io

import openpyxl
import pytest

from quizcore.domain import analytics
from tests.documents import pdf_text
from tests.helpers import assert_error

pytestmark = pytest.mark.plugin("quiz_plugins.analytics")


# -- dashboards --------------------------------------------------------------------------------


def test_admin_dashboard_is_for_admins(testapp, auth, admin, teacher, student, exam):
    body = testapp.get("/api/analytics/admin", headers=auth(admin)).json
    assert body["attempts"]["results"] == 6 and body["attempts"]["pass_rate"] == 66.67
    assert set(body) >= {"users", "classes", "questions", "quizzes", "attempts",
                         "violations", "classes_breakdown", "top_quizzes", "activity",
                         "recent_attempts", "generated_at"}
    assert len(body["recent_attempts"]) == 8 and len(body["activity"]) == 14
    assert_error(testapp.get("/api/analytics/admin", headers=auth(teacher), status=403), 403)
    assert_error(testapp.get("/api/analytics/admin", headers=auth(student), status=403), 403)
    assert_error(testapp.get("/api/analytics/admin", status=401), 401)


def test_dashboard_settings_bound_recent_attempts_and_activity(app_with, auth, admin, exam):
    client = app_with(**{"quizcore.analytics.recent_limit": "2",
                            "quizcore.analytics.activity_days": "3"})
    body = client.get("/api/analytics/admin", headers=auth(admin)).json
    assert len(body["recent_attempts"]) == 2 and len(body["activity"]) == 3


def test_teacher_dashboard_for_the_teacher_and_admins(testapp, auth, teacher, other_teacher,
                                                      admin, student, exam):
    path = f"/api/analytics/teacher/{teacher.id}"
    mine = testapp.get(path, headers=auth(teacher)).json
    assert mine["teacher"]["id"] == teacher.id
    assert [quiz["title"] for quiz in mine["quizzes"]] == ["Plants"]
    assert mine["totals"]["pending_results"] == 1
    as_admin = testapp.get(path, headers=auth(admin)).json
    assert as_admin | {"generated_at": None} == mine | {"generated_at": None}
    assert_error(testapp.get(path, headers=auth(other_teacher), status=404), 404)
    assert_error(testapp.get(path, headers=auth(student), status=403), 403)
    assert_error(testapp.get(f"/api/analytics/teacher/{student.id}", headers=auth(admin),
                             status=404), 404)


def test_student_dashboard_for_the_student_their_teachers_and_admins(
        testapp, auth, exam, teacher, other_teacher, admin):
    ivan = exam.students["A"]
    path = f"/api/analytics/student/{ivan.id}"
    own = testapp.get(path, headers=auth(ivan)).json
    assert own["student"]["name"] == "Иван Петров" and own["scope"] == "all"
    assert own["totals"]["best_percentage"] == 100.0
    assert testapp.get(path, headers=auth(teacher)).json["scope"] == "teacher"
    assert testapp.get(path, headers=auth(admin)).json["totals"]["attempts"] == 1
    assert_error(testapp.get(path, headers=auth(exam.students["B"]), status=404), 404)
    assert_error(testapp.get(path, headers=auth(other_teacher), status=404), 404)
    assert_error(testapp.get("/api/analytics/student/unknown", headers=auth(admin),
                             status=404), 404)


# -- one quiz ----------------------------------------------------------------------------------


def test_quiz_analytics_fields_follow_the_api(testapp, auth, teacher, exam, dbsession):
    body = testapp.get(f"/api/analytics/quiz/{exam.quiz.id}", headers=auth(teacher)).json
    question = body["question_statistics"][0]
    for field in ("correct_count", "incorrect_count", "success_rate", "average_marks",
                  "facility", "discrimination"):
        assert field in question, field
    assert set(body["violation_summary"]) >= {"total_violations", "by_type"}
    assert body["student_performance"][0]["name"] == "Иван Петров"
    expected = analytics.quiz_analytics(dbsession, exam.quiz)
    expected.pop("generated_at")
    body.pop("generated_at")
    assert body == expected
    assert body["summary"]["cronbach_alpha"] == pytest.approx(0.587, abs=1e-3)


def test_quiz_analytics_of_every_attempt(testapp, auth, teacher, exam):
    body = testapp.get(f"/api/analytics/quiz/{exam.quiz.id}", {"attempts": "ALL"},
                       headers=auth(teacher)).json
    assert body["attempts"] == "all" and body["summary"]["results"] == 6
    error = assert_error(testapp.get(f"/api/analytics/quiz/{exam.quiz.id}",
                                     {"attempts": "best"}, headers=auth(teacher),
                                     status=400), 400)
    assert error["errors"][0]["name"] == "attempts"


def test_quiz_analytics_are_for_the_owner_and_admins(testapp, auth, exam, other_teacher,
                                                     admin):
    path = f"/api/analytics/quiz/{exam.quiz.id}"
    assert testapp.get(path, headers=auth(admin)).json["quiz"]["title"] == "Plants"
    assert_error(testapp.get(path, headers=auth(other_teacher), status=404), 404)
    assert_error(testapp.get(path, headers=auth(exam.students["A"]), status=403), 403)
    for download in (path + "/export", f"/api/exports/analytics/{exam.quiz.id}"):
        assert testapp.get(download, headers=auth(admin)).content_type == "application/pdf"
        assert_error(testapp.get(download, headers=auth(other_teacher), status=404), 404)
        assert_error(testapp.get(download, headers=auth(exam.students["A"]), status=403), 403)


def test_quiz_analytics_export_in_three_formats(testapp, auth, teacher, exam):
    path = f"/api/analytics/quiz/{exam.quiz.id}/export"
    as_pdf = testapp.get(path, headers=auth(teacher))
    assert as_pdf.content_type == "application/pdf" and as_pdf.body.startswith(b"%PDF")
    assert as_pdf.headers["Content-Disposition"].startswith(
        'attachment; filename="analytics-Plants-')
    as_csv = testapp.get(path, {"format": "csv"}, headers=auth(teacher))
    assert as_csv.content_type == "text/csv"
    assert as_csv.body.decode("utf-8-sig").splitlines()[0].startswith("Question,Text,")
    as_xlsx = testapp.get(path, {"format": "xlsx"}, headers=auth(teacher))
    book = openpyxl.load_workbook(io.BytesIO(as_xlsx.body))
    assert len(book["Questions"]._charts) == 1
    assert_error(testapp.get(path, {"format": "docx"}, headers=auth(teacher), status=400),
                 400)


# -- the same download on the exports path -----------------------------------------------------


def test_the_exports_path_serves_the_analytics_as_pdf_or_xlsx(testapp, auth, teacher, exam):
    path = f"/api/exports/analytics/{exam.quiz.id}"
    as_pdf = testapp.get(path, headers=auth(teacher))
    assert as_pdf.content_type == "application/pdf"
    text = pdf_text(as_pdf.body)
    assert "Histogram of scores" in text and "Facility per question" in text
    as_xlsx = testapp.get(path, {"format": "xlsx", "attempts": "all"}, headers=auth(teacher))
    book = openpyxl.load_workbook(io.BytesIO(as_xlsx.body))
    facts = {book["Summary"].cell(r, 1).value: book["Summary"].cell(r, 2).value
             for r in range(1, 30)}
    assert facts["Final results"] == 6 and facts["Attempts counted"].startswith("7 (every")
    assert_error(testapp.get(path, {"format": "csv"}, headers=auth(teacher), status=400), 400)
    assert_error(testapp.get(path, {"attempts": "best"}, headers=auth(teacher), status=400),
                 400)
