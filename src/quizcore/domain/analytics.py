"""Quiz statistics: results, item analysis and violation counts.

Used by the analytics endpoints and by every analytics document (PDF, XLSX, CSV), so the
numbers a teacher reads on screen and in a download are computed once, here.

**Which attempts count.** Only attempts that have ended (submitted, graded or auto-submitted)
are considered. By default each student counts once, with their *first* attempt (the lowest
attempt number among their ended attempts), so practice from earlier attempts does not
inflate the item statistics; ``attempts="all"`` counts every ended attempt. Of those, the
statistics use the attempts with a **final result** (``passed`` is set: graded automatically
or by a teacher, auto-submitted and graded). Attempts waiting for a teacher or ended without
a grader are reported as ``pending_results`` and left out of every average.

**Per question** (marks are the question's marks in this quiz, overrides applied; an
unanswered question scores 0):

* ``correct_count``: attempts that got full marks; ``partial_count``: some but not all;
  ``incorrect_count``: answered without full marks (partial included);
  ``unanswered_count``: no answer saved. ``correct_count + incorrect_count +
  unanswered_count`` = the attempts counted;
* ``success_rate``: percentage of counted attempts with full marks;
* ``average_marks``: mean marks over the counted attempts;
* ``facility`` (facility index, 0..1): ``average_marks / marks``. For right/wrong questions it
  is the proportion who answered correctly; for partially marked ones the mean fraction of
  the marks obtained;
* ``discrimination`` (-1..1): the **corrected item-total correlation** — the Pearson
  correlation between the marks on the question and the total of the *other* questions
  (the "rest score"). For right/wrong questions this is the point-biserial coefficient.
  It was chosen over the upper/lower 27 % groups because school classes are small (27 % of
  25 students is under 7, and the result then hinges on who falls on the boundary), and
  because it uses every student and handles partial marks. The question itself is left
  out of the total so that it does not correlate with itself (which would flatter short
  quizzes). Rough reading: above 0.3 good, 0.2–0.3 acceptable, below 0.2 worth reviewing,
  negative: the question favours the weaker students (a wrong key?).

**Whole quiz**: mean, median, minimum, maximum and **sample** standard deviation (n − 1) of
the scores and of the percentages, pass rate, and **Cronbach's alpha**
``k/(k−1) · (1 − Σ var(question) / var(total))`` over the per-student × per-question marks
matrix (k questions; sample variances — the n − 1 cancels out). For right/wrong questions
alpha equals KR-20.

**Undefined values are None, never an error**: with no counted attempt every average is
None; a standard deviation needs two results; alpha needs two questions, two results and
scores that differ; a discrimination index needs two results and variation both in the
question's marks and in the rest score (a question everybody got right has none).

Everything is read with a fixed number of aggregate queries (counts per question, per
option, per status and per violation type are ``GROUP BY`` queries); only the marks matrix
of the counted attempts (one number per attempt and question) is fetched to compute the
correlations, the median and the standard deviations.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import (
    AttemptStatus,
    Question,
    Quiz,
    QuizAttempt,
    QuizQuestion,
    SchoolClass,
    Student,
    StudentAnswer,
    User,
    Violation,
    ViolationType,
    utcnow,
)
from . import papers
from .questions import TRUE_FALSE_OPTIONS
from .timing import iso

#: ``attempts`` query values: each student's first ended attempt, or every ended attempt.
FIRST = "first"
ALL = "all"
ATTEMPT_MODES = (FIRST, ALL)

#: Attempts that have ended.
ENDED_STATUSES = (AttemptStatus.SUBMITTED, AttemptStatus.GRADED, AttemptStatus.AUTO_SUBMITTED,
                  AttemptStatus.FORCE_SUBMITTED)

#: Width of a score-distribution bin, in percentage points.
BIN_WIDTH = 10

#: How the discrimination index is computed (carried in the payloads).
DISCRIMINATION_METHOD = "corrected_item_total_correlation"
DISCRIMINATION_DESCRIPTION = (
    "Pearson correlation between the marks on the question and the total of the other "
    "questions (point-biserial for right/wrong questions); null when either does not vary.")


# -- pure statistics ---------------------------------------------------------------------------


def _floats(values: Iterable[Any]) -> list[float]:
    """The values as floats, unknown (None) ones left out."""
    return [float(value) for value in values if value is not None]


#: A cell of the marks matrix for a question that was not on the attempt's paper (a quiz
#: with sections): NaN, so it can never pass for a mark.
NOT_DRAWN = math.nan


def _not_drawn(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)


def _marks(row: Iterable[Any]) -> list[float]:
    """A row of the marks matrix as floats (an unmarked question scores 0)."""
    return [float(value or 0) for value in row]


def mean(values: Sequence[float]) -> float | None:
    """Arithmetic mean; None for no values."""
    return statistics.fmean(values) if values else None


def median(values: Sequence[float]) -> float | None:
    """Median (the mean of the two middle values for an even count); None for no values."""
    return float(statistics.median(values)) if values else None


def sample_sd(values: Sequence[float]) -> float | None:
    """Sample standard deviation (n − 1); None for fewer than two values."""
    return statistics.stdev(values) if len(values) >= 2 else None


def correlation(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson's r; None with fewer than two pairs or when either side does not vary."""
    if len(xs) != len(ys):
        raise ValueError("correlation needs two sequences of the same length")
    if len(xs) < 2:
        return None
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    sxx = math.fsum((x - mean_x) ** 2 for x in xs)
    syy = math.fsum((y - mean_y) ** 2 for y in ys)
    if sxx <= 0 or syy <= 0 or math.isclose(sxx, 0, abs_tol=1e-12) or \
            math.isclose(syy, 0, abs_tol=1e-12):
        return None
    sxy = math.fsum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    return max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))


