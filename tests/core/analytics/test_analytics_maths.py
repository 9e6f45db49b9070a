"""The statistics of quizcore.domain.analytics against hand-computed values and independent
formulas (KR-20 for alpha, the point-biserial formula for discrimination), edge cases
included."""

from __future__ import annotations

import math
import statistics

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizcore.domain import analytics

#: Four students, three right/wrong questions. By hand (sample variances):
#: item variances 0.25, 1/3, 0.25 (sum 5/6); totals 2, 1, 0, 3 -> variance 5/3;
#: alpha = 3/2 * (1 - (5/6) / (5/3)) = 0.75.
MATRIX = [[1, 1, 0],
          [1, 0, 0],
          [0, 0, 0],
          [1, 1, 1]]


def kr20(matrix) -> float:
    """Kuder-Richardson 20 with population variances: k/(k-1) * (1 - sum(p q) / var)."""
    n, k = len(matrix), len(matrix[0])
    p = [sum(row[j] for row in matrix) / n for j in range(k)]
    totals = [sum(row) for row in matrix]
    return k / (k - 1) * (1 - sum(pj * (1 - pj) for pj in p) / statistics.pvariance(totals))


def point_biserial(item, rest) -> float:
    """(M1 - M0) / s * sqrt(p q), s the population standard deviation of ``rest``."""
    ones = [r for x, r in zip(item, rest, strict=True) if x == 1]
    zeros = [r for x, r in zip(item, rest, strict=True) if x == 0]
    p = len(ones) / len(item)
    return (statistics.fmean(ones) - statistics.fmean(zeros)) / statistics.pstdev(rest) * \
        math.sqrt(p * (1 - p))


def test_cronbach_alpha_matches_the_hand_computation():
    assert analytics.cronbach_alpha(MATRIX) == pytest.approx(0.75)


def test_cronbach_alpha_equals_kr20_for_right_wrong_questions():
    assert analytics.cronbach_alpha(MATRIX) == pytest.approx(kr20(MATRIX))


def test_discrimination_is_the_point_biserial_against_the_rest_score():
    # Question 1 against the rest (questions 2 + 3): rest = 1, 0, 0, 2.
    # By hand: M1 = mean(1, 0, 2) = 1, M0 = 0, p = 3/4, population sd of rest = sqrt(0.6875)
    # r = 1 / 0.8292 * sqrt(0.1875) = 0.5222.
    indexes = analytics.discrimination_indexes(MATRIX)
    assert indexes[0] == pytest.approx(0.5222329679)
    for j in range(3):
        item = [row[j] for row in MATRIX]
        rest = [sum(row) - row[j] for row in MATRIX]
        assert indexes[j] == pytest.approx(point_biserial(item, rest))


def test_partial_marks_discrimination_is_pearson_with_statistics_correlation():
    matrix = [[2, 1.5, 0], [1, 1, 1], [0, 0.5, 1], [2, 2, 2], [1.5, 0, 1]]
    indexes = analytics.discrimination_indexes(matrix)
    for j in range(3):
        item = [row[j] for row in matrix]
        rest = [sum(row) - row[j] for row in matrix]
        assert indexes[j] == pytest.approx(statistics.correlation(item, rest))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 1), min_size=4, max_size=4), min_size=2,
                max_size=30))
def test_alpha_is_kr20_and_discrimination_point_biserial_on_any_right_wrong_matrix(matrix):
    totals = [sum(row) for row in matrix]
    alpha = analytics.cronbach_alpha(matrix)
    if statistics.pvariance(totals) == 0:
        assert alpha is None
    else:
        assert alpha == pytest.approx(kr20(matrix))
    for j, index in enumerate(analytics.discrimination_indexes(matrix)):
        item = [row[j] for row in matrix]
        rest = [total - x for total, x in zip(totals, item, strict=True)]
        if len(set(item)) < 2 or len(set(rest)) < 2:
            assert index is None
        else:
            assert index == pytest.approx(point_biserial(item, rest))


# -- undefined values are None -----------------------------------------------------------------


def test_no_results_give_none_everywhere():
    assert analytics.cronbach_alpha([]) is None
    assert analytics.discrimination_indexes([]) == []
    assert analytics.describe([]) == {"count": 0, "mean": None, "median": None,
                                      "std_dev": None, "min": None, "max": None}


def test_one_result_has_a_mean_but_no_spread():
    assert analytics.describe([7]) == {"count": 1, "mean": 7.0, "median": 7.0,
                                       "std_dev": None, "min": 7.0, "max": 7.0}
    assert analytics.cronbach_alpha([[1, 0, 1]]) is None
    assert analytics.discrimination_indexes([[1, 0, 1]]) == [None, None, None]


def test_zero_variance_gives_none_not_a_division_error():
    everyone_right = [[1, 1], [1, 1], [1, 1]]
    assert analytics.cronbach_alpha(everyone_right) is None
    assert analytics.discrimination_indexes(everyone_right) == [None, None]
    # One question nobody got right: that question has no index, the other still has none
    # because its rest score (the first question) never varies.
    assert analytics.discrimination_indexes([[0, 1], [0, 0], [0, 1]]) == [None, None]


def test_a_single_question_has_no_alpha_and_no_discrimination():
    assert analytics.cronbach_alpha([[1], [0], [1]]) is None
    assert analytics.discrimination_indexes([[1], [0], [1]]) == [None]


def test_describe_uses_the_sample_standard_deviation_and_the_middle_median():
    values = [2, 4, 4, 4, 5, 5, 7, 9]
    summary = analytics.describe(values)
    assert summary["mean"] == 5
    assert summary["median"] == 4.5
    assert summary["std_dev"] == pytest.approx(math.sqrt(32 / 7))  # sum of squares 32, n-1 = 7
    assert (summary["min"], summary["max"]) == (2, 9)


def test_correlation_refuses_sequences_of_different_lengths():
    with pytest.raises(ValueError):
        analytics.correlation([1, 2], [1])


# -- bins, ranks, modes ------------------------------------------------------------------------


def test_score_bins_put_each_percentage_in_its_tenth_and_100_in_the_last():
    bins = analytics.score_bins([0, 9.99, 10, 55, 90, 100, 120, -5])
    assert [b["count"] for b in bins] == [3, 1, 0, 0, 0, 1, 0, 0, 0, 3]
    assert bins[4] == {"label": "40–50%", "from": 40, "to": 50, "count": 0}
    with pytest.raises(ValueError):
        analytics.score_bins([], width=7)


def test_competition_ranking_shares_places_and_skips_after_ties():
    assert analytics.competition_ranks([5, 3, 5, None, 1]) == [1, 3, 1, None, 4]


def test_unknown_attempt_mode_is_refused():
    with pytest.raises(ValueError):
        analytics.counted_attempt_ids("quiz", "best")


def test_unknown_values_are_left_out_and_unmarked_matrix_cells_score_zero():
    assert analytics.describe([1, None, 3])["count"] == 2
    assert sum(b["count"] for b in analytics.score_bins([None, 50])) == 1
    assert analytics.cronbach_alpha([[1, None], [0, 0], [1, 1]]) == \
        analytics.cronbach_alpha([[1, 0], [0, 0], [1, 1]])
