"""One attempt as a PDF: the student, the quiz, every question with the answer given, the
marks and feedback, and the violations reported.

What the document contains follows the review policy of :mod:`quizcore.domain.review`, field
by field, like the attempt endpoint:

* answers only when the policy lists them;
* marks, feedback and right/wrong only with ``policy.marks``;
* correct options, accepted answers and sample answers only with ``policy.keys``;
* the marking rubric, violation severity and whether a violation counted only for staff.

Questions are in the quiz's order and options in the question's **original** order (the
order a shuffled attempt showed them in is not kept on paper); the option the student chose
is marked.

Four queries: the quiz's questions, the attempt's answers, the student, the violations.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer
from sqlalchemy.orm import Session

from quizcore.documents import pdf
from quizcore.documents.files import PDF_TYPE, Download, file_name
from quizcore.domain import papers
from quizcore.domain.errors import Forbidden, NotFound
from quizcore.domain.questions import TRUE_FALSE_OPTIONS
from quizcore.domain.review import (
    RICH_TYPES,
    ReviewPolicy,
    describe_answer,
    describe_key,
    is_correct,
    review_policy,
)
from quizcore.domain.visibility import manages
from quizcore.models import (
    AttemptStatus,
    QuestionType,
    QuizAttempt,
    Role,
    StudentAnswer,
    User,
    utcnow,
)

from .results import AttemptSummary, attempt_summary, summary_query

LETTERS = "ABCDEFGHIJ"
CHOSEN, NOT_CHOSEN = "●", "○"


@dataclass
class AnswerEntry:
    number: int
    text: str
    type: str
    marks: int
    options: list[str] | None
    #: Original index of the option chosen (choice questions).
    chosen: int | None
    answer_text: str | None
    answered: bool
    marks_awarded: Decimal | None = None
    feedback: str | None = None
    is_correct: bool | None = None
    #: Answer keys: filled only when the policy shows them.
    correct_answer: int | None = None
    accepted_answers: list[str] | None = None
    sample_answer: str | None = None
    marking_rubric: str | None = None


@dataclass
class ViolationEntry:
    type: str
    detected_at: dt.datetime | None
    question_index: int | None
    severity: str | None = None
    counted: bool | None = None


@dataclass
class AttemptReport:
    quiz_title: str
    subject: str
    attempt: AttemptSummary
    policy: ReviewPolicy
    answers: list[AnswerEntry] = field(default_factory=list)
    violations: list[ViolationEntry] = field(default_factory=list)
    generated_at: dt.datetime = field(default_factory=utcnow)


def report_policy(user: User, attempt: QuizAttempt) -> ReviewPolicy:
    """What ``user`` may have of ``attempt`` on paper.

    The quiz's owner and administrators: everything (staff view). The attempt's student:
    once the attempt has ended and only when the quiz's review timing shows its answers
    now (marks, answer keys and feedback each as their own timing allows), as on screen.
    Raises :class:`~quizcore.domain.errors.NotFound` for anyone else and
    :class:`~quizcore.domain.errors.Forbidden` when the student's review is not allowed.
    """
    quiz = attempt.quiz
    if manages(user, quiz):
        return review_policy(attempt, quiz, staff=True)
    if user.role != Role.STUDENT or attempt.student_id != user.id:
        raise NotFound("Attempt")
    if attempt.status == AttemptStatus.IN_PROGRESS:
        raise Forbidden("The attempt's report is available once the attempt is submitted.",
                        reason="in_progress")
    policy = review_policy(attempt, quiz, staff=False)
    if not policy.answers:
        raise Forbidden("This quiz does not allow reviewing attempts (now).",
                        reason="review_not_allowed")
    return policy


def _options(question) -> list[str] | None:
    if question.type == QuestionType.MCQ:
        return [str(option) for option in question.options or ()]
    if question.type == QuestionType.TRUE_FALSE:
        return list(TRUE_FALSE_OPTIONS)
    return None


def load_attempt_report(session: Session, attempt: QuizAttempt,
                        policy: ReviewPolicy) -> AttemptReport:
    """What the PDF of ``attempt`` shows to a viewer under ``policy``."""
    quiz = attempt.quiz
    summary = session.execute(summary_query().where(QuizAttempt.id == attempt.id)).one()
    report = AttemptReport(quiz.title, quiz.subject, AttemptSummary(**attempt_summary(summary)),
                           policy)
    if policy.answers:
        links = papers.questions_of_attempt(session, attempt)
        answers = {answer.question_id: answer for answer in session.scalars(
            sa.select(StudentAnswer).where(StudentAnswer.attempt_id == attempt.id))}
        for number, link in enumerate(links, start=1):
            question = link.question
            answer = answers.get(question.id)
            chosen = answer.answer_option if answer is not None else None
            text = answer.answer_text if answer is not None else None
            rich = question.type in RICH_TYPES
            if rich:
                text = describe_answer(question, text, answer.answer_data) \
                    if answer is not None else None
            entry = AnswerEntry(number, question.text, str(question.type), link.marks,
                                _options(question), chosen, text,
                                answered=chosen is not None or bool(text and text.strip()))
            if policy.marks and answer is not None:
                entry.marks_awarded = answer.marks_awarded
                entry.is_correct = is_correct(answer.marks_awarded, link.marks)
            if policy.shows_feedback and answer is not None:
                entry.feedback = answer.feedback
            if policy.keys:
                entry.correct_answer = question.correct_answer
                entry.accepted_answers = list(question.accepted_answers or ()) or None
                if rich:
                    entry.accepted_answers = [describe_key(question)]
                entry.sample_answer = question.sample_answer
            if policy.staff:
                entry.marking_rubric = question.marking_rubric
            report.answers.append(entry)
    for violation in attempt.violations:
        entry = ViolationEntry(str(violation.violation_type), violation.detected_at,
                               violation.question_index)
        if policy.staff:
            entry.severity = str(violation.severity) if violation.severity else None
            entry.counted = violation.is_counted
        report.violations.append(entry)
    return report


# -- rendering ---------------------------------------------------------------------------------


def _result(attempt: AttemptSummary) -> str:
    if attempt.status == "in_progress":
        return "in progress"
    if attempt.passed is None:
        return "pending"
    return "passed" if attempt.passed else "not passed"


def _marks_line(entry: AnswerEntry) -> str:
    if entry.marks_awarded is None:
        return f"Marks: not marked yet (out of {entry.marks})"
    verdict = {True: "correct", False: "incorrect"}.get(entry.is_correct, "")
    if entry.is_correct is False and entry.marks_awarded > 0:
        verdict = "partly correct"
    return f"Marks: {pdf.number(entry.marks_awarded)} / {entry.marks}" + \
        (f" ({verdict})" if verdict else "")


def _answer_block(entry: AnswerEntry, report: AttemptReport, style) -> list:
    flow: list = [pdf.para(f"{entry.number}. {entry.text}", style["question"]),
                  pdf.para(f"{entry.type.replace('_', ' ')} · {entry.marks} "
                           f"mark{'s' if entry.marks != 1 else ''}", style["note"])]
    if entry.options is not None:
        for index, option in enumerate(entry.options):
            mark = CHOSEN if entry.chosen == index else NOT_CHOSEN
            line = f"{mark} {LETTERS[index] if index < len(LETTERS) else index + 1}. {option}"
            notes = []
            if entry.chosen == index:
                notes.append("answer given")
            if report.policy.keys and entry.correct_answer == index:
                notes.append("correct answer ✓")
            if notes:
                line += f"   ({', '.join(notes)})"
            flow.append(pdf.para(line, style["body"]))
        if entry.chosen is None:
            flow.append(pdf.para("No option chosen.", style["note"]))
    else:
        flow.append(pdf.para("Answer:", style["small"]))
        flow.append(pdf.para(entry.answer_text if entry.answered else "(no answer)",
                             style["body"]))
        if entry.accepted_answers:
            flow.append(pdf.para("Accepted answers: " + "; ".join(entry.accepted_answers),
                                 style["small"]))
    if entry.sample_answer:
        flow.append(pdf.para(f"Sample answer: {entry.sample_answer}", style["small"]))
    if entry.marking_rubric:
        flow.append(pdf.para(f"Marking rubric: {entry.marking_rubric}", style["small"]))
    if report.policy.marks:
        flow.append(pdf.para(_marks_line(entry), style["small"]))
    if entry.feedback:
        flow.append(pdf.para(f"Feedback: {entry.feedback}", style["small"]))
    return [KeepTogether(flow[:4]), *flow[4:]]


def render_attempt_pdf(report: AttemptReport, font_dir: str = pdf.DEFAULT_FONT_DIR) -> bytes:
    style = pdf.styles(font_dir)
    attempt = report.attempt
    score = "" if attempt.score is None else \
        f"{pdf.number(attempt.score)} / {attempt.total_marks}"
    story: list = [
        pdf.para(report.quiz_title, style["title"]),
        pdf.para(f"{report.subject} · attempt {attempt.attempt_number}", style["subtitle"]),
        pdf.key_values([
            ("Student", attempt.name),
            ("Registration number", attempt.registration_number),
            ("Class", attempt.class_name or ""),
            ("Status", attempt.status.replace("_", " ") +
             (" (violations)" if attempt.auto_submitted_for_violations else "")),
            ("Started", pdf.when(attempt.started_at)),
            ("Submitted", pdf.when(attempt.submitted_at)),
            ("Score", score),
            ("Percentage", "" if attempt.percentage is None
             else f"{pdf.number(attempt.percentage)} %"),
            ("Result", _result(attempt)),
            ("Violations", attempt.total_violations),
        ]),
        Spacer(1, 3 * mm),
    ]
    if report.answers:
        story.append(pdf.para("Answers", style["heading"]))
        for entry in report.answers:
            story.extend(_answer_block(entry, report, style))
    elif not report.policy.answers:
        story.append(pdf.para("The answers of this attempt are not available for review.",
                              style["note"]))
    story.append(pdf.para("Violations", style["heading"]))
    if not report.violations:
        story.append(pdf.para("None reported.", style["note"]))
    else:
        header = ["#", "Type", "Detected at", "Question index"]
        widths = [10 * mm, 50 * mm, 45 * mm, 25 * mm]
        if report.policy.staff:
            header += ["Severity", "Counted"]
            widths += [25 * mm, 20 * mm]
        rows: list[list[Any]] = [header]
        for index, violation in enumerate(report.violations, start=1):
            row = [str(index), violation.type.replace("_", " "), pdf.when(violation.detected_at),
                   "" if violation.question_index is None else str(violation.question_index)]
            if report.policy.staff:
                row += [violation.severity or "", "yes" if violation.counted else "no"]
            rows.append(row)
        story.append(pdf.table(rows, widths))
    return pdf.build(story, title=f"{report.quiz_title} — {attempt.name}",
                     subject=report.subject, font_dir=font_dir)


def attempt_pdf(report: AttemptReport, font_dir: str = pdf.DEFAULT_FONT_DIR) -> Download:
    name = file_name("attempt", report.attempt.name, report.quiz_title,
                     str(report.attempt.attempt_number), extension="pdf")
    return Download(name, PDF_TYPE, body=render_attempt_pdf(report, font_dir))
