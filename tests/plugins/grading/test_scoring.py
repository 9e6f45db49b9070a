"""The marking rules, directly: normalisation, each question type, totals, percentages."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quiz_plugins.grading.scoring import (
    AnswerKey,
    AnswerState,
    attempt_result,
    auto_mark,
    manual_marks_problem,
    mark_attempt,
    matches_accepted,
    normalise_answer,
    status_after_grading,
)
from quizcore.models import AttemptStatus

pytestmark = pytest.mark.plugin("quiz_plugins.grading")

MCQ = AnswerKey("mcq", 2, correct_answer=1)
TRUE_FALSE = AnswerKey("true_false", 1, correct_answer=1)
SHORT = AnswerKey("short_answer", 3, accepted_answers=["Paris", "Ville Lumière"])
DESCRIPTIVE = AnswerKey("descriptive", 4)


@pytest.mark.parametrize(("sent", "normalised"), [
    ("  Paris ", "paris"),
    ("PARIS", "paris"),
    ("New \t  York\n", "new york"),
    ("ＰＡＲＩＳ", "paris"),  # full-width letters (NFKC)
    ("ﬁsh", "fish"),  # ligature (NFKC)
    ("Paris\u00a0Texas", "paris texas"),  # non-breaking space
    ("STRASSE", "strasse"),
    ("Straße", "strasse"),  # case folding, not just lower()
    ("e\u0301te\u0301", "été"),  # combining accents composed
])
def test_normalisation(sent, normalised):
    assert normalise_answer(sent) == normalised


def test_inner_whitespace_is_collapsed_but_not_removed():
    assert matches_accepted("ville   lumière", ["Ville Lumière"])
    assert not matches_accepted("Pa ris", ["Paris"])
    assert not matches_accepted("Parisx", ["Paris"])


def test_accepted_answers_are_normalised_too():
    assert matches_accepted("paris", ["  PARIS  "])
    assert matches_accepted("ＶＩＬＬＥ lumie\u0300re", ["ville lumière"])


def test_multiple_choice_by_original_index():
    assert auto_mark(MCQ, 1, None) == Decimal(2)
    assert auto_mark(MCQ, 0, None) == 0
    assert auto_mark(MCQ, None, None) == 0


def test_true_false_zero_is_true_one_is_false():
    assert auto_mark(TRUE_FALSE, 1, None) == 1
    assert auto_mark(TRUE_FALSE, 0, None) == 0


def test_short_answer_against_accepted_answers():
    assert auto_mark(SHORT, None, " paris") == 3
    assert auto_mark(SHORT, None, "VILLE  LUMIÈRE ") == 3
    assert auto_mark(SHORT, None, "London") == 0
    assert auto_mark(SHORT, None, "   ") == 0
    assert auto_mark(SHORT, None, None) == 0


def test_short_answer_without_accepted_answers_waits_for_a_teacher():
    assert auto_mark(AnswerKey("short_answer", 1, accepted_answers=[]), None, "x") is None
    assert auto_mark(AnswerKey("short_answer", 1, accepted_answers=["  "]), None, "x") is None


def test_descriptive_waits_unless_blank():
    assert auto_mark(DESCRIPTIVE, None, "Light makes sugar.") is None
    assert auto_mark(DESCRIPTIVE, None, " \n ") == 0
    assert auto_mark(DESCRIPTIVE, None, None) == 0


def state(key, question_id="q", **kw):
    return AnswerState(question_id, key, answered=True, **kw)


def test_two_of_three_is_66_67_and_passes_at_60():
    keys = [AnswerKey("mcq", 1, correct_answer=0) for _ in range(3)]
    states = [state(key, f"q{i}", answer_option=0 if i < 2 else 1) for i, key in enumerate(keys)]
    result = mark_attempt(states, 60).result
    assert (result.score, result.total_marks, result.percentage) == (2, 3, Decimal("66.67"))
    assert result.passed is True
    assert mark_attempt(states, 67).result.passed is False


def test_percentage_rounds_half_up():
    # 1 of 800 marks is 0.125 %: half up gives 0.13 (banker's rounding would give 0.12).
    assert attempt_result(Decimal(1), 800, 0).percentage == Decimal("0.13")
    assert attempt_result(Decimal(1), 3, 0).percentage == Decimal("33.33")
    assert attempt_result(Decimal(0), 0, 0).percentage == Decimal("0.00")


def test_marks_are_decimals_without_float_drift():
    keys = [AnswerKey("descriptive", 1) for _ in range(3)]
    states = [state(key, f"q{i}", answer_text="text", current_marks=Decimal("0.10"),
                    manual=True) for i, key in enumerate(keys[:2])]
    states.append(state(keys[2], "q2", answer_text="text", current_marks=Decimal("0.20"),
                        manual=True))
    result = mark_attempt(states, 0).result
    assert result.score == Decimal("0.40") and str(result.score) == "0.40"
    assert result.percentage == Decimal("13.33")


def test_totals_count_unanswered_questions_and_use_the_quiz_marks():
    # A question worth 1 in the bank counts 5 in this quiz (marks_override).
    overridden = AnswerKey("mcq", 5, correct_answer=0)
    unanswered = AnswerState("q2", AnswerKey("true_false", 2, correct_answer=0))
    marking = mark_attempt([state(overridden, "q1", answer_option=0), unanswered], 50)
    assert marking.marks == {"q1": Decimal(5)}
    assert (marking.result.score, marking.result.total_marks) == (5, 7)
    assert marking.result.percentage == Decimal("71.43")


def test_descriptive_answers_leave_the_result_pending():
    marking = mark_attempt([state(MCQ, "q1", answer_option=1),
                            state(DESCRIPTIVE, "q2", answer_text="An essay.")], 40)
    result = marking.result
    assert marking.marks == {"q1": 2, "q2": None}
    assert result.pending and result.passed is None
    assert (result.pending_answers, result.pending_marks, result.score) == (1, 4, 2)


def test_remark_follows_the_key_but_keeps_manual_marks():
    right_now = state(MCQ, "q1", answer_option=1, current_marks=Decimal(0))
    by_hand = state(MCQ, "q2", answer_option=0, current_marks=Decimal("1.5"), manual=True)
    essay = state(DESCRIPTIVE, "q3", answer_text="An essay.", current_marks=Decimal(3),
                  manual=True)
    marks = mark_attempt([right_now, by_hand, essay], 40).marks
    assert marks == {"q1": 2, "q2": Decimal("1.5"), "q3": 3}
    # A teacher's marking only fills in what is missing.
    assert mark_attempt([right_now, by_hand, essay], 40, remark=False).marks["q1"] == 0


def test_status_after_grading():
    assert status_after_grading(AttemptStatus.SUBMITTED, pending=False) == "graded"
    assert status_after_grading(AttemptStatus.SUBMITTED, pending=True) == "submitted"
    assert status_after_grading(AttemptStatus.GRADED, pending=False) == "graded"
    assert status_after_grading(AttemptStatus.AUTO_SUBMITTED, pending=False) == \
        "auto_submitted"


@pytest.mark.parametrize(("value", "ok"), [
    ("0", True), ("4", True), ("2.25", True), ("2.5", True),
    ("-0.01", False), ("4.01", False), ("1.333", False), ("NaN", False), ("Infinity", False),
])
def test_manual_marks_bounds(value, ok):
    assert (manual_marks_problem(Decimal(value), 4) is None) is ok


@given(st.lists(st.tuples(st.integers(1, 20), st.booleans()), min_size=1, max_size=30),
       st.integers(0, 100))
def test_score_and_percentage_stay_in_range(questions, passing):
    states = [state(AnswerKey("mcq", marks, correct_answer=0), f"q{i}",
                    answer_option=0 if right else 1)
              for i, (marks, right) in enumerate(questions)]
    result = mark_attempt(states, passing).result
    assert result.score == sum(marks for marks, right in questions if right)
    assert Decimal(0) <= result.percentage <= Decimal(100)
    assert result.percentage == result.percentage.quantize(Decimal("0.01"))
    assert result.passed is (result.percentage >= passing)
