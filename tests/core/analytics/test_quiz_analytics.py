"""quiz_analytics on the hand-marked exam of tests/marked_exam.py: every figure below was
computed by hand (or, for partially marked questions, with statistics.correlation) from the
table there."""

from __future__ import annotations

import math
import statistics

import pytest
import sqlalchemy as sa

from quizcore.domain import analytics
from quizcore.models import StudentAnswer
from tests import factories
from tests.marked_exam import add_results, counted_queries


@pytest.fixture
def first(dbsession, exam):
    return analytics.quiz_analytics(dbsession, exam.quiz)


def by_number(result):
    return {item["number"]: item for item in result["question_statistics"]}


def test_question_counts_rates_and_facility(first):
    q = by_number(first)
    assert {k: q[1][k] for k in ("attempts", "answered_count", "correct_count",
                                 "partial_count", "incorrect_count", "unanswered_count",
                                 "success_rate", "average_marks", "facility")} == {
        "attempts": 5, "answered_count": 5, "correct_count": 3, "partial_count": 0,
        "incorrect_count": 2, "unanswered_count": 0, "success_rate": 60.0,
        "average_marks": 0.6, "facility": 0.6}
    assert (q[2]["correct_count"], q[2]["incorrect_count"], q[2]["unanswered_count"],
            q[2]["success_rate"], q[2]["facility"]) == (2, 2, 1, 40.0, 0.4)
    # Q3 is worth 2: marks 2, 1, 0, 1.5 and one unanswered -> 4.5 / 5 = 0.9 -> 0.45.
    assert (q[3]["correct_count"], q[3]["partial_count"], q[3]["incorrect_count"],
            q[3]["unanswered_count"], q[3]["success_rate"], q[3]["average_marks"],
            q[3]["facility"], q[3]["marks"]) == (1, 2, 3, 1, 20.0, 0.9, 0.45, 2)
    for item in q.values():
        assert item["correct_count"] + item["incorrect_count"] + item["unanswered_count"] == 5


def test_option_counts_in_original_order(first):
    q = by_number(first)
    assert q[1]["option_counts"] == [0, 3, 1, 1]  # A, B, D chose green; C blue; E white
    assert q[2]["option_counts"] == [2, 2]
    assert "option_counts" not in q[3]


def test_discrimination_by_hand_and_by_an_independent_correlation(first):
    q = by_number(first)
    # Q1 vs rest (Q2 + Q3) = 3, 1, 1, 1.5, 0: M1 = 11/6, M0 = 1/2, p = 0.6,
    # population sd of the rest = sqrt(0.96) -> (4/3) / 0.9798 * sqrt(0.24) = 2/3.
    assert q[1]["discrimination"] == pytest.approx(0.6667, abs=1e-4)
    # Q2 vs rest 3, 2, 0, 2.5, 0: both groups average 1.5 -> 0.
    assert q[2]["discrimination"] == pytest.approx(0.0, abs=1e-9)
    expected = statistics.correlation([2, 1, 0, 1.5, 0], [2, 1, 1, 1, 0])
    assert q[3]["discrimination"] == pytest.approx(expected, abs=1e-4)
    assert first["item_analysis"]["discrimination_method"] == \
        "corrected_item_total_correlation"


def test_whole_quiz_statistics(first):
    summary = first["summary"]
    # Scores 4, 2, 1, 2.5, 0 (F waits for a teacher, G is still writing).
    assert summary["results"] == 5
    assert summary["mean_score"] == 1.9
    assert summary["median_score"] == 2.0
    assert summary["std_dev_score"] == pytest.approx(math.sqrt(9.2 / 4), abs=1e-4)
    assert (summary["min_score"], summary["max_score"]) == (0.0, 4.0)
    assert (summary["mean_percentage"], summary["median_percentage"]) == (47.5, 50.0)
    assert (summary["passed_count"], summary["failed_count"], summary["pass_rate"]) == \
        (3, 2, 60.0)
    # Item variances 0.3, 0.3, 0.8; total variance 2.3: 3/2 * (1 - 1.4 / 2.3).
    assert summary["cronbach_alpha"] == pytest.approx(1.5 * (1 - 1.4 / 2.3), abs=1e-4)
    assert (summary["students"], summary["attempts_counted"], summary["pending_results"],
            summary["total_marks"]) == (6, 6, 1, 4)
    assert summary["average_time_seconds"] == 1200.0


def test_distribution_ranks_and_performance(first, exam):
    assert [b["count"] for b in first["score_distribution"]] == [1, 0, 1, 0, 0, 1, 1, 0, 0, 1]
    performance = first["student_performance"]
    assert [(p["name"], p["rank"]) for p in performance] == [
        ("Иван Петров", 1), ("Dara Obi", 2), ("Bea Bauer", 3), ("Chen Li", 4),
        ("Emeka Eze", 5), ("Fay Fox", None)]
    bea = performance[2]
    assert bea["attempt_number"] == 1 and bea["percentage"] == 50.0 and bea["passed"] is True
    assert performance[-1]["final"] is False and performance[-1]["status"] == "submitted"
    assert first["attempt_counts"] == {"in_progress": 1, "submitted": 1, "graded": 5,
                                       "auto_submitted": 1, "force_submitted": 0,
                                       "not_counted": 0}


