"""Round trip over generated banks: export -> import into an empty bank gives back the same
questions, types, options, credits and feedback, in every format.

Two levels: the interchange model for every type (including those the running bank may not
take yet), and the bank itself: what the bank's own schema and rules accept after the trip
equals what they accepted before."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quiz_plugins.csv_import.interchange import bank, ir
from quiz_plugins.csv_import.interchange.safety import Limits
from quizcore.domain import questions as rules

pytestmark = pytest.mark.plugin("quiz_plugins.csv_import")

FORMATS = ("moodle_xml", "gift", "qti")
# Characters every format must escape or keep: XML and GIFT specials, accents, quotes.
ALPHABET = "abcXYZ019 éß~=#{}:\\<>&\"'?!.,"


def _words(text: str) -> str:
    return " ".join(text.split())


texts = st.text(ALPHABET, min_size=1, max_size=40).map(_words).filter(
    lambda t: t and t != "*" and not t.startswith(("T ", "F ")) and t.upper() not in
    ("T", "F", "TRUE", "FALSE"))
feedback = st.none() | texts
topics = st.none() | st.from_regex(r"[A-Za-z]{1,8}( [A-Za-z]{1,8})?(/[A-Za-z]{1,8}){0,2}",
                                   fullmatch=True).filter(
    lambda t: "top" not in t.split("/") and not t.startswith("Default for "))


tags = st.lists(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9 _-]{0,20}", fullmatch=True).map(
    str.strip), max_size=3, unique_by=str.casefold)

#: What each format cannot carry (README, "Question interchange"): GIFT has no marks and
#: no case-sensitivity flag, QTI 2.1 no tags and no ordering scoring.
LOST = {"gift": ("marks", "case_sensitive"), "qti": ("tags", "ordering_scoring"),
        "moodle_xml": ()}


@st.composite
def stored_questions(draw, kinds):
    kind = draw(st.sampled_from(kinds))
    values = {"type": kind, "text": draw(texts), "topic": draw(topics),
              "marks": draw(st.integers(1, 20)), "feedback": draw(feedback),
              "tags": draw(tags) or None}
    if kind in (ir.MCQ, ir.MULTIPLE_ANSWER):
        options = draw(st.lists(texts, min_size=2, max_size=6, unique=True))
        values["options"] = options
        values["option_feedback"] = draw(st.lists(feedback, min_size=len(options),
                                                  max_size=len(options)))
        if kind == ir.MCQ:
            values["correct_answer"] = draw(st.integers(0, len(options) - 1))
        else:
            values["correct_answers"] = sorted(draw(st.sets(
                st.integers(0, len(options) - 1), min_size=1)))
    elif kind == ir.TRUE_FALSE:
        values["correct_answer"] = draw(st.sampled_from([0, 1]))
        values["true_feedback"] = draw(feedback)
        values["false_feedback"] = draw(feedback)
    elif kind == ir.SHORT_ANSWER:
        values["accepted_answers"] = draw(st.lists(texts, min_size=1, max_size=4, unique=True)
                                          .filter(lambda a: not any("->" in t for t in a)))
    elif kind == ir.NUMERICAL:
        # Best first: QTI's response processing takes the first matching branch.
        values["numeric_answers"] = [
            {"value": draw(st.floats(-1e6, 1e6).map(lambda f: round(f, 4))),
             "tolerance": draw(st.sampled_from([0.0, 0.5, 2.0])), "tolerance_type": "absolute",
             "credit": credit} for credit in [1.0] + draw(st.lists(
                 st.sampled_from([0.5, 0.25]), max_size=2).map(lambda c: sorted(c, reverse=True)))]
    elif kind == ir.MATCHING:
        values["pairs"] = [{"left": left, "right": right} for left, right in draw(
            st.lists(st.tuples(texts, texts), min_size=2, max_size=5,
                     unique_by=lambda p: p[0]))]
    elif kind == ir.ORDERING:
        values["items"] = draw(st.lists(texts, min_size=2, max_size=5, unique=True))
        values["scoring"] = draw(st.sampled_from(["all_or_nothing", "partial"]))
    elif kind == ir.DESCRIPTIVE:
        values["sample_answer"] = None
    return values


ALL_KINDS = [ir.MCQ, ir.MULTIPLE_ANSWER, ir.TRUE_FALSE, ir.SHORT_ANSWER, ir.NUMERICAL,
             ir.MATCHING, ir.ORDERING, ir.DESCRIPTIVE]


def _trip(file_format: str, questions: list[ir.InterchangeQuestion]):
    data, warnings = bank.write(file_format, questions)
    return list(bank.READERS[file_format](data, Limits())), warnings


def _kept(values: dict, file_format: str) -> dict:
    """``values`` without what ``file_format`` cannot carry."""
    lost = LOST[file_format]
    values = {key: value for key, value in values.items() if key not in lost}
    if "ordering_scoring" in lost and values.get("type") == ir.ORDERING:
        values.pop("scoring", None)
    return values


#: Compared outside the body, where each format keeps them in its own way.
OUTSIDE_BODY = ("marks", "option_feedback", "feedback", "true_feedback", "false_feedback",
                "tags")


def _essence(question: ir.InterchangeQuestion, file_format: str) -> dict:
    body = {key: value for key, value in question.body().items() if key not in OUTSIDE_BODY}
    return _kept({
        "type": question.type, "text": question.text, "topic": question.topic,
        "marks": question.marks, "tags": question.tags, "body": _kept(body, file_format),
        "feedback": question.feedback,
        "choices": [(c.text, round(c.credit, 6), c.feedback) for c in question.choices
                    ] if question.type in (ir.MCQ, ir.MULTIPLE_ANSWER) else None,
        "tf": (question.true_feedback, question.false_feedback)
        if question.type == ir.TRUE_FALSE else None}, file_format)


@pytest.mark.parametrize("file_format", FORMATS)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stored=st.lists(stored_questions(ALL_KINDS), min_size=1, max_size=8))
def test_every_type_survives_the_trip_in_the_interchange_model(file_format, stored):
    originals = [ir.from_stored(values) for values in stored]
    back, warnings = _trip(file_format, originals)
    kept = [q for q in originals if not (file_format == "gift" and q.type == ir.ORDERING)]
    assert len(warnings) == len(originals) - len(kept)
    assert [_essence(q, file_format) for q in back] == [_essence(q, file_format) for q in kept]


@pytest.mark.parametrize("file_format", FORMATS)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_bank_accepts_the_same_questions_after_the_trip(file_format, data):
    kinds = [kind for kind in ALL_KINDS if kind in bank.accepted_types()
             # GIFT has no ordering question: its export leaves them out with a warning
             and not (file_format == "gift" and kind == ir.ORDERING)]
    stored = data.draw(st.lists(stored_questions(kinds), min_size=1, max_size=8))
    types, fields = bank.accepted_types(), bank.accepted_fields()
    before = [bank.check(ir.from_stored(values), types, fields)[0] for values in stored]
    back, _ = _trip(file_format, [ir.from_stored(values) for values in stored])
    after = [bank.check(question, types, fields)[0] for question in back]
    keys = [f for f in rules.FIELDS if f not in ("sample_answer", "marking_rubric")]
    assert [_kept({k: q[k] for k in keys} | {"type": str(q["type"])}, file_format)
            for q in after] == [_kept({k: q[k] for k in keys} | {"type": str(q["type"])},
                                      file_format) for q in before]
