"""A quiz's results: one row per attempt, as CSV, XLSX (with charts) or PDF.

Every attempt of the quiz is listed (in progress ones too: the status says so), ordered by
student name and attempt number, with the marks of each question (in quiz order; blank when
the question was not answered or not marked yet). The summary, the score distribution and
the per-question success rates are computed over the attempts with a final result, like the
analytics (:mod:`quizcore.domain.analytics`).

Three queries whatever the number of attempts: the quiz's questions, the attempts with
their students, and the marks of every answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from reportlab.lib.units import mm
from reportlab.platypus import Spacer
from sqlalchemy.orm import Session

from quizcore.documents import pdf
from quizcore.documents.charts import pdf_score_distribution, xlsx_score_distribution
from quizcore.documents.files import CSV_TYPE, PDF_TYPE, XLSX_TYPE, Download, file_name
from quizcore.documents.spreadsheets import XlsxBook, csv_chunks
from quizcore.domain import analytics, papers
from quizcore.models import Quiz, QuizAttempt, SchoolClass, Student, StudentAnswer, User, utcnow

HEADER = ("Student", "Registration number", "Class", "Attempt", "Status",
          "Started at (UTC)", "Submitted at (UTC)", "Time taken (min)", "Score",
          "Total marks", "Percentage", "Passed", "Violations",
          "Auto-submitted for violations")
#: Rows per reportlab table in the PDF: one huge table is laid out far more slowly than
#: consecutive tables of a few hundred rows.
PDF_TABLE_ROWS = 250
STATUS_LABELS = {"in_progress": "in progress", "auto_submitted": "auto-submitted",
                 "force_submitted": "force-submitted", "not_counted": "not counted"}


@dataclass
class AttemptSummary:
    """An attempt as one line of a document: whose, when, and how it ended."""

    attempt_id: str
    name: str
    registration_number: str
    class_name: str | None
    attempt_number: int
    status: str
    started_at: dt.datetime | None
    submitted_at: dt.datetime | None
    score: Decimal | None
    total_marks: int | None
    percentage: Decimal | None
    passed: bool | None
    total_violations: int
    auto_submitted_for_violations: bool

    @property
    def final(self) -> bool:
        return self.passed is not None and self.score is not None

    @property
    def minutes_taken(self) -> float | None:
        if self.started_at is None or self.submitted_at is None:
            return None
        return round(max(0.0, (self.submitted_at - self.started_at).total_seconds()) / 60, 1)


#: The columns of :class:`AttemptSummary`, in its field order.
SUMMARY_COLUMNS = (
    QuizAttempt.id, User.name, Student.registration_number, SchoolClass.name,
    QuizAttempt.attempt_number, QuizAttempt.status, QuizAttempt.started_at,
    QuizAttempt.submitted_at, QuizAttempt.score, QuizAttempt.total_marks,
    QuizAttempt.percentage, QuizAttempt.passed, QuizAttempt.total_violations,
    QuizAttempt.auto_submitted_due_to_violations)


def summary_query() -> sa.Select:
    """``SELECT`` of :data:`SUMMARY_COLUMNS` (attempts joined to their students)."""
    return (sa.select(*SUMMARY_COLUMNS)
            .join(User, User.id == QuizAttempt.student_id)
            .join(Student, Student.id == QuizAttempt.student_id)
            .outerjoin(SchoolClass, SchoolClass.id == Student.class_id))


def attempt_summary(values: Sequence[Any]) -> dict[str, Any]:
    """Keyword arguments of :class:`AttemptSummary` from a row of :func:`summary_query`."""
    names = [f.name for f in fields(AttemptSummary)]
    data = dict(zip(names, values, strict=True))
    data["status"] = str(data["status"])
    return data


@dataclass
class ResultRow(AttemptSummary):
    student_id: str = ""
    #: Marks per question in quiz order (None: not answered, not marked or, with sections,
    #: not on this attempt's paper).
    marks: list[Decimal | None] = field(default_factory=list)
    #: Positions (in quiz order) of the questions on this attempt's paper.
    drawn: set[int] = field(default_factory=set)

    def cells(self) -> list[Any]:
        return [self.name, self.registration_number, self.class_name, self.attempt_number,
                STATUS_LABELS.get(self.status, self.status), self.started_at,
                self.submitted_at, self.minutes_taken, self.score, self.total_marks,
                self.percentage, self.passed, self.total_violations,
                self.auto_submitted_for_violations, *self.marks]


@dataclass
class QuizResults:
    quiz_id: str
    title: str
    subject: str
    passing_percentage: int
    questions: list[analytics.QuizQuestionInfo]
    rows: list[ResultRow]
    generated_at: dt.datetime
    #: The marks every paper is worth (a quiz with sections lists more questions than one
    #: paper holds).
    total_marks: int = 0

    @property
    def header(self) -> list[str]:
        return [*HEADER, *(f"Q{q.position + 1} ({q.marks} marks)" for q in self.questions)]

    def cells(self) -> Iterator[list[Any]]:
        return (row.cells() for row in self.rows)

    def final_rows(self) -> list[ResultRow]:
        return [row for row in self.rows if row.final]

    def summary(self) -> dict[str, Any]:
        """Statistics of the attempts with a final result."""
        final = self.final_rows()
        scores = analytics.describe(row.score for row in final)
        percentages = analytics.describe(row.percentage for row in final)
        passed = sum(1 for row in final if row.passed)
        return {
            "attempts": len(self.rows), "results": len(final),
            "students": len({row.student_id for row in self.rows}),
            "passed": passed, "failed": len(final) - passed,
            "pass_rate": analytics.rounded(100 * passed / len(final)) if final else None,
            "mean_score": analytics.rounded(scores["mean"]),
            "median_score": analytics.rounded(scores["median"]),
            "std_dev_score": analytics.rounded(scores["std_dev"]),
            "mean_percentage": analytics.rounded(percentages["mean"]),
            "min_score": analytics.rounded(scores["min"]),
            "max_score": analytics.rounded(scores["max"]),
        }

    def distribution(self) -> list[dict[str, Any]]:
        return analytics.score_bins(row.percentage for row in self.final_rows())

    def question_success(self) -> list[dict[str, Any]]:
        """Per question: the share of final results with full marks, and the mean marks,
        over the attempts whose paper holds the question."""
        result = []
        for index, question in enumerate(self.questions):
            final = [row for row in self.final_rows() if index in row.drawn]
            marks = [float(row.marks[index] or 0) for row in final]
            full = sum(1 for value in marks if value >= question.marks)
            result.append({
                "number": index + 1, "text": question.text, "marks": question.marks,
                "success_rate": analytics.rounded(100 * full / len(final)) if final else None,
                "average_marks": analytics.rounded(analytics.mean(marks)),
            })
        return result


def load_results(session: Session, quiz: Quiz, now: dt.datetime | None = None) -> QuizResults:
    """Every attempt of ``quiz`` with its student and per-question marks (three queries)."""
    questions = analytics.quiz_questions(session, quiz.id)
    position = {question.question_id: question.position for question in questions}
    attempts = session.execute(
        summary_query().add_columns(QuizAttempt.student_id)
        .where(QuizAttempt.quiz_id == quiz.id)
        .order_by(User.name, Student.registration_number, QuizAttempt.attempt_number))
    rows: dict[str, ResultRow] = {}
    for values in attempts:
        row = ResultRow(**attempt_summary(values[:-1]), student_id=values[-1],
                        marks=[None] * len(questions))
        rows[row.attempt_id] = row
    paper = papers.paper_rows(quiz.id)
    marks = session.execute(
        sa.select(paper.c.attempt_id, paper.c.question_id, StudentAnswer.marks_awarded)
        .outerjoin(StudentAnswer, sa.and_(StudentAnswer.attempt_id == paper.c.attempt_id,
                                          StudentAnswer.question_id == paper.c.question_id)))
    for attempt_id, question_id, value in marks:
        row = rows.get(attempt_id)
        if row is not None and question_id in position:
            row.drawn.add(position[question_id])
            row.marks[position[question_id]] = value
    # Every paper is worth the same; without attempts only the fixed questions are listed.
    total = max((sum(questions[i].marks for i in row.drawn) for row in rows.values()),
                default=sum(question.marks for question in questions))
    return QuizResults(quiz.id, quiz.title, quiz.subject, quiz.passing_percentage, questions,
                       list(rows.values()), now or utcnow(), total)


def _name(results: QuizResults, extension: str) -> str:
    return file_name("results", results.title, extension=extension,
                     day=results.generated_at.date())


# -- CSV ---------------------------------------------------------------------------------------


def results_csv(results: QuizResults) -> Download:
    return Download(_name(results, "csv"), CSV_TYPE,
                    chunks=csv_chunks(results.header, results.cells()))


# -- XLSX --------------------------------------------------------------------------------------


def results_xlsx(results: QuizResults) -> Download:
    """Sheet "Results" (one row per attempt, filterable) and sheet "Summary" with the
    statistics, a native score-distribution chart and a per-question success chart."""
    book = XlsxBook()
    sheet = book.sheet("Results")
    sheet.table(results.header, results.cells(), freeze=True, autofilter=True)

    summary_sheet = book.sheet("Summary")
    write_summary_sheet(book, summary_sheet, results)
    return Download(_name(results, "xlsx"), XLSX_TYPE, body=book.close())


def write_summary_sheet(book: XlsxBook, sheet, results: QuizResults) -> None:
    summary = results.summary()
    sheet.write(0, 0, f"Results: {results.title}", book.formats["title"])
    facts = [("Subject", results.subject), ("Total marks", results.total_marks),
             ("Passing percentage", results.passing_percentage),
             ("Attempts", summary["attempts"]), ("Students", summary["students"]),
             ("Final results", summary["results"]), ("Passed", summary["passed"]),
             ("Failed", summary["failed"]), ("Pass rate (%)", summary["pass_rate"]),
             ("Mean score", summary["mean_score"]), ("Median score", summary["median_score"]),
             ("Standard deviation", summary["std_dev_score"]),
             ("Lowest score", summary["min_score"]), ("Highest score", summary["max_score"]),
             ("Generated at (UTC)", results.generated_at)]
    first = sheet.facts(facts) + 2
    last = xlsx_score_distribution(book, sheet, results.distribution(), first_row=first,
                                   counted="Attempts")

    questions = results.question_success()
    top = last + 3
    last_question = sheet.table(
        ("Question", "Text", "Marks", "Success rate (%)", "Average marks"),
        ([f"Q{item['number']}", item["text"], item["marks"], item["success_rate"],
          item["average_marks"]] for item in questions), first_row=top)
    if questions:
        chart = book.chart("bar", title="Success rate per question", sheet=sheet,
                           categories=(0, top + 1, last_question),
                           values=(3, top + 1, last_question), series_name="Success rate (%)",
                           y_title="Success rate (%)", y_max=100, color="#9BBB59")
        chart.set_size({"width": 560, "height": max(220, 60 + 22 * len(questions))})
        sheet.worksheet.insert_chart(18, 4, chart)


# -- PDF ---------------------------------------------------------------------------------------


def _clip(text: str | None, length: int) -> str:
    text = text or ""
    return text if len(text) <= length else text[: length - 1] + "…"


def results_pdf(results: QuizResults, font_dir: str = pdf.DEFAULT_FONT_DIR) -> Download:
    """A landscape table of every attempt, after the summary and the score histogram."""
    style = pdf.styles(font_dir)
    summary = results.summary()
    story: list = [
        pdf.para(f"Results: {results.title}", style["title"]),
        pdf.para(f"{results.subject} · generated {pdf.when(results.generated_at)}",
                 style["subtitle"]),
        pdf.key_values([
            ("Total marks", results.total_marks),
            ("Passing percentage", f"{results.passing_percentage} %"),
            ("Attempts", f"{summary['attempts']} by {summary['students']} students"),
            ("Final results", f"{summary['results']} ({summary['passed']} passed, "
                              f"{summary['failed']} failed)"),
            ("Pass rate", "" if summary["pass_rate"] is None
             else f"{pdf.number(summary['pass_rate'])} %"),
            ("Mean / median score", f"{pdf.number(summary['mean_score'])} / "
                                    f"{pdf.number(summary['median_score'])}"),
        ]),
        Spacer(1, 4 * mm),
    ]
    if summary["results"]:
        story.append(pdf_score_distribution(results.distribution(),
                                            title="Score distribution (final results)",
                                            width=pdf.usable_width(wide=True) * 0.6,
                                            height=60 * mm))
    header = ["#", "Student", "Reg. no", "Class", "Att.", "Status", "Score", "%", "Passed",
              "Viol.", "Submitted (UTC)"]
    widths = [v * mm for v in (11, 62, 30, 35, 10, 24, 18, 15, 14, 12, 30)]
    lines = []
    for index, row in enumerate(results.rows, start=1):
        lines.append([
            str(index), _clip(row.name, 40), _clip(row.registration_number, 18),
            _clip(row.class_name, 22), str(row.attempt_number),
            STATUS_LABELS.get(row.status, row.status),
            "" if row.score is None else f"{pdf.number(row.score)}/{row.total_marks}",
            pdf.number(row.percentage), {True: "yes", False: "no"}.get(row.passed, ""),
            str(row.total_violations),
            row.submitted_at.strftime("%Y-%m-%d %H:%M") if row.submitted_at else ""])
    story.append(pdf.para("Attempts", style["heading"]))
    if not lines:
        story.append(pdf.para("Nobody has attempted this quiz yet.", style["note"]))
    for start in range(0, len(lines), PDF_TABLE_ROWS):
        story.append(pdf.table([header, *lines[start:start + PDF_TABLE_ROWS]], widths,
                               right_columns=(0, 4, 6, 7, 9)))
    data = pdf.build(story, title=f"Results: {results.title}", subject=results.subject,
                     wide=True, font_dir=font_dir)
    return Download(_name(results, "pdf"), PDF_TYPE, body=data)
