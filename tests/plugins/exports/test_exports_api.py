"""The download endpoints: who may download what, formats, headers, the students route next
to /api/students/{id}, and the documents' content (checked in depth in test_documents.py)."""

from __future__ import annotations

import csv
import io
import zipfile
from urllib.parse import quote

import openpyxl
import pytest

from tests import factories
from tests.documents import pdf_text
from tests.helpers import assert_error

pytestmark = pytest.mark.plugin("quiz_plugins.exports")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.body.decode("utf-8-sig"), newline="")))


# -- students ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/exports/students", "/api/students/export"])
def test_a_teacher_downloads_the_students_of_their_classes(testapp, auth, teacher, student,
                                                           other_student, path):
    response = testapp.get(path, headers=auth(teacher))
    assert response.content_type == "text/csv" and response.charset.lower() == "utf-8"
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="students-my-classes-')
    assert response.headers["Cache-Control"] == "no-store"
    rows = csv_rows(response)
    assert rows[0][:4] == ["Name", "Email", "Registration Number", "Class Name"]
    assert [row[1] for row in rows[1:]] == [student.email]


def test_the_students_export_path_is_not_taken_for_a_student_id(testapp, auth, teacher,
                                                                student):
    """/api/students/{id} matches UUIDs only, so /api/students/export is this download while
    a student's own URL still answers the student."""
    assert testapp.get("/api/students/export", headers=auth(teacher)).content_type == \
        "text/csv"
    assert testapp.get(f"/api/students/{student.id}", headers=auth(teacher)).json["id"] == \
        student.id
    assert_error(testapp.get("/api/students/exports", headers=auth(teacher), status=404), 404)


def test_an_admin_downloads_everyone_or_one_class_as_xlsx(testapp, auth, admin, student,
                                                          other_student, school_class):
    everyone = testapp.get("/api/exports/students", {"format": "XLSX"}, headers=auth(admin))
    assert everyone.content_type == XLSX
    sheet = openpyxl.load_workbook(io.BytesIO(everyone.body))["Students"]
    assert {sheet.cell(row, 2).value for row in (2, 3)} == {student.email, other_student.email}
    one = testapp.get("/api/exports/students", {"class_id": school_class.id, "format": "csv"},
                      headers=auth(admin))
    assert [row[1] for row in csv_rows(one)[1:]] == [student.email]
    assert f"students-{school_class.name} A-" in \
        one.headers["Content-Disposition"].replace("%20", " ")


def test_students_export_refusals(testapp, auth, teacher, student, other_student):
    foreign_class = other_student.student.class_id
    assert_error(testapp.get("/api/exports/students", {"class_id": foreign_class},
                             headers=auth(teacher), status=404), 404)
    assert_error(testapp.get("/api/exports/students",
                             {"class_id": "00000000-0000-0000-0000-000000000000"},
                             headers=auth(teacher), status=404), 404)
    body = assert_error(testapp.get("/api/exports/students", {"format": "pdf"},
                                    headers=auth(teacher), status=400), 400)
    assert body["errors"][0]["name"] == "format"
    assert_error(testapp.get("/api/students/export", headers=auth(student), status=403), 403)
    assert_error(testapp.get("/api/exports/students", status=401), 401)


def test_hostile_student_names_are_neutralised_in_the_download(testapp, auth, admin,
                                                               school_class):
    factories.StudentFactory(school_class=school_class, name='=HYPERLINK("http://x","y")')
    factories.StudentFactory(school_class=school_class, name="@SUM(A1)")
    rows = csv_rows(testapp.get("/api/exports/students", headers=auth(admin)))
    assert sorted(row[0] for row in rows[1:]) == ["'=HYPERLINK(\"http://x\",\"y\")",
                                                  "'@SUM(A1)"]


# -- quiz results ------------------------------------------------------------------------------


def test_results_in_three_formats_for_the_owner(testapp, auth, teacher, exam):
    path = f"/api/exports/quiz/{exam.quiz.id}/results"
    as_csv = testapp.get(path, headers=auth(teacher))
    assert as_csv.content_type == "text/csv"
    assert len(csv_rows(as_csv)) == 9
    as_xlsx = testapp.get(path, {"format": "xlsx"}, headers=auth(teacher))
    assert as_xlsx.content_type == XLSX
    with zipfile.ZipFile(io.BytesIO(as_xlsx.body)) as archive:
        assert len([n for n in archive.namelist() if n.startswith("xl/charts/chart")]) == 2
    as_pdf = testapp.get(path, {"format": "pdf"}, headers=auth(teacher))
    assert as_pdf.content_type == "application/pdf"
    assert "Иван Петров" in pdf_text(as_pdf.body)