def describe(values: Iterable[Any]) -> dict[str, float | int | None]:
    """``count, mean, median, std_dev, min, max`` of ``values`` (None where undefined;
    None values are left out)."""
    numbers = _floats(values)
    return {
        "count": len(numbers),
        "mean": mean(numbers),
        "median": median(numbers),
        "std_dev": sample_sd(numbers),
        "min": min(numbers) if numbers else None,
        "max": max(numbers) if numbers else None,
    }


def cronbach_alpha(matrix: Sequence[Sequence[float]]) -> float | None:
    """Cronbach's alpha of a marks matrix (one row per attempt, one column per question).

    ``k/(k−1) · (1 − Σ var(column) / var(row totals))`` with sample variances. None with
    fewer than two questions or two rows, or when the totals do not vary.
    """
    if any(_not_drawn(value) for row in matrix for value in row):
        return None  # papers drawn from pools: not every attempt answered every item
    rows = [_marks(row) for row in matrix]
    if len(rows) < 2:
        return None
    k = len(rows[0])
    if k < 2 or any(len(row) != k for row in rows):
        return None
    totals = [math.fsum(row) for row in rows]
    total_variance = statistics.variance(totals)
    if math.isclose(total_variance, 0, abs_tol=1e-12):
        return None
    item_variance = math.fsum(statistics.variance([row[j] for row in rows]) for j in range(k))
    return k / (k - 1) * (1 - item_variance / total_variance)


def discrimination_indexes(matrix: Sequence[Sequence[float]]) -> list[float | None]:
    """The corrected item-total correlation of each column of ``matrix`` (see the module
    documentation): column j against the row totals without column j."""
    if not matrix:
        return []
    k = len(matrix[0])
    result: list[float | None] = []
    for j in range(k):
        # The attempts that did not draw the question (pools) sit out.
        rows = [_marks(row) for row in matrix if not _not_drawn(row[j])]
        item = [row[j] for row in rows]
        rest = [math.fsum(row) - row[j] for row in rows]
        result.append(correlation(item, rest))
    return result


