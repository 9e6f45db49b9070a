"""A quiz's analytics (:func:`quizcore.domain.analytics.quiz_analytics`) as a document.

* **PDF**: the summary, a histogram of the scores, a bar chart of question facility, the
  question table with the item analysis, student performance and the violation summary;
* **XLSX**: sheets Summary (with a native score-distribution chart), Questions (with a
  native facility chart), Students and Violations;
* **CSV**: the question statistics table (one row per question), the part item analysis
  tools read.

The builders take the analytics payload as it is served as JSON, so the numbers in a
download are the numbers on screen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from quizcore.documents import pdf
from quizcore.documents.charts import pdf_score_distribution, xlsx_score_distribution
from quizcore.documents.files import CSV_TYPE, PDF_TYPE, XLSX_TYPE, Download, file_name
from quizcore.documents.spreadsheets import XlsxBook, csv_chunks

Payload = Mapping[str, Any]

QUESTION_COLUMNS: tuple[tuple[str, Callable[[Mapping], Any]], ...] = (
    ("Question", lambda q: f"Q{q['number']}"),
    ("Text", lambda q: q["text"]),
    ("Type", lambda q: q["type"]),
    ("Topic", lambda q: q["topic"]),
    ("Difficulty", lambda q: q["difficulty"]),
    ("Marks", lambda q: q["marks"]),
    ("Attempts", lambda q: q["attempts"]),
    ("Answered", lambda q: q["answered_count"]),
    ("Correct", lambda q: q["correct_count"]),
    ("Partial", lambda q: q["partial_count"]),
    ("Incorrect", lambda q: q["incorrect_count"]),
    ("Unanswered", lambda q: q["unanswered_count"]),
    ("Success rate (%)", lambda q: q["success_rate"]),
    ("Average marks", lambda q: q["average_marks"]),
    ("Facility", lambda q: q["facility"]),
    ("Discrimination", lambda q: q["discrimination"]),
)

STUDENT_COLUMNS: tuple[tuple[str, Callable[[Mapping], Any]], ...] = (
    ("Rank", lambda s: s["rank"]),
    ("Student", lambda s: s["name"]),
    ("Registration number", lambda s: s["registration_number"]),
    ("Class", lambda s: s["class_name"]),
    ("Attempt", lambda s: s["attempt_number"]),
    ("Status", lambda s: s["status"]),
    ("Score", lambda s: s["score"]),
    ("Total marks", lambda s: s["total_marks"]),
    ("Percentage", lambda s: s["percentage"]),
    ("Passed", lambda s: s["passed"]),
    ("Violations", lambda s: s["total_violations"]),
    ("Time taken (min)", lambda s: None if s["time_taken_seconds"] is None
     else round(s["time_taken_seconds"] / 60, 1)),
    ("Submitted at (UTC)", lambda s: _timestamp(s["submitted_at"])),
)


def _timestamp(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).replace(tzinfo=None)


def _rows(items: Sequence[Mapping], columns) -> list[list[Any]]:
    return [[getter(item) for _, getter in columns] for item in items]


def _header(columns) -> list[str]:
    return [name for name, _ in columns]


def _file_name(data: Payload, extension: str) -> str:
    generated = _timestamp(data.get("generated_at")) or dt.datetime.now(dt.UTC)
    return file_name("analytics", data["quiz"]["title"], extension=extension,
                     day=generated.date())


def summary_facts(data: Payload) -> list[tuple[str, Any]]:
    """The whole-quiz figures as (label, value) pairs, in reading order."""
    summary = data["summary"]
    mode = "first attempt of each student" if data["attempts"] == "first" else "every attempt"
    return [
        ("Subject", data["quiz"]["subject"]),
        ("Attempts counted", f"{summary['attempts_counted']} ({mode})"),
        ("Students", summary["students"]),
        ("Final results", summary["results"]),
        ("Pending results", summary["pending_results"]),
        ("Total marks", summary["total_marks"]),
        ("Mean score", summary["mean_score"]),
        ("Median score", summary["median_score"]),
        ("Standard deviation", summary["std_dev_score"]),
        ("Lowest / highest score", None if summary["min_score"] is None
         else f"{pdf.number(summary['min_score'])} / {pdf.number(summary['max_score'])}"),
        ("Mean percentage", summary["mean_percentage"]),
        ("Pass rate (%)", summary["pass_rate"]),
        ("Passed / failed", f"{summary['passed_count']} / {summary['failed_count']}"),
        ("Cronbach's alpha", summary["cronbach_alpha"]),
        ("Average time (min)", None if summary["average_time_seconds"] is None
         else round(summary["average_time_seconds"] / 60, 1)),
        ("Violations reported", data["violation_summary"]["total_violations"]),
    ]


# -- CSV ---------------------------------------------------------------------------------------


def analytics_csv(data: Payload) -> Download:
    return Download(_file_name(data, "csv"), CSV_TYPE, chunks=csv_chunks(
        _header(QUESTION_COLUMNS), _rows(data["question_statistics"], QUESTION_COLUMNS)))


# -- XLSX --------------------------------------------------------------------------------------


def analytics_xlsx(data: Payload) -> Download:
    book = XlsxBook()
    summary = book.sheet("Summary")
    summary.write(0, 0, f"Analytics: {data['quiz']['title']}", book.formats["title"])
    first = summary.facts(summary_facts(data)) + 2
    last = xlsx_score_distribution(book, summary, data["score_distribution"], first_row=first,
                                   counted="Results")
    note_row = last + 2
    summary.write(note_row, 0, "Discrimination", book.formats["bold"])
    summary.write(note_row, 1, data["item_analysis"]["description"])

    questions = book.sheet("Questions")
    items = data["question_statistics"]
    last_q = questions.table(_header(QUESTION_COLUMNS), _rows(items, QUESTION_COLUMNS),
                             freeze=True, autofilter=True)
    if items:
        facility_col = _header(QUESTION_COLUMNS).index("Facility")
        chart = book.chart("bar", title="Facility per question", sheet=questions,
                           categories=(0, 1, last_q), values=(facility_col, 1, last_q),
                           series_name="Facility", y_title="Facility (0–1)", y_max=1,
                           color="#9BBB59")
        chart.set_size({"width": 560, "height": max(220, 60 + 22 * len(items))})
        questions.worksheet.insert_chart(len(items) + 3, 1, chart)

    book.sheet("Students").table(_header(STUDENT_COLUMNS),
                                 _rows(data["student_performance"], STUDENT_COLUMNS),
                                 freeze=True, autofilter=True)
    violations = data["violation_summary"]
    sheet = book.sheet("Violations")
    sheet.table(("Type", "Reports"),
                ([vtype.replace("_", " "), count] for vtype, count in
                 violations["by_type"].items()))
    base = len(violations["by_type"]) + 2
    for offset, (label, key) in enumerate((
            ("Total reports", "total_violations"),
            ("Counted toward the limit", "counted_violations"),
            ("Attempts with violations", "attempts_with_violations"),
            ("Students with violations", "students_with_violations"),
            ("Auto-submitted for violations", "auto_submitted_attempts"))):
        sheet.write(base + offset, 0, label, book.formats["bold"])
        sheet.write(base + offset, 1, violations[key])
    return Download(_file_name(data, "xlsx"), XLSX_TYPE, body=book.close())


# -- PDF ---------------------------------------------------------------------------------------


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return pdf.number(value, 4)
    return str(value)


def analytics_pdf(data: Payload, font_dir: str = pdf.DEFAULT_FONT_DIR) -> Download:
    style = pdf.styles(font_dir)
    quiz = data["quiz"]
    width = pdf.usable_width()
    story: list = [
        pdf.para(f"Analytics: {quiz['title']}", style["title"]),
        pdf.para(f"{quiz['subject']} · {quiz['question_count']} questions · generated "
                 f"{pdf.when(data['generated_at'])}", style["subtitle"]),
        pdf.key_values([(label, _fmt(value)) for label, value in summary_facts(data)]),
        Spacer(1, 4 * mm),
    ]
    story.append(pdf_score_distribution(data["score_distribution"],
                                        title="Histogram of scores (percentage of total marks)",
                                        width=width, height=65 * mm))
    items = data["question_statistics"]
    if items:
        story.append(Spacer(1, 4 * mm))
        story.append(pdf.bar_chart([f"Q{q['number']}" for q in items],
                                   [q["facility"] for q in items],
                                   title="Facility per question (share of the marks obtained)",
                                   width=width, horizontal=True, value_max=1, value_step=0.2))
    story.append(pdf.para("Questions", style["heading"]))
    if not items:
        story.append(pdf.para("This quiz has no questions.", style["note"]))
    else:
        header = ["Q", "Question", "Marks", "Correct", "Incorrect", "Unans.", "Success %",
                  "Avg marks", "Facility", "Discr."]
        rows = [header] + [[
            f"Q{q['number']}", pdf.para(q["text"], style["cell"]), str(q["marks"]),
            str(q["correct_count"]), str(q["incorrect_count"]), str(q["unanswered_count"]),
            _fmt(q["success_rate"]), _fmt(q["average_marks"]), _fmt(q["facility"]),
            _fmt(q["discrimination"])] for q in items]
        widths = [v * mm for v in (10, 62, 12, 13, 15, 12, 16, 16, 14, 14)]
        story.append(pdf.table(rows, widths, right_columns=range(2, 10)))
        story.append(Spacer(1, 2 * mm))
        story.append(pdf.para(
            "Facility: mean marks ÷ question marks. Discrimination: "
            + data["item_analysis"]["description"], style["note"]))

    story.append(pdf.para("Student performance", style["heading"]))
    performance = data["student_performance"]
    if not performance:
        story.append(pdf.para("No attempt has ended yet.", style["note"]))
    else:
        header = ["Rank", "Student", "Reg. no", "Class", "Score", "%", "Passed", "Viol."]
        rows = [header] + [[
            _fmt(s["rank"]), pdf.para(s["name"], style["cell"]), s["registration_number"],
            s["class_name"] or "", "" if s["score"] is None
            else f"{pdf.number(s['score'])}/{s['total_marks']}",
            pdf.number(s["percentage"]), {True: "yes", False: "no"}.get(s["passed"], "pending"),
            str(s["total_violations"])] for s in performance]
        widths = [v * mm for v in (12, 55, 28, 30, 20, 14, 14, 11)]
        story.append(pdf.table(rows, widths, right_columns=(0, 4, 5, 7)))

    violations = data["violation_summary"]
    story.append(pdf.para("Violations", style["heading"]))
    story.append(pdf.table(
        [["Type", "Reports"]] + [[vtype.replace("_", " "), str(count)]
                                 for vtype, count in violations["by_type"].items()]
        + [["Total", str(violations["total_violations"])]],
        [60 * mm, 25 * mm], right_columns=(1,)))
    story.append(pdf.para(
        f"{violations['attempts_with_violations']} attempts by "
        f"{violations['students_with_violations']} students reported violations; "
        f"{violations['auto_submitted_attempts']} attempts were submitted automatically for "
        "violations.", style["note"]))
    body = pdf.build(story, title=f"Analytics: {quiz['title']}", subject=quiz["subject"],
                     font_dir=font_dir)
    return Download(_file_name(data, "pdf"), PDF_TYPE, body=body)


BUILDERS = {"csv": analytics_csv, "xlsx": analytics_xlsx}


def analytics_document(data: Payload, fmt: str, font_dir: str = pdf.DEFAULT_FONT_DIR
                       ) -> Download:
    """The analytics as ``fmt`` (``pdf``, ``xlsx`` or ``csv``)."""
    if fmt == "pdf":
        return analytics_pdf(data, font_dir)
    return BUILDERS[fmt](data)
