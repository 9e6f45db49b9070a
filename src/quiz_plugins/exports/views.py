"""The download endpoints. Each one checks who is asking, loads the document's data with a
fixed number of queries and hands it to its builder (:mod:`.students`, :mod:`.results`,
:mod:`.attempt_pdf`).

Refusals use the API's JSON error body: 404 for a quiz, attempt or class the user may not
see (as if it did not exist), 403 for a student asking for a staff document or for an
attempt whose review the quiz does not allow, 400 for a bad ``format``.
"""

from __future__ import annotations

from quizcore.documents.files import response
from quizcore.domain import visibility
from quizcore.errors import bad_request, not_found
from quizcore.models import Quiz, QuizAttempt, SchoolClass, utcnow
from quizcore.rest import Service, validator

from . import attempt_pdf, results, students
from .schemas import AttemptPdfRequest, ResultsExportRequest, StudentsExportRequest
from .settings import PDF_MAX_ROWS

STUDENTS_DESCRIPTION = (
    "Download the students you may see (administrators: all; teachers: their classes) as "
    "CSV (UTF-8 with BOM) or XLSX; class_id narrows to one class. The columns are the ones "
    "the bulk import reads. Cells a spreadsheet would run as formulas are neutralised.")

students_export = Service(name="exports_students", path="/api/exports/students",
                          description=STUDENTS_DESCRIPTION)
# API.md lists the same download under /api/students. The core's /api/students/{id} route
# matches UUIDs only, so this path is not taken for a student id.
students_export_alias = Service(name="exports_students_alias", path="/api/students/export",
                                description=STUDENTS_DESCRIPTION + " (same as "
                                "/api/exports/students)")
quiz_results_export = Service(
    name="exports_quiz_results", path="/api/exports/quiz/{quiz_id}/results",
    description="Every attempt at the quiz, one row each with per-question marks, as CSV, "
                "XLSX (with a score-distribution chart and a per-question success chart) or "
                "PDF. The quiz's owner and administrators only.")
attempt_pdf_export = Service(
    name="exports_attempt_pdf", path="/api/exports/attempts/{attempt_id}/pdf",
    description="One attempt as a PDF: student, quiz, each question with the answer given "
                "(options in their original order), marks, feedback, violations. The quiz's "
                "owner and administrators; the student themself once the attempt has ended "
                "and when the quiz allows review (answer keys only when the quiz shows them).")


def _font_dir(request) -> str:
    return request.registry.settings["quizcore.pdf_font_dir"]


def _quiz_for_staff(request) -> Quiz:
    quiz = request.dbsession.get(Quiz, request.validated["path"]["quiz_id"])
    if quiz is None or not visibility.manages(request.user, quiz):
        raise not_found("Quiz")
    return quiz


def _students(request):
    query = request.validated["querystring"]
    session = request.dbsession
    class_id = query.get("class_id")
    label = "all" if visibility.is_admin(request.user) else "my-classes"
    if class_id is not None:
        school_class = session.get(SchoolClass, class_id)
        if school_class is None or not visibility.can_see_class(session, request.user,
                                                                class_id):
            raise not_found("Class")
        label = " ".join(part for part in (school_class.name, school_class.section) if part)
    rows = students.load_students(session, request.user, class_id)
    build = students.students_xlsx if query["format"] == "xlsx" else students.students_csv
    return response(build(rows, label, utcnow().date()))


@students_export.get(permission="teach", schema=StudentsExportRequest(),
                     validators=(validator,))
def export_students(request):
    return _students(request)


@students_export_alias.get(permission="teach", schema=StudentsExportRequest(),
                           validators=(validator,))
def export_students_alias(request):
    return _students(request)


@quiz_results_export.get(permission="teach", schema=ResultsExportRequest(),
                         validators=(validator,))
def export_quiz_results(request):
    quiz = _quiz_for_staff(request)
    fmt = request.validated["querystring"]["format"]
    data = results.load_results(request.dbsession, quiz)
    if fmt == "pdf":
        limit = request.registry.settings[PDF_MAX_ROWS]
        if len(data.rows) > limit:
            raise bad_request(f"This quiz has {len(data.rows)} attempts; a PDF lists at most "
                              f"{limit}. Download CSV or XLSX instead.", name="format",
                              location="querystring")
        return response(results.results_pdf(data, _font_dir(request)))
    if fmt == "xlsx":
        return response(results.results_xlsx(data))
    return response(results.results_csv(data))


@attempt_pdf_export.get(schema=AttemptPdfRequest(), validators=(validator,))
def export_attempt_pdf(request):
    session = request.dbsession
    attempt = session.get(QuizAttempt, request.validated["path"]["attempt_id"])
    if attempt is None:
        raise not_found("Attempt")
    policy = attempt_pdf.report_policy(request.user, attempt)
    report = attempt_pdf.load_attempt_report(session, attempt, policy)
    return response(attempt_pdf.attempt_pdf(report, _font_dir(request)))


SERVICES = (students_export, students_export_alias, quiz_results_export, attempt_pdf_export)
