"""Per-attempt question and option order.

With ``randomize_questions`` / ``randomize_options`` each attempt shows the quiz in its own
order. The order is *derived* from the attempt id, never stored: the same attempt always gets
the same order (on resume, on another server, after a restart), and two attempts almost
always differ.

A permutation ``perm`` lists original indexes in the order shown: the option a student sees
at position ``i`` is the question's original option ``perm[i]``. Students send and read
*shown* indexes; :func:`to_original` / :func:`to_shown` translate, so answers are stored,
graded, exported and shown to teachers in the question's original order.

Only multiple-choice options are shuffled: True/False keep their conventional order.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence

from ..models import QuestionType

#: Question types whose options are shuffled with ``randomize_options``.
SHUFFLED_OPTION_TYPES = frozenset({QuestionType.MCQ.value,
                                   QuestionType.MULTIPLE_ANSWER.value})


def _rng(*parts: str) -> random.Random:
    # A seed from SHA-256 of the parts, not hash(): str hashing is salted per process, and
    # the order must be the same in every worker and after every restart.
    digest = hashlib.sha256(":".join(parts).encode("utf-8")).digest()
    return random.Random(int.from_bytes(digest[:16], "big"))


def rng(*parts: str) -> random.Random:
    """A generator seeded deterministically by ``parts`` (e.g. an attempt's pool draws)."""
    return _rng(*parts)


def permutation(size: int, *seed_parts: str) -> tuple[int, ...]:
    """A deterministic permutation of ``range(size)`` seeded by ``seed_parts``."""
    order = list(range(size))
    _rng(*seed_parts).shuffle(order)
    return tuple(order)


def question_order(attempt_id: str, question_count: int, randomize: bool) -> tuple[int, ...]:
    """Quiz positions in the order this attempt shows them."""
    if not randomize:
        return tuple(range(question_count))
    return permutation(question_count, attempt_id, "questions")


def option_order(attempt_id: str, question_id: str, option_count: int, question_type: str,
                 randomize: bool) -> tuple[int, ...]:
    """Original option indexes in the order this attempt shows them for one question."""
    if not randomize or str(question_type) not in SHUFFLED_OPTION_TYPES:
        return tuple(range(option_count))
    return permutation(option_count, attempt_id, "options", question_id)


def choice_order(attempt_id: str, question_id: str, count: int) -> tuple[int, ...]:
    """The order of a matching question's ``choices`` or an ordering question's ``items`` in
    one attempt. Always shuffled (whatever ``randomize_options`` says), since the teacher's
    order gives the answer away; for the same reason a draw that comes out in the teacher's
    order is rotated by one place (still deterministic, still a permutation)."""
    perm = permutation(count, attempt_id, "choices", question_id)
    if count > 1 and perm == tuple(range(count)):
        perm = perm[1:] + perm[:1]
    return perm


def to_original(perm: Sequence[int], shown_index: int) -> int:
    """The original index of the option shown at ``shown_index``."""
    return perm[shown_index]


def to_shown(perm: Sequence[int], original_index: int) -> int:
    """Where the original option ``original_index`` is shown."""
    return list(perm).index(original_index)


def apply(perm: Sequence[int], items: Sequence):
    """``items`` (in original order) rearranged as shown."""
    return [items[i] for i in perm]
