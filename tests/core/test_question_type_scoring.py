"""The scoring rules of the richer question types, table-driven: every type, every scoring
mode, and malformed stored answers (which earn 0 and never raise)."""

from decimal import Decimal

import pytest

from quizcore.domain.grading import (
    matching_credit,
    multiple_answer_credit,
    numerical_credit,
    ordering_credit,
    parse_number,
)

D = Decimal
MA = {"correct_answers": [0, 2]}  # 4 options, two right


@pytest.mark.parametrize(("scoring", "chosen", "credit"), [
    ("all_or_nothing", [0, 2], D(1)),
    ("all_or_nothing", [2, 0], D(1)),
    ("all_or_nothing", [0], D(0)),
    ("all_or_nothing", [0, 1, 2], D(0)),
    ("partial", [0, 2], D(1)),
    ("partial", [0], D("0.5")),
    ("partial", [0, 1], D("0.5")),  # a wrong choice costs nothing...
    ("partial", [0, 1, 2, 3], D(0)),  # ...but ticking every box earns nothing
    ("partial", [1, 3], D(0)),
    ("partial_negative", [0, 2], D(1)),
    ("partial_negative", [0, 1], D(0)),  # +1/2 - 1/2
    ("partial_negative", [0, 2, 1], D("0.5")),
    ("partial_negative", [1, 3], D(0)),  # never below 0
    ("partial_negative", [0], D("0.5")),
    # malformed stored answers
    ("partial", None, D(0)),
    ("partial", "0,2", D(0)),
    ("partial", [0, 9], D(0)),
    ("partial", [True], D(0)),
    ("all_or_nothing", [], D(0)),
])
def test_multiple_answer(scoring, chosen, credit):
    assert multiple_answer_credit({**MA, "scoring": scoring}, 4, chosen) == credit


def test_multiple_answer_without_scoring_is_all_or_nothing():
    assert multiple_answer_credit(MA, 4, [0]) == 0
    assert multiple_answer_credit(MA, 4, [0, 2]) == 1


NUM = {"numeric_answers": [
    {"value": 3.14, "tolerance": 0.005, "tolerance_type": "absolute", "credit": 1},
    {"value": 3.14, "tolerance": 0.05, "tolerance_type": "relative", "credit": 0.5},
]}


@pytest.mark.parametrize(("number", "credit"), [
    ("3.14", D(1)),
    ("3.144", D(1)),
    ("3.1451", D("0.5")),  # outside 0.005, inside 5 %
    ("3.29", D("0.5")),
    ("3.30", D(0)),
    ("-3.14", D(0)),
    (3.14, D(1)),
    ("abc", D(0)),
    (None, D(0)),
    ([3.14], D(0)),
    ("NaN", D(0)),
    ("Infinity", D(0)),
])
def test_numerical(number, credit):
    assert numerical_credit(NUM, number) == credit


def test_numerical_relative_tolerance_of_zero_value_is_exact():
    details = {"numeric_answers": [{"value": 0, "tolerance": 0.1,
                                    "tolerance_type": "relative", "credit": 1}]}
    assert numerical_credit(details, "0") == 1
    assert numerical_credit(details, "0.0001") == 0


@pytest.mark.parametrize(("typed", "comma", "number"), [
    ("3.14", False, D("3.14")),
    ("3,14", False, None),  # a comma is no decimal separator by default
    ("3,14", True, D("3.14")),
    ("3.14", True, None),  # nor a point where the question takes a comma
    (" 1 000,5 ", True, D("1000.5")),
    ("1\u00a0000", False, D("1000")),
    ("6.02e23", False, D("6.02e23")),
    ("-2", False, D(-2)),
    ("", False, None),
    ("1,000.5", False, None),
    ("٣", False, None),  # non-ASCII digits are not read
    ("0x10", False, None),
    (True, False, None),
])
def test_parse_number_locale_rule(typed, comma, number):
    assert parse_number(typed, comma) == number


PAIRS = {"pairs": [{"left": "France", "right": "Paris"}, {"left": "Spain", "right": "Madrid"},
                   {"left": "Italy", "right": "Rome"}, {"left": "Peru", "right": "Lima"}]}


@pytest.mark.parametrize(("matches", "credit"), [
    ({"0": 0, "1": 1, "2": 2, "3": 3}, D(1)),
    ({"0": 0, "1": 1, "2": 3, "3": 2}, D("0.5")),
    ({"0": 0}, D("0.25")),
    ({0: 0, 1: 1}, D("0.5")),
    ({"0": 1, "1": 0}, D(0)),
    ({}, D(0)),
    (None, D(0)),
    ([0, 1, 2, 3], D(0)),
    ({"0": "0", "1": 9, "2": True}, D(0)),
])
def test_matching(matches, credit):
    assert matching_credit(PAIRS, matches) == credit


def test_matching_pairs_with_the_same_right_text_are_interchangeable():
    details = {"pairs": [{"left": "2+2", "right": "4"}, {"left": "3+1", "right": "4"}]}
    assert matching_credit(details, {"0": 1, "1": 0}) == 1


ITEMS = ["a", "b", "c", "d", "e"]


@pytest.mark.parametrize(("scoring", "order", "credit"), [
    ("all_or_nothing", [0, 1, 2, 3, 4], D(1)),
    ("all_or_nothing", [1, 0, 2, 3, 4], D(0)),
    ("partial", [0, 1, 2, 3, 4], D(1)),
    ("partial", [4, 3, 2, 1, 0], D(0)),
    ("partial", [1, 2, 3, 4, 0], D("0.75")),  # b-c, c-d, d-e right; e-a not
    ("partial", [0, 1, 3, 4, 2], D("0.5")),  # a-b, d-e
    ("partial", [2, 3, 4, 0, 1], D("0.75")),
    # malformed
    ("partial", [0, 1, 2, 3], D(0)),
    ("partial", [0, 0, 1, 2, 3], D(0)),
    ("partial", [0, 1, 2, 3, 9], D(0)),
    ("partial", None, D(0)),
    ("all_or_nothing", "01234", D(0)),
])
def test_ordering(scoring, order, credit):
    assert ordering_credit({"items": ITEMS, "scoring": scoring}, order) == credit


def test_wrong_answer_penalty_only_for_objective_answers_that_earn_nothing():
    from quiz_plugins.grading.scoring import AnswerKey, wrong_answer_penalty
    mcq = AnswerKey("mcq", 4, correct_answer=0)
    essay = AnswerKey("descriptive", 4)
    ordering = AnswerKey("ordering", 4, details={"items": ["a", "b"]})
    assert wrong_answer_penalty(mcq, D(0), D("0.25")) == D(1)
    assert wrong_answer_penalty(mcq, D(4), D("0.25")) == 0
    assert wrong_answer_penalty(mcq, D(0), 0) == 0
    assert wrong_answer_penalty(essay, D(0), D("0.5")) == 0
    assert wrong_answer_penalty(ordering, D(0), D("0.5")) == D(2)
    assert wrong_answer_penalty(ordering, D(1), D("0.5")) == 0  # partly right: no penalty
    assert wrong_answer_penalty(mcq, None, D("0.5")) == 0  # waits for a teacher
