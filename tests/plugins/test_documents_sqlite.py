"""The analytics and export endpoints on the development database (SQLite): the aggregate
queries (DATE(), AVG of decimals, correlated counts) give the same figures as on MariaDB."""

from __future__ import annotations

import io

import openpyxl
import pytest
import webtest
from pypdf import PdfReader

from quizcore.models import Role, User
from tests import factories
from tests.assessment.test_sqlite import sqlite_app  # noqa: F401 - the fixture
from tests.helpers import auth_headers
from tests.marked_exam import make_exam

pytestmark = [pytest.mark.plugin("quiz_plugins.exports"),
              pytest.mark.plugin("quiz_plugins.analytics")]


def test_analytics_and_exports_on_sqlite(sqlite_app):  # noqa: F811
    session = sqlite_app.registry["dbsession_factory"]()
    factories.bind(session)
    try:
        teacher = factories.TeacherFactory()
        school_class = factories.ClassFactory()
        factories.TeacherClassFactory(teacher=teacher, school_class=school_class)
        exam = make_exam(teacher, school_class)
        admin = User(email="admin@school.example", name="Admin", role=Role.ADMIN)
        session.add(admin)
        session.commit()
    finally:
        factories.bind(None)
    client = webtest.TestApp(sqlite_app)
    as_teacher = auth_headers(sqlite_app.registry, teacher)
    as_admin = auth_headers(sqlite_app.registry, admin)

    quiz = client.get(f"/api/analytics/quiz/{exam.quiz.id}", headers=as_teacher).json
    summary = quiz["summary"]
    assert (summary["results"], summary["mean_score"], summary["median_score"],
            summary["pass_rate"]) == (5, 1.9, 2.0, 60.0)
    assert summary["cronbach_alpha"] == pytest.approx(1.5 * (1 - 1.4 / 2.3), abs=1e-4)
    assert [q["correct_count"] for q in quiz["question_statistics"]] == [3, 2, 1]
    assert quiz["violation_summary"]["total_violations"] == 3

    admin_view = client.get("/api/analytics/admin", headers=as_admin).json
    assert admin_view["attempts"]["average_percentage"] == 56.25
    assert sum(day["started"] for day in admin_view["activity"]) == 8
    assert admin_view["classes_breakdown"][0]["student_count"] == 7
    teacher_view = client.get(f"/api/analytics/teacher/{teacher.id}", headers=as_teacher).json
    assert teacher_view["quizzes"][0]["question_count"] == 3
    student_view = client.get(f"/api/analytics/student/{exam.students['B'].id}",
                              headers=as_teacher).json
    assert student_view["totals"]["best_percentage"] == 100.0

    workbook = client.get(f"/api/exports/quiz/{exam.quiz.id}/results", {"format": "xlsx"},
                          headers=as_teacher)
    assert len(openpyxl.load_workbook(io.BytesIO(workbook.body))["Summary"]._charts) == 2
    report = client.get(f"/api/exports/attempts/{exam.attempts['A'].id}/pdf",
                        headers=as_teacher)
    assert "Иван Петров" in PdfReader(io.BytesIO(report.body)).pages[0].extract_text()
    students = client.get("/api/students/export", headers=as_teacher)
    assert students.body.decode("utf-8-sig").count("\r\n") == 8
    session.close()