def test_violation_summary_counts_every_attempt(first):
    summary = first["violation_summary"]
    assert summary["total_violations"] == 3
    assert summary["counted_violations"] == 2
    assert summary["by_type"]["tab_switch"] == 2 and summary["by_type"]["copy_attempt"] == 1
    assert set(summary["by_type"]) == {"tab_switch", "fullscreen_exit", "copy_attempt",
                                       "paste_attempt", "right_click", "focus_lost",
                                       "multiple_windows"}
    assert (summary["attempts_with_violations"], summary["students_with_violations"],
            summary["auto_submitted_attempts"]) == (2, 2, 1)


def test_all_attempts_count_second_attempts_too(dbsession, exam):
    result = analytics.quiz_analytics(dbsession, exam.quiz, analytics.ALL)
    summary = result["summary"]
    assert result["attempts"] == "all"
    assert summary["results"] == 6 and summary["students"] == 6
    assert summary["mean_score"] == 2.25  # (9.5 + 4) / 6
    q = by_number(result)
    assert q[1]["correct_count"] == 4 and q[1]["success_rate"] == pytest.approx(66.67)
    assert [p["attempt_number"] for p in result["student_performance"]
            if p["name"] == "Bea Bauer"] == [2, 1]  # ranked 1st (4 marks) and 4th


def test_a_quiz_nobody_took_gives_nulls_not_errors(dbsession, teacher):
    quiz = factories.QuizFactory(owner=teacher, questions=[
        factories.QuestionFactory(owner=teacher), factories.QuestionFactory(owner=teacher)])
    result = analytics.quiz_analytics(dbsession, quiz)
    summary = result["summary"]
    assert summary["results"] == 0 and summary["students"] == 0
    for key in ("mean_score", "median_score", "std_dev_score", "pass_rate",
                "cronbach_alpha", "average_time_seconds"):
        assert summary[key] is None, key
    for item in result["question_statistics"]:
        assert (item["success_rate"], item["average_marks"], item["facility"],
                item["discrimination"]) == (None, None, None, None)
        assert item["attempts"] == 0 and item["unanswered_count"] == 0
    assert sum(b["count"] for b in result["score_distribution"]) == 0
    assert result["student_performance"] == []
    assert result["violation_summary"]["total_violations"] == 0


def test_one_attempt_has_a_mean_but_no_spread_alpha_or_discrimination(dbsession, teacher,
                                                                     student):
    quiz = factories.QuizFactory(owner=teacher, questions=[
        factories.QuestionFactory(owner=teacher), factories.QuestionFactory(owner=teacher)])
    factories.finished_attempt(quiz, student, [1, 0])
    result = analytics.quiz_analytics(dbsession, quiz)
    summary = result["summary"]
    assert (summary["mean_score"], summary["median_score"]) == (1.0, 1.0)
    assert summary["std_dev_score"] is None and summary["cronbach_alpha"] is None
    assert [q["discrimination"] for q in result["question_statistics"]] == [None, None]
    assert [q["facility"] for q in result["question_statistics"]] == [1.0, 0.0]


def test_identical_scores_give_null_alpha(dbsession, teacher, school_class):
    quiz = factories.QuizFactory(owner=teacher, questions=[
        factories.QuestionFactory(owner=teacher), factories.QuestionFactory(owner=teacher)])
    for _ in range(3):
        factories.finished_attempt(quiz, factories.StudentFactory(school_class=school_class),
                                   [1, 1])
    summary = analytics.quiz_analytics(dbsession, quiz)["summary"]
    assert summary["std_dev_score"] == 0.0
    assert summary["cronbach_alpha"] is None


def test_marks_of_other_quizzes_do_not_leak_in(dbsession, exam, teacher):
    """A question shared with another quiz: only this quiz's attempts count."""
    other = factories.QuizFactory(owner=teacher, questions=[exam.questions[0]])
    factories.finished_attempt(other, factories.StudentFactory(), [1])
    q = by_number(analytics.quiz_analytics(dbsession, exam.quiz))
    assert q[1]["correct_count"] == 3 and q[1]["answered_count"] == 5


def test_query_count_does_not_grow_with_attempts(dbsession, exam, school_class):
    with counted_queries(dbsession) as statements:
        analytics.quiz_analytics(dbsession, exam.quiz)
    few = len(statements)
    assert 5 <= few <= 12
    add_results(exam.quiz, school_class, 12, [1, 0, 1])
    with counted_queries(dbsession) as statements:
        analytics.quiz_analytics(dbsession, exam.quiz)
    assert len(statements) == few
    assert dbsession.scalar(sa.select(sa.func.count()).select_from(StudentAnswer)) > 30
