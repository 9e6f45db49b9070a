"""The format-neutral question every reader produces and every writer consumes.

:class:`InterchangeQuestion` knows the question kinds of Moodle, GIFT and QTI. It maps to the
body ``POST /api/questions`` accepts (:meth:`InterchangeQuestion.body`, the API.md shape,
including the types ``multiple_answer``, ``numerical``, ``matching`` and ``ordering``), and a
stored question maps back to it (:func:`from_stored`), so the readers and writers never
depend on which types the running bank accepts: :mod:`.bank` decides that from the schema.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

#: Type names of the interchange model (the bank's names, plus text_only for a Moodle
#: "description" or a Canvas "text only" item, which carry no answer).
MCQ = "mcq"
MULTIPLE_ANSWER = "multiple_answer"
TRUE_FALSE = "true_false"
SHORT_ANSWER = "short_answer"
NUMERICAL = "numerical"
MATCHING = "matching"
ORDERING = "ordering"
DESCRIPTIVE = "descriptive"
TEXT_ONLY = "text_only"


@dataclass
class Choice:
    """An option (mcq, multiple_answer) or an accepted answer (short_answer).

    ``credit`` is the fraction of the marks it earns, -1..1 (Moodle's fraction / 100)."""

    text: str
    credit: float = 0.0
    feedback: str | None = None


@dataclass
class NumericAnswer:
    value: float
    tolerance: float = 0.0
    tolerance_type: str = "absolute"  # absolute | relative
    credit: float = 1.0
    feedback: str | None = None


@dataclass
class InterchangeQuestion:
    type: str
    text: str
    name: str | None = None
    topic: str | None = None
    marks: float = 1.0
    choices: list[Choice] = field(default_factory=list)
    #: true_false: the right answer.
    truth: bool | None = None
    numeric: list[NumericAnswer] = field(default_factory=list)
    pairs: list[tuple[str, str]] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    case_sensitive: bool = False
    #: multiple_answer: all_or_nothing | partial | partial_negative.
    scoring: str | None = None
    feedback: str | None = None
    true_feedback: str | None = None
    false_feedback: str | None = None
    sample_answer: str | None = None
    marking_rubric: str | None = None
    difficulty: str | None = None
    tags: list[str] = field(default_factory=list)
    #: Where the question was in its file ("question 3", "item q12"), for the report.
    source: str = ""
    warnings: list[str] = field(default_factory=list)

    # -- to the bank ---------------------------------------------------------------------

    def body(self) -> dict[str, Any]:
        """The question as ``POST /api/questions`` takes it (API.md field names). Fields a
        bank does not store are dropped later, with a warning, by :mod:`.bank`."""
        body: dict[str, Any] = {"type": self.type, "text": self.text,
                                "marks": self._marks(), "topic": self.topic,
                                "difficulty": self.difficulty}
        kind = self.type
        if kind == MCQ:
            body["options"] = [choice.text for choice in self.choices]
            best = max(range(len(self.choices)), key=lambda i: self.choices[i].credit,
                       default=None)
            body["correct_answer"] = best
            partial = [c for i, c in enumerate(self.choices) if i != best and c.credit > 0]
            if partial:
                self.warnings.append(
                    f"{len(partial)} option(s) earn partial credit; a single-answer "
                    "question keeps only the best option as right")
        elif kind == MULTIPLE_ANSWER:
            body["options"] = [choice.text for choice in self.choices]
            body["correct_answers"] = [i for i, c in enumerate(self.choices) if c.credit > 0]
            body["scoring"] = self.scoring or (
                "partial_negative" if any(c.credit < 0 for c in self.choices) else "partial")
        elif kind == TRUE_FALSE:
            body["correct_answer"] = 0 if self.truth else 1
        elif kind == SHORT_ANSWER:
            accepted = [c for c in self.choices if c.credit > 0 and c.text != "*"]
            if any(c.credit < 1 for c in accepted):
                self.warnings.append("answers with partial credit are accepted as fully "
                                     "right")
            if any(c.text == "*" for c in self.choices):
                self.warnings.append("the catch-all answer * was dropped")
            body["accepted_answers"] = [c.text for c in accepted]
            body["case_sensitive"] = self.case_sensitive
        elif kind == NUMERICAL:
            body["numeric_answers"] = [
                {"value": a.value, "tolerance": a.tolerance, "tolerance_type": a.tolerance_type,
                 "credit": a.credit} for a in self.numeric if a.credit > 0]
        elif kind == MATCHING:
            body["pairs"] = [{"left": left, "right": right} for left, right in self.pairs]
        elif kind == ORDERING:
            body["items"] = list(self.items)
            if self.scoring is not None:
                body["scoring"] = self.scoring
        elif kind == DESCRIPTIVE:
            body["sample_answer"] = self.sample_answer
            body["marking_rubric"] = self.marking_rubric
        if self.feedback is not None:
            body["feedback"] = self.feedback
        if kind == TRUE_FALSE and (self.true_feedback or self.false_feedback):
            body["true_feedback"] = self.true_feedback
            body["false_feedback"] = self.false_feedback
        choice_feedback = [c.feedback for c in self.choices]
        if kind in (MCQ, MULTIPLE_ANSWER) and any(choice_feedback):
            body["option_feedback"] = choice_feedback
        if self.tags:
            body["tags"] = list(self.tags)
        return body

    def _marks(self) -> int:
        marks = self.marks
        if not math.isfinite(marks) or marks <= 0:
            self.warnings.append(f"marks {marks:g} is not positive; the question is worth 1")
            return 1
        whole = max(1, round(marks))
        if whole != marks:
            self.warnings.append(f"marks {marks:g} rounded to {whole}")
        return whole


def from_stored(values: dict[str, Any]) -> InterchangeQuestion:
    """A stored question (the fields ``GET /api/questions/{id}`` shows, as a dict) in the
    interchange model. Fields of types this bank may not have are read when present."""
    kind = str(values["type"])
    question = InterchangeQuestion(type=kind, text=values["text"], topic=values.get("topic"),
                                   marks=float(values.get("marks") or 1),
                                   difficulty=_text(values.get("difficulty")),
                                   feedback=values.get("feedback"),
                                   tags=list(values.get("tags") or []),
                                   case_sensitive=bool(values.get("case_sensitive")))
    options = list(values.get("options") or [])
    feedback = list(values.get("option_feedback") or [])
    feedback += [None] * (len(options) - len(feedback))
    if kind == MCQ:
        question.choices = [Choice(text, 1.0 if i == values.get("correct_answer") else 0.0,
                                   feedback[i]) for i, text in enumerate(options)]
    elif kind == MULTIPLE_ANSWER:
        right = set(values.get("correct_answers") or [])
        share = 1.0 / len(right) if right else 0.0
        question.scoring = values.get("scoring")
        question.choices = [Choice(text, share if i in right else 0.0, feedback[i])
                            for i, text in enumerate(options)]
    elif kind == TRUE_FALSE:
        question.truth = values.get("correct_answer") in (0, True)
        question.true_feedback = values.get("true_feedback")
        question.false_feedback = values.get("false_feedback")
    elif kind == SHORT_ANSWER:
        question.choices = [Choice(text, 1.0) for text in values.get("accepted_answers") or []]
    elif kind == NUMERICAL:
        question.numeric = [NumericAnswer(float(a["value"]), float(a.get("tolerance") or 0),
                                          a.get("tolerance_type") or "absolute",
                                          float(a.get("credit", 1)))
                            for a in values.get("numeric_answers") or []]
    elif kind == MATCHING:
        question.pairs = [(p["left"], p["right"]) for p in values.get("pairs") or []]
    elif kind == ORDERING:
        question.items = list(values.get("items") or [])
        question.scoring = values.get("scoring") or "all_or_nothing"
    elif kind == DESCRIPTIVE:
        question.sample_answer = values.get("sample_answer")
        question.marking_rubric = values.get("marking_rubric")
    return question


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return str(getattr(value, "value", value))