def score_bins(percentages: Iterable[Any], width: int = BIN_WIDTH) -> list[dict[str, Any]]:
    """Counts of percentages in bins ``[0, w), [w, 2w), ... [100 − w, 100]`` (the last bin
    includes 100; None values are left out). Each bin: ``label`` ("40–50%"), ``from``,
    ``to``, ``count``."""
    if width <= 0 or 100 % width:
        raise ValueError("the bin width must divide 100")
    count = 100 // width
    bins = [0] * count
    for value in percentages:
        if value is None:
            continue
        number = min(max(float(value), 0.0), 100.0)
        bins[min(int(number // width), count - 1)] += 1
    return [{"label": f"{i * width}–{(i + 1) * width}%", "from": i * width,
             "to": (i + 1) * width, "count": n} for i, n in enumerate(bins)]


def rounded(value: float | Decimal | None, places: int = 2) -> float | None:
    """``value`` as a float rounded to ``places`` (None stays None)."""
    return None if value is None else round(float(value), places)


def competition_ranks(scores: Sequence[float | None]) -> list[int | None]:
    """Standard competition ranking ("1224") of ``scores``, highest first; None stays
    unranked."""
    ordered = sorted((s for s in scores if s is not None), reverse=True)
    first_place: dict[float, int] = {}
    for position, score in enumerate(ordered, start=1):
        first_place.setdefault(score, position)
    return [None if s is None else first_place[s] for s in scores]


# -- who may see a quiz's statistics -------------------------------------------------------------


# -- which attempts count ------------------------------------------------------------------------


def check_mode(mode: str) -> str:
    if mode not in ATTEMPT_MODES:
        raise ValueError(f"attempts must be one of {', '.join(ATTEMPT_MODES)}")
    return mode


def counted_attempt_ids(quiz_id: str, mode: str = FIRST) -> sa.Select:
    """``SELECT id`` of the quiz's attempts that count (see the module documentation):
    ended attempts; with ``first``, only each student's earliest ended attempt."""
    ended = QuizAttempt.status.in_(ENDED_STATUSES)
    if check_mode(mode) == ALL:
        return sa.select(QuizAttempt.id).where(QuizAttempt.quiz_id == quiz_id, ended)
    first = (sa.select(QuizAttempt.student_id,
                       sa.func.min(QuizAttempt.attempt_number).label("attempt_number"))
             .where(QuizAttempt.quiz_id == quiz_id, ended)
             .group_by(QuizAttempt.student_id).subquery())
    return (sa.select(QuizAttempt.id)
            .join(first, sa.and_(first.c.student_id == QuizAttempt.student_id,
                                 first.c.attempt_number == QuizAttempt.attempt_number))
            .where(QuizAttempt.quiz_id == quiz_id))


def has_final_result():
    """The attempt has its final result (graded; not waiting for a teacher)."""
    return sa.and_(QuizAttempt.passed.is_not(None), QuizAttempt.score.is_not(None))


def scored_attempt_ids(quiz_id: str, mode: str = FIRST) -> sa.Select:
    """The counted attempts that have a final result: the population of every statistic."""
    return sa.select(QuizAttempt.id).where(
        QuizAttempt.id.in_(counted_attempt_ids(quiz_id, mode)), has_final_result())


def answered():
    """1 for an answer row that holds an answer (an emptied text box does not count)."""
    return sa.case(
        (StudentAnswer.answer_option.is_not(None), 1),
        (StudentAnswer.answer_data.is_not(None), 1),
        (sa.and_(StudentAnswer.answer_text.is_not(None), StudentAnswer.answer_text != ""), 1),
        else_=0,
    )


def count_where(condition) -> sa.ColumnElement:
    """``SUM(CASE WHEN condition THEN 1 ELSE 0 END)``, 0 on no rows."""
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


# -- per-quiz analysis -----------------------------------------------------------------------


@dataclass(frozen=True)
class QuizQuestionInfo:
    question_id: str
    position: int
    text: str
    type: str
    topic: str | None
    difficulty: str | None
    marks: int
    #: Options a student chooses from (choice questions), 0 otherwise.
    option_count: int


def quiz_questions(session: Session, quiz_id: str) -> list[QuizQuestionInfo]:
    """The quiz's questions in quiz order, with their marks in the quiz (one query).

    A quiz with sections: its fixed questions, then every question some attempt drew, in
    section order (then by first place on a paper, then id), with its section's marks."""
    marks = sa.func.coalesce(QuizQuestion.marks_override, Question.marks).label("marks")
    columns = (Question.text, Question.type, Question.topic, Question.difficulty)
    fixed = (sa.select(QuizQuestion.question_id, *columns, marks, Question.options,
                       sa.literal(-1).label("section"), QuizQuestion.order_index)
             .join(Question, Question.id == QuizQuestion.question_id)
             .where(QuizQuestion.quiz_id == quiz_id))
    drawn = papers.drawn_questions(quiz_id)  # none for a fixed-list quiz
    rows = [row[:7] for row in session.execute(sa.union_all(fixed, sa.select(
        drawn.c.question_id, *columns, drawn.c.marks, Question.options,
        drawn.c.section, drawn.c.first_position)
        .join(Question, Question.id == drawn.c.question_id)).order_by(
            sa.text("section"), sa.text("order_index"), sa.text("question_id")))]
    return [QuizQuestionInfo(qid, position, text, str(qtype), topic,
                             str(difficulty) if difficulty is not None else None, int(m),
                             _option_count(str(qtype), options))
            for position, (qid, text, qtype, topic, difficulty, m, options) in enumerate(rows)]


def _option_count(question_type: str, options) -> int:
    if question_type == "true_false":
        return len(TRUE_FALSE_OPTIONS)
    if question_type == "mcq":
        return len(options or ())
    return 0


def marks_matrix(session: Session, attempt_ids: sa.Select,
                 questions: Sequence[QuizQuestionInfo], drawn_only=None
                 ) -> dict[str, list[float]]:
    """``{attempt_id: [marks per question, in quiz order]}`` for the attempts selected by
    ``attempt_ids`` (one query; unanswered or unmarked questions score 0). ``drawn_only``
    (:func:`quizcore.domain.papers.paper_rows`): questions not on an attempt's paper are
    :data:`NOT_DRAWN`."""
    position = {q.question_id: q.position for q in questions}
    matrix: dict[str, list[float]] = {
        attempt_id: [0.0] * len(questions) for attempt_id in session.scalars(attempt_ids)}
    if drawn_only is not None:
        # Pooled quizzes: a question the attempt did not draw is NOT_DRAWN, not 0.
        drawn = {attempt_id: [NOT_DRAWN] * len(questions) for attempt_id in matrix}
        for attempt_id, question_id in session.execute(
                sa.select(drawn_only.c.attempt_id, drawn_only.c.question_id)
                .where(drawn_only.c.attempt_id.in_(attempt_ids))):
            if attempt_id in drawn and question_id in position:
                drawn[attempt_id][position[question_id]] = 0.0
        matrix = drawn
    rows = session.execute(
        sa.select(StudentAnswer.attempt_id, StudentAnswer.question_id,
                  StudentAnswer.marks_awarded)
        .where(StudentAnswer.attempt_id.in_(attempt_ids),
               StudentAnswer.marks_awarded.is_not(None)))
    for attempt_id, question_id, marks in rows:
        if question_id in position and attempt_id in matrix:
            matrix[attempt_id][position[question_id]] = float(marks)
    return matrix


def _question_counts(session: Session, quiz_id: str, scored: sa.Select) -> dict[str, dict]:
    """Per question on the papers of the scored attempts: how many of them drew it
    (``attempts``), answered, full, partial counts and the sum of marks over those attempts
    (one GROUP BY query). For a fixed-list quiz every scored attempt drew every question."""
    paper = papers.paper_rows(quiz_id)
    marks = paper.c.marks
    rows = session.execute(
        sa.select(paper.c.question_id, paper.c.version,
                  sa.func.count().label("attempts"),
                  count_where(answered() == 1).label("answered"),
                  count_where(StudentAnswer.marks_awarded >= marks).label("full"),
                  count_where(sa.and_(StudentAnswer.marks_awarded > 0,
                                      StudentAnswer.marks_awarded < marks)).label("partial"),
                  sa.func.coalesce(sa.func.sum(StudentAnswer.marks_awarded), 0).label("total"))
        .outerjoin(StudentAnswer, sa.and_(StudentAnswer.question_id == paper.c.question_id,
                                          StudentAnswer.attempt_id == paper.c.attempt_id))
        .where(paper.c.attempt_id.in_(scored))
        .group_by(paper.c.question_id, paper.c.version)
        .order_by(paper.c.question_id, paper.c.version))
    counts: dict[str, dict] = {}
    for row in rows:
        by_version = {"version": int(row.version), "attempts": int(row.attempts),
                      "answered": int(row.answered), "full": int(row.full),
                      "partial": int(row.partial), "total": float(row.total)}
        entry = counts.setdefault(row.question_id, {"attempts": 0, "answered": 0, "full": 0,
                                                    "partial": 0, "total": 0.0,
                                                    "versions": []})
        for key in ("attempts", "answered", "full", "partial", "total"):
            entry[key] += by_version[key]
        entry["versions"].append(by_version)
    return counts


def _option_counts(session: Session, scored: sa.Select) -> dict[str, dict[int, int]]:
    """How many scored attempts chose each option (original order) of each question."""
    counts: dict[str, dict[int, int]] = {}
    rows = session.execute(
        sa.select(StudentAnswer.question_id, StudentAnswer.answer_option, sa.func.count())
        .where(StudentAnswer.attempt_id.in_(scored), StudentAnswer.answer_option.is_not(None))
        .group_by(StudentAnswer.question_id, StudentAnswer.answer_option))
    for question_id, option, count in rows:
        counts.setdefault(question_id, {})[int(option)] = int(count)
    return counts


def question_statistics(questions: Sequence[QuizQuestionInfo], counts: Mapping[str, dict],
                        matrix: Sequence[Sequence[float]],
                        option_counts: Mapping[str, Mapping[int, int]] | None = None,
                        ) -> list[dict[str, Any]]:
    """The per-question statistics (see the module documentation) from the aggregated
    counts and the marks matrix of the scored attempts."""
    discrimination = discrimination_indexes(matrix) if matrix else [None] * len(questions)
    result = []
    for question in questions:
        c = counts.get(question.question_id, {"attempts": 0, "answered": 0, "full": 0,
                                              "partial": 0, "total": 0.0})
        # Only the attempts whose paper holds the question count for it.
        n = c["attempts"]
        average = c["total"] / n if n else None
        entry: dict[str, Any] = {
            "question_id": question.question_id,
            "number": question.position + 1,
            "order_index": question.position,
            "text": question.text,
            "type": question.type,
            "topic": question.topic,
            "difficulty": question.difficulty,
            "marks": question.marks,
            "attempts": n,
            "answered_count": c["answered"],
            "unanswered_count": n - c["answered"],
            "correct_count": c["full"],
            "partial_count": c["partial"],
            "incorrect_count": c["answered"] - c["full"],
            "success_rate": rounded(100 * c["full"] / n) if n else None,
            "average_marks": rounded(average),
            "facility": rounded(average / question.marks, 4) if average is not None else None,
            "discrimination": rounded(discrimination[question.position], 4),
        }
        # Item analysis per version of the question (one entry while it has one version).
        entry["versions"] = [{
            "version": v["version"], "attempts": v["attempts"],
            "answered_count": v["answered"], "correct_count": v["full"],
            "partial_count": v["partial"],
            "success_rate": rounded(100 * v["full"] / v["attempts"]) if v["attempts"] else None,
            "average_marks": rounded(v["total"] / v["attempts"]) if v["attempts"] else None,
        } for v in c.get("versions", [])]
        if option_counts is not None and question.option_count:
            chosen = option_counts.get(question.question_id, {})
            entry["option_counts"] = [chosen.get(i, 0) for i in range(question.option_count)]
        result.append(entry)
    return result


def violation_summary(session: Session, quiz_id: str) -> dict[str, Any]:
    """Violations reported during the quiz's attempts (every attempt, in progress ones too:
    a signal matters whatever became of the attempt).

    ``total_violations`` (every report), ``counted_violations`` (those counting toward the
    auto-submit threshold; repeats within the debounce window do not),
    ``attempts_with_violations``, ``students_with_violations``,
    ``auto_submitted_attempts`` (ended for violations) and ``by_type`` (every type, 0 when
    none was reported).
    """
    of_quiz = sa.select(QuizAttempt.id).where(QuizAttempt.quiz_id == quiz_id)
    by_type = {member.value: 0 for member in ViolationType}
    counted = 0
    for vtype, total, counted_here in session.execute(
            sa.select(Violation.violation_type, sa.func.count(),
                      count_where(Violation.is_counted.is_(True)))
            .where(Violation.attempt_id.in_(of_quiz)).group_by(Violation.violation_type)):
        by_type[str(vtype)] = int(total)
        counted += int(counted_here)
    attempts_with, students_with = session.execute(
        sa.select(sa.func.count(sa.distinct(Violation.attempt_id)),
                  sa.func.count(sa.distinct(QuizAttempt.student_id)))
        .join(QuizAttempt, QuizAttempt.id == Violation.attempt_id)
        .where(QuizAttempt.quiz_id == quiz_id)).one()
    auto = session.scalar(
        sa.select(sa.func.count()).select_from(QuizAttempt)
        .where(QuizAttempt.quiz_id == quiz_id,
               QuizAttempt.auto_submitted_due_to_violations.is_(True)))
    return {"total_violations": sum(by_type.values()), "counted_violations": counted,
            "attempts_with_violations": int(attempts_with),
            "students_with_violations": int(students_with),
            "auto_submitted_attempts": int(auto or 0), "by_type": by_type}


def _performance(session: Session, counted: sa.Select) -> list[dict[str, Any]]:
    rows = session.execute(
        sa.select(QuizAttempt, User.name, Student.registration_number, SchoolClass.name)
        .join(User, User.id == QuizAttempt.student_id)
        .join(Student, Student.id == QuizAttempt.student_id)
        .outerjoin(SchoolClass, SchoolClass.id == Student.class_id)
        .where(QuizAttempt.id.in_(counted))
        .order_by(User.name, Student.registration_number, QuizAttempt.attempt_number))
    entries = []
    for attempt, name, registration, class_name in rows:
        final = attempt.passed is not None and attempt.score is not None
        taken = None
        if attempt.submitted_at is not None and attempt.started_at is not None:
            taken = max(0, int((attempt.submitted_at - attempt.started_at).total_seconds()))
        entries.append({
            "student_id": attempt.student_id, "name": name, "student_name": name,
            "registration_number": registration, "class_name": class_name,
            "attempt_id": attempt.id, "attempt_number": attempt.attempt_number,
            "status": str(attempt.status), "final": final,
            "score": rounded(attempt.score), "total_marks": attempt.total_marks,
            "percentage": rounded(attempt.percentage), "passed": attempt.passed,
            "total_violations": attempt.total_violations,
            "auto_submitted_due_to_violations": attempt.auto_submitted_due_to_violations,
            "started_at": iso(attempt.started_at), "submitted_at": iso(attempt.submitted_at),
            "time_taken_seconds": taken,
        })
    ranks = competition_ranks([e["score"] if e["final"] else None for e in entries])
    for entry, rank in zip(entries, ranks, strict=True):
        entry["rank"] = rank
    entries.sort(key=lambda e: (e["rank"] is None, e["rank"] or 0, e["name"] or "",
                                e["attempt_number"]))
    return entries


def _status_counts(session: Session, quiz_id: str) -> dict[str, int]:
    counts = {member.value: 0 for member in AttemptStatus}
    for status, count in session.execute(
            sa.select(QuizAttempt.status, sa.func.count())
            .where(QuizAttempt.quiz_id == quiz_id).group_by(QuizAttempt.status)):
        counts[str(status)] = int(count)
    return counts


def result_statistics(performance: Sequence[Mapping[str, Any]],
                    matrix: Sequence[Sequence[float]]) -> dict[str, Any]:
    """Whole-quiz statistics of the attempts with a final result in ``performance``."""
    final = [entry for entry in performance if entry["final"]]
    scores = describe(entry["score"] for entry in final)
    percentages = describe(entry["percentage"] for entry in final)
    passed = sum(1 for entry in final if entry["passed"])
    times = [entry["time_taken_seconds"] for entry in final
             if entry["time_taken_seconds"] is not None]
    alpha = cronbach_alpha(matrix)
    return {
        "results": len(final),
        "mean_score": rounded(scores["mean"]), "median_score": rounded(scores["median"]),
        "std_dev_score": rounded(scores["std_dev"], 4),
        "min_score": rounded(scores["min"]), "max_score": rounded(scores["max"]),
        "mean_percentage": rounded(percentages["mean"]),
        "median_percentage": rounded(percentages["median"]),
        "std_dev_percentage": rounded(percentages["std_dev"], 4),
        "min_percentage": rounded(percentages["min"]),
        "max_percentage": rounded(percentages["max"]),
        "passed_count": passed, "failed_count": len(final) - passed,
        "pass_rate": rounded(100 * passed / len(final)) if final else None,
        "average_time_seconds": rounded(mean(times), 1) if times else None,
        "cronbach_alpha": rounded(alpha, 4),
    }


def quiz_analytics(session: Session, quiz: Quiz, attempts: str = FIRST,
                   now: dt.datetime | None = None) -> dict[str, Any]:
    """Everything known about how a quiz went (the ``/api/analytics/quiz/{id}`` payload).

    Keys: ``quiz`` (id, title, subject, status, total_marks, question_count,
    passing_percentage), ``attempts`` (the mode), ``attempt_counts`` (per status, all
    attempts), ``summary`` (students, attempts counted, pending results and the whole-quiz
    statistics of :func:`result_statistics`), ``score_distribution`` (percentage bins),
    ``question_statistics`` (one entry per question, see the module documentation, with
    ``option_counts`` for choice questions), ``item_analysis`` (how discrimination is
    computed), ``student_performance`` (one entry per counted attempt: student, score,
    percentage, passed, rank, violations, time taken), ``violation_summary`` and
    ``generated_at``.
    """
    check_mode(attempts)
    counted = counted_attempt_ids(quiz.id, attempts)
    scored = scored_attempt_ids(quiz.id, attempts)
    questions = quiz_questions(session, quiz.id)
    pooled = papers.quiz_has_sections(session, quiz.id)
    matrix_by_attempt = marks_matrix(session, scored, questions,
                                     papers.paper_rows(quiz.id) if pooled else None)
    matrix = list(matrix_by_attempt.values())
    performance = _performance(session, counted)
    statistics_ = question_statistics(
        questions, _question_counts(session, quiz.id, scored), matrix,
        _option_counts(session, scored))
    summary = result_statistics(performance, matrix)
    final = [entry for entry in performance if entry["final"]]
    summary.update({
        "students": len({entry["student_id"] for entry in performance}),
        "attempts_counted": len(performance),
        "pending_results": len(performance) - len(final),
        "total_marks": papers.paper_totals(session, quiz)[0] if pooled else
        sum(q.marks for q in questions),
    })
    return {
        "quiz": {"id": quiz.id, "title": quiz.title, "subject": quiz.subject,
                 "status": str(quiz.status), "total_marks": summary["total_marks"],
                 "question_count": papers.paper_totals(session, quiz)[1] if pooled else
                 len(questions),
                 "passing_percentage": quiz.passing_percentage},
        "attempts": attempts,
        "attempt_counts": _status_counts(session, quiz.id),
        "summary": summary,
        "score_distribution": score_bins(entry["percentage"] for entry in final),
        "question_statistics": statistics_,
        "item_analysis": {"discrimination_method": DISCRIMINATION_METHOD,
                          "description": DISCRIMINATION_DESCRIPTION,
                          "facility": "mean marks / question marks (0..1)"},
        "student_performance": performance,
        "violation_summary": violation_summary(session, quiz.id),
        "generated_at": iso(now or utcnow()),
    }
