"""The exports plugin's documents built from the hand-marked exam (tests/marked_exam.py):
results workbooks with native charts, PDFs whose text (Cyrillic included) pypdf reads back,
the attempt PDF under each review policy."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest
from openpyxl.chart import BarChart

from quiz_plugins.exports import attempt_pdf, results, students
from quizcore.domain.errors import Forbidden, NotFound
from quizcore.domain.review import review_policy
from quizcore.models import AttemptStatus, StudentAnswer
from tests import factories
from tests.documents import chart_xml, pdf_text
from tests.marked_exam import add_results, counted_queries

pytestmark = pytest.mark.plugin("quiz_plugins.exports")


@pytest.fixture
def quiz_results(dbsession, exam):
    return results.load_results(dbsession, exam.quiz)


# -- results -----------------------------------------------------------------------------------


def test_results_list_every_attempt_with_per_question_marks(quiz_results):
    assert len(quiz_results.rows) == 8
    assert quiz_results.header[-3:] == ["Q1 (1 marks)", "Q2 (1 marks)", "Q3 (2 marks)"]
    ivan = next(row for row in quiz_results.rows if row.name == "Иван Петров")
    assert [float(m) for m in ivan.marks] == [1, 1, 2]
    dara = next(row for row in quiz_results.rows if row.name == "Dara Obi")
    assert dara.marks[1] is None and float(dara.marks[2]) == 1.5
    assert quiz_results.summary()["results"] == 6
    assert [q["success_rate"] for q in quiz_results.question_success()] == [
        pytest.approx(66.67), 50.0, pytest.approx(33.33)]


def test_results_are_loaded_with_three_queries_whatever_the_number_of_attempts(
        dbsession, exam, school_class):
    with counted_queries(dbsession) as statements:
        results.load_results(dbsession, exam.quiz)
    assert len(statements) == 3
    add_results(exam.quiz, school_class, 10, [1, 1, 1])
    with counted_queries(dbsession) as statements:
        assert len(results.load_results(dbsession, exam.quiz).rows) == 18
    assert len(statements) == 3


def test_hostile_names_are_neutralised_in_results_csv_and_xlsx(dbsession, exam,
                                                               school_class):
    for name in ('=HYPERLINK("http://evil.example","x")', "+1", "-1+2", "@SUM(A1)",
                 "\tTab", "\rCR"):
        factories.finished_attempt(exam.quiz, factories.StudentFactory(
            school_class=school_class, name=name), [1, 1, 2])
    data = results.load_results(dbsession, exam.quiz)
    text = b"".join(results.results_csv(data).chunks).decode("utf-8-sig")
    names = [row[0] for row in csv.reader(io.StringIO(text, newline=""))]
    for hostile in ("'=HYPERLINK", "'+1", "'-1+2", "'@SUM(A1)", "'\tTab", "'\rCR"):
        assert any(name.startswith(hostile) for name in names), hostile
    assert not any(name[:1] in "=+-@\t\r" for name in names[1:])
    sheet = openpyxl.load_workbook(io.BytesIO(results.results_xlsx(data).body))["Results"]
    cells = [sheet.cell(row, 1).value for row in range(2, sheet.max_row + 1)]
    assert not any(value[:1] in "=+-@\t\r" for value in cells)
    assert "'-1+2" in cells and "'@SUM(A1)" in cells


def test_results_csv(quiz_results):
    data = b"".join(results.results_csv(quiz_results).chunks).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data, newline="")))
    assert rows[0][:5] == ["Student", "Registration number", "Class", "Attempt", "Status"]
    ivan = next(row for row in rows if row[0] == "Иван Петров")
    assert ivan[4] == "graded" and ivan[8:12] == ["4.00", "4", "100.00", "yes"]
    assert ivan[-3:] == ["1.00", "1.00", "2.00"]
    gus = next(row for row in rows if row[0] == "Gus Green")
    assert gus[4] == "in progress" and gus[8] == ""


def test_results_workbook_opens_and_has_the_two_native_charts(quiz_results):
    body = results.results_xlsx(quiz_results).body
    book = openpyxl.load_workbook(io.BytesIO(body))
    assert book.sheetnames == ["Results", "Summary"]
    sheet = book["Results"]
    assert sheet.max_row == 9
    names = [sheet.cell(r, 1).value for r in range(2, 10)]
    assert "Иван Петров" in names
    ivan = names.index("Иван Петров") + 2
    assert sheet.cell(ivan, 11).value == 100  # percentage, a number
    charts = book["Summary"]._charts
    assert len(charts) == 2 and all(isinstance(chart, BarChart) for chart in charts)
    xml = chart_xml(body)
    assert len(xml) == 2
    joined = "\n".join(xml.values())
    assert "Score distribution" in joined and "Success rate per question" in joined
    assert "<c:barDir val=\"col\"/>" in joined and "<c:barDir val=\"bar\"/>" in joined
    assert "Summary!$B$" in joined and "Summary!$D$" in joined
    summary = book["Summary"]
    labels = {summary.cell(r, 1).value: summary.cell(r, 2).value for r in range(1, 60)}
    assert labels["Pass rate (%)"] == 66.67 and labels["Final results"] == 6
    assert labels["90–100%"] == 2  # Ivan and Bea's second attempt


def test_results_pdf_shows_cyrillic_names(quiz_results):
    download = results.results_pdf(quiz_results)
    assert download.body.startswith(b"%PDF")
    text = pdf_text(download.body)
    assert "Иван Петров" in text
    assert "Results: Plants" in text and "Score distribution" in text
    assert download.filename.startswith("results-Plants-")


def test_results_pdf_of_a_quiz_nobody_took(dbsession, teacher):
    quiz = factories.QuizFactory(owner=teacher, title="Пустой тест",
                                 questions=[factories.QuestionFactory(owner=teacher)])
    text = pdf_text(results.results_pdf(results.load_results(dbsession, quiz)).body)
    assert "Пустой тест" in text and "Nobody has attempted this quiz yet." in text


# -- one attempt -------------------------------------------------------------------------------


def attempt_text(dbsession, attempt, policy) -> str:
    report = attempt_pdf.load_attempt_report(dbsession, attempt, policy)
    return pdf_text(attempt_pdf.attempt_pdf(report).body)


def test_staff_attempt_pdf_has_answers_keys_rubric_feedback_and_violations(dbsession, exam,
                                                                          teacher):
    attempt = exam.attempts["A"]
    answer = dbsession.query(StudentAnswer).filter_by(attempt_id=attempt.id,
                                                      question_id=exam.questions[2].id).one()
    answer.feedback = "Good, but <b>name</b> the gas & the light."
    dbsession.flush()
    policy = attempt_pdf.report_policy(teacher, attempt)
    text = attempt_text(dbsession, attempt, policy)
    assert "Иван Петров" in text and "Plants" in text
    assert "Which is green?" in text and "Explain photosynthesis." in text
    assert "B. green" in text and "answer given" in text and "correct answer" in text
    assert "Light and water." in text
    assert "Sample answer: Light makes sugar." in text
    assert "Marking rubric: One mark per idea." in text
    assert "Feedback: Good, but <b>name</b> the gas & the light." in text  # as typed
    assert "Marks: 2 / 2 (correct)" in text
    assert text.count("tab switch") == 2 and "Severity" in text


def test_student_attempt_pdf_hides_keys_unless_the_quiz_shows_them(dbsession, exam):
    attempt, ivan = exam.attempts["A"], exam.students["A"]
    policy = attempt_pdf.report_policy(ivan, attempt)
    assert policy == review_policy(attempt, exam.quiz, staff=False) and not policy.keys
    text = attempt_text(dbsession, attempt, policy)
    assert "answer given" in text and "Marks: 1 / 1 (correct)" in text
    for secret in ("correct answer", "Light makes sugar.", "One mark per idea.",
                   "Sample answer", "Marking rubric", "Severity"):
        assert secret not in text
    exam.quiz.show_answers_after_submission = True
    text = attempt_text(dbsession, attempt, attempt_pdf.report_policy(ivan, attempt))
    assert "correct answer" in text and "Sample answer: Light makes sugar." in text
    assert "One mark per idea." not in text  # the rubric never reaches a student


def test_student_attempt_pdf_follows_the_review_timing(dbsession, exam, school_class, registry):
    """Keys "after close": not on paper while a classmate still sits, then shown; feedback
    "never": never on paper."""
    # The close of the quiz depends on the application's network grace (its settings).
    dbsession.info["quizcore.registry"] = registry
    attempt, ivan = exam.attempts["A"], exam.students["A"]
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    exam.quiz.end_date = now - dt.timedelta(minutes=1)
    exam.quiz.review_settings = {"correct_answers": "after_close", "feedback": "never"}
    sitting = factories.QuizAttemptFactory(
        quiz=exam.quiz, student=factories.StudentFactory(school_class=school_class),
        started_at=now - dt.timedelta(minutes=20), deadline_at=now + dt.timedelta(minutes=5))
    dbsession.flush()
    policy = attempt_pdf.report_policy(ivan, attempt)
    assert policy.answers and policy.marks and not policy.keys
    text = attempt_text(dbsession, attempt, policy)
    assert "Marks: 1 / 1 (correct)" in text
    assert "correct answer" not in text and "Feedback:" not in text
    for running in (sitting, exam.attempts["G"]):  # the exam's G is still sitting too
        running.status = AttemptStatus.SUBMITTED
    dbsession.flush()
    policy = attempt_pdf.report_policy(ivan, attempt)
    text = attempt_text(dbsession, attempt, policy)
    assert policy.keys and "correct answer" in text and "Feedback:" not in text


def test_options_are_listed_in_original_order_even_for_a_shuffled_attempt(dbsession, exam,
                                                                          teacher):
    exam.quiz.randomize_options = True
    dbsession.flush()
    text = attempt_text(dbsession, exam.attempts["C"],
                        attempt_pdf.report_policy(teacher, exam.attempts["C"]))
    positions = [text.index(f"{letter}. {option}") for letter, option in
                 zip("ABCD", ["red", "green", "blue", "white"], strict=True)]
    assert positions == sorted(positions)
    assert "● C. blue" in text  # Chen chose blue, original option 2


def test_who_may_have_an_attempt_pdf(dbsession, exam, teacher, other_teacher, admin):
    attempt = exam.attempts["A"]
    assert attempt_pdf.report_policy(admin, attempt).staff
    assert attempt_pdf.report_policy(teacher, attempt).staff
    with pytest.raises(NotFound):
        attempt_pdf.report_policy(other_teacher, attempt)
    with pytest.raises(NotFound):
        attempt_pdf.report_policy(exam.students["B"], attempt)
    with pytest.raises(Forbidden) as refused:
        attempt_pdf.report_policy(exam.students["G"], exam.attempts["G"])
    assert refused.value.reason == "in_progress"
    exam.quiz.allow_review = False
    with pytest.raises(Forbidden) as refused:
        attempt_pdf.report_policy(exam.students["A"], attempt)
    assert refused.value.reason == "review_not_allowed"


def test_unanswered_and_unmarked_questions_are_said_so(dbsession, exam, teacher):
    attempt = exam.attempts["F"]  # Q3 unanswered, attempt waiting for a teacher
    text = attempt_text(dbsession, attempt, attempt_pdf.report_policy(teacher, attempt))
    assert "(no answer)" in text and "Result" in text and "pending" in text
    gus = exam.attempts["G"]
    assert gus.status == AttemptStatus.IN_PROGRESS
    text = attempt_text(dbsession, gus, attempt_pdf.report_policy(teacher, gus))
    assert text.count("No option chosen.") == 2 and "copy attempt" in text


# -- students ----------------------------------------------------------------------------------


def test_the_students_document_has_the_import_columns_and_neutralised_names(
        dbsession, teacher, school_class):
    factories.StudentFactory(school_class=school_class, name="=1+1")
    rows = students.load_students(dbsession, teacher)
    day = dt.date(2026, 1, 31)
    as_csv = students.students_csv(rows, "my-classes", day)
    table = list(csv.reader(io.StringIO(b"".join(as_csv.chunks).decode("utf-8-sig"),
                                        newline="")))
    assert table[0] == list(students.HEADER)
    assert table[1][0] == "'=1+1"
    assert as_csv.filename == "students-my-classes-2026-01-31.csv"
    book = openpyxl.load_workbook(io.BytesIO(students.students_xlsx(rows, "all", day).body))
    assert book.sheetnames == ["Students"] and book["Students"].cell(2, 1).value == "'=1+1"
