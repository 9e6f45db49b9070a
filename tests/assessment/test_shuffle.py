"""Per-attempt shuffles: any shown index maps back to the original one, deterministically."""

import subprocess
import sys
import uuid

from hypothesis import given
from hypothesis import strategies as st

from quizcore.domain import shuffle

attempt_ids = st.uuids().map(str)
question_ids = st.uuids().map(str)
option_counts = st.integers(min_value=2, max_value=10)


@given(attempt_ids, question_ids, option_counts)
def test_every_shown_option_maps_back_to_its_original_index(attempt_id, question_id, count):
    perm = shuffle.option_order(attempt_id, question_id, count, "mcq", randomize=True)
    assert sorted(perm) == list(range(count))
    options = [f"option {i}" for i in range(count)]
    shown = shuffle.apply(perm, options)
    for shown_index, text in enumerate(shown):
        original = shuffle.to_original(perm, shown_index)
        assert options[original] == text
        assert shuffle.to_shown(perm, original) == shown_index


@given(attempt_ids, question_ids, option_counts)
def test_the_same_attempt_always_gets_the_same_order(attempt_id, question_id, count):
    first = shuffle.option_order(attempt_id, question_id, count, "mcq", randomize=True)
    again = shuffle.option_order(str(uuid.UUID(attempt_id)), question_id, count, "mcq",
                                 randomize=True)
    assert first == again


@given(attempt_ids, st.integers(min_value=0, max_value=60), st.booleans())
def test_question_order_is_a_permutation(attempt_id, count, randomize):
    order = shuffle.question_order(attempt_id, count, randomize)
    assert sorted(order) == list(range(count))
    if not randomize:
        assert order == tuple(range(count))


@given(attempt_ids, question_ids, option_counts)
def test_without_randomize_options_or_for_true_false_nothing_moves(attempt_id, question_id,
                                                                   count):
    assert shuffle.option_order(attempt_id, question_id, count, "mcq", False) == \
        tuple(range(count))
    assert shuffle.option_order(attempt_id, question_id, 2, "true_false", True) == (0, 1)


def test_attempts_do_get_different_orders():
    orders = {shuffle.option_order(str(uuid.uuid4()), "q", 6, "mcq", True) for _ in range(50)}
    # 720 possible orders of six options: fifty attempts sharing one would mean no shuffle.
    assert len(orders) > 20


def test_order_is_stable_across_processes():
    # The seed must not depend on Python's per-process (salted) str hashing: two fresh
    # interpreters compute the same order as this one.
    code = ("from quizcore.domain import shuffle;"
            "print(shuffle.permutation(8, 'attempt-1', 'options', 'q1'))")
    outputs = {subprocess.run([sys.executable, "-c", code], capture_output=True,  # noqa: S603
                              text=True, check=True).stdout for _ in range(2)}
    assert outputs == {f"{shuffle.permutation(8, 'attempt-1', 'options', 'q1')}\n"}