def test_a_unicode_title_gets_an_ascii_name_and_an_rfc5987_name(testapp, auth, teacher,
                                                                exam, dbsession):
    exam.quiz.title = "Фотосинтез: итоги"
    dbsession.flush()
    header = testapp.get(f"/api/exports/quiz/{exam.quiz.id}/results", {"format": "xlsx"},
                         headers=auth(teacher)).headers["Content-Disposition"]
    assert header.startswith('attachment; filename="results-')
    assert header.split('filename="')[1].split('"')[0].isascii()
    assert f"filename*=UTF-8''{quote('results-Фотосинтез- итоги-', safe='')}" in header


def test_results_are_for_the_owner_and_admins_only(testapp, auth, exam, admin,
                                                   other_teacher):
    path = f"/api/exports/quiz/{exam.quiz.id}/results"
    assert testapp.get(path, headers=auth(admin)).status_code == 200
    assert_error(testapp.get(path, headers=auth(other_teacher), status=404), 404)
    assert_error(testapp.get(path, headers=auth(exam.students["A"]), status=403), 403)
    assert_error(testapp.get("/api/exports/quiz/nope/results", headers=auth(admin),
                             status=404), 404)
    assert_error(testapp.get(path, {"format": "doc"}, headers=auth(admin), status=400), 400)


def test_a_results_pdf_longer_than_the_limit_is_refused(app_with, auth, teacher, exam):
    client = app_with(**{"quizcore.exports.pdf_max_rows": 5})
    path = f"/api/exports/quiz/{exam.quiz.id}/results"
    body = assert_error(client.get(path, {"format": "pdf"}, headers=auth(teacher),
                                   status=400), 400)
    assert "8 attempts" in body["message"] and "CSV or XLSX" in body["message"]
    assert client.get(path, {"format": "xlsx"}, headers=auth(teacher)).status_code == 200


# -- one attempt -------------------------------------------------------------------------------


def test_the_owner_gets_any_attempt_pdf(testapp, auth, teacher, admin, exam):
    path = f"/api/exports/attempts/{exam.attempts['A'].id}/pdf"
    response = testapp.get(path, headers=auth(teacher))
    assert response.content_type == "application/pdf"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="attempt-')
    text = pdf_text(response.body)
    assert "Иван Петров" in text and "Marking rubric" in text
    assert testapp.get(path, headers=auth(admin)).status_code == 200


def test_a_student_gets_their_own_attempt_pdf_without_the_keys(testapp, auth, exam,
                                                               dbsession):
    path = f"/api/exports/attempts/{exam.attempts['A'].id}/pdf"
    text = pdf_text(testapp.get(path, headers=auth(exam.students["A"])).body)
    assert "answer given" in text and "Marks: 1 / 1 (correct)" in text
    assert "correct answer" not in text and "Light makes sugar." not in text
    assert "Marking rubric" not in text
    exam.quiz.allow_review = False
    dbsession.flush()
    body = assert_error(testapp.get(path, headers=auth(exam.students["A"]), status=403), 403)
    assert "review" in body["message"]


def test_attempt_pdf_refusals(testapp, auth, exam, other_teacher):
    path = f"/api/exports/attempts/{exam.attempts['A'].id}/pdf"
    assert_error(testapp.get(path, headers=auth(exam.students["B"]), status=404), 404)
    assert_error(testapp.get(path, headers=auth(other_teacher), status=404), 404)
    assert_error(testapp.get(f"/api/exports/attempts/{exam.attempts['G'].id}/pdf",
                             headers=auth(exam.students["G"]), status=403), 403)
    assert_error(testapp.get("/api/exports/attempts/missing/pdf",
                             headers=auth(exam.students["A"]), status=404), 404)
    assert_error(testapp.get(path, status=401), 401)


def test_browsers_of_the_spa_may_read_the_file_name(testapp, auth, teacher, exam):
    response = testapp.get(f"/api/exports/quiz/{exam.quiz.id}/results",
                           headers={**auth(teacher), "Origin": "https://spa.example.org"})
    assert "Content-Disposition" in response.headers["Access-Control-Expose-Headers"]
