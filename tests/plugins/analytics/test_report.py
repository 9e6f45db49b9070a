"""The analytics plugin's document (PDF, XLSX, CSV) built from the analytics of the
hand-marked exam (tests/marked_exam.py)."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from quiz_plugins.analytics import report
from quizcore.domain import analytics
from quizcore.models import QuizAttempt
from tests import factories
from tests.documents import chart_xml, pdf_text

pytestmark = pytest.mark.plugin("quiz_plugins.analytics")


@pytest.fixture
def analysis(dbsession, exam):
    return analytics.quiz_analytics(dbsession, exam.quiz)


def test_analytics_pdf_has_the_histogram_the_facility_chart_and_the_tables(analysis):
    download = report.analytics_document(analysis, "pdf")
    text = pdf_text(download.body)
    assert "Histogram of scores" in text and "Facility per question" in text
    assert "Иван Петров" in text and "Cronbach's alpha" in text
    assert "0.587" in text  # alpha, 1.5 * (1 - 1.4 / 2.3)
    assert download.content_type == "application/pdf"


def test_analytics_workbook_has_native_charts_and_the_item_analysis(analysis):
    body = report.analytics_document(analysis, "xlsx").body
    book = openpyxl.load_workbook(io.BytesIO(body))
    assert book.sheetnames == ["Summary", "Questions", "Students", "Violations"]
    assert len(book["Summary"]._charts) == 1 and len(book["Questions"]._charts) == 1
    joined = "\n".join(chart_xml(body).values())
    assert "Score distribution" in joined and "Facility per question" in joined
    questions = book["Questions"]
    header = [c.value for c in questions[1]]
    row = {name: questions.cell(2, index + 1).value for index, name in enumerate(header)}
    assert (row["Facility"], row["Correct"], row["Success rate (%)"]) == (0.6, 3, 60)
    assert abs(row["Discrimination"] - 0.6667) < 1e-4
    students = book["Students"]
    assert students.cell(2, 2).value == "Иван Петров" and students.cell(2, 1).value == 1


def test_analytics_csv_is_the_question_table(analysis):
    data = b"".join(report.analytics_document(analysis, "csv").chunks)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0][0] == "Question" and rows[0][-2:] == ["Facility", "Discrimination"]
    assert [row[0] for row in rows[1:]] == ["Q1", "Q2", "Q3"]
    assert rows[3][-2] == "0.45"


def test_analytics_documents_of_a_quiz_nobody_took(dbsession, teacher):
    quiz = factories.QuizFactory(owner=teacher, questions=[])
    data = analytics.quiz_analytics(dbsession, quiz)
    assert "This quiz has no questions." in pdf_text(
        report.analytics_document(data, "pdf").body)
    book = openpyxl.load_workbook(io.BytesIO(report.analytics_document(data, "xlsx").body))
    assert book["Questions"].max_row == 1


def test_a_hostile_quiz_title_and_name_are_neutralised_in_the_analytics_workbook(
        dbsession, teacher, school_class):
    quiz = factories.QuizFactory(owner=teacher, title="=cmd|' /C calc'!A0",
                                 questions=[factories.QuestionFactory(owner=teacher,
                                                                      text="@SUM(1)")])
    factories.finished_attempt(quiz, factories.StudentFactory(
        school_class=school_class, name="-1+2"), [1])
    body = report.analytics_document(analytics.quiz_analytics(dbsession, quiz), "xlsx").body
    book = openpyxl.load_workbook(io.BytesIO(body))
    assert book["Summary"].cell(1, 1).value.startswith("Analytics: =cmd")  # not first char
    assert book["Questions"].cell(2, 2).value == "'@SUM(1)"
    assert book["Students"].cell(2, 2).value == "'-1+2"
    assert dbsession.query(QuizAttempt).filter_by(quiz_id=quiz.id).count() == 1
