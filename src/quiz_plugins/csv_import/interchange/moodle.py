"""Moodle XML (``<quiz><question type=...>``): reading and writing.

Read: multichoice (single answer -> ``mcq``, several -> ``multiple_answer`` with each
answer's fraction as its credit), truefalse, shortanswer (``usecase`` -> case_sensitive),
numerical (``tolerance``, absolute as Moodle's), matching (subquestions; unmatched right-hand
distractors are dropped with a warning), ordering (the answers in their right order), essay
(``graderinfo`` -> marking_rubric) and description (``text_only``). Categories become topics,
``generalfeedback`` and answer feedback are kept, ``<tags>`` become tags. Other Moodle types
(cloze, calculated, drag and drop...) are reported as skipped.

Question text is HTML in Moodle and plain text in the bank: tags are removed, the text
kept. **Embedded files** (``<file>`` elements, referred to as ``@@PLUGINFILE@@/name``) are
dropped with a warning per question: the bank stores no files, and inlining them as data
URIs would put megabytes of base64 into a text column and into every student's quiz
payload. The reference's alt text stays in the text so the teacher sees what is missing.

Written: questions in the same elements, text as ``plain_text``, one category element per
topic; what this module writes, it reads back unchanged.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from xml.etree.ElementTree import Element, SubElement

from . import ir
from .ir import Choice, InterchangeQuestion, NumericAnswer
from .safety import InterchangeFileProblem, Limits, parse_xml
from .text import plain, topic_of, xml_document

TYPES = {"multichoice": ir.MCQ, "truefalse": ir.TRUE_FALSE, "shortanswer": ir.SHORT_ANSWER,
         "numerical": ir.NUMERICAL, "matching": ir.MATCHING, "ordering": ir.ORDERING,
         "essay": ir.DESCRIPTIVE, "description": ir.TEXT_ONLY}


def _text(element: Element | None, path: str = "text") -> tuple[str | None, str | None]:
    if element is None:
        return None, None
    node = element.find(path)
    return (node.text if node is not None else None), element.get("format")


def _plain(element: Element | None, question: InterchangeQuestion) -> str | None:
    raw, text_format = _text(element)
    if raw is None:
        return None
    text, files = plain(raw, text_format)
    files += [f.get("name") or "?" for f in element.findall("file")]
    if files:
        question.warnings.append(
            f"embedded file(s) {', '.join(sorted(set(files)))} dropped: the bank stores no "
            "files")
    return text or None


def _number(text: str | None, default: float = 0.0) -> float:
    try:
        value = float((text or "").strip())
    except ValueError:
        return default
    return value if math.isfinite(value) else default


def read(data: bytes, limits: Limits) -> Iterator[InterchangeQuestion]:
    root = parse_xml(data, limits, "The Moodle XML file")
    if root.tag != "quiz":
        raise InterchangeFileProblem(f"A Moodle XML file starts with <quiz>, not <{root.tag}>.")
    topic = None
    for number, element in enumerate(root.findall("question"), start=1):
        qtype = element.get("type") or ""
        if qtype == "category":
            topic = topic_of(_text(element.find("category"))[0])
            continue
        yield _question(element, qtype, topic, number)


def _question(element: Element, qtype: str, topic: str | None, number: int
              ) -> InterchangeQuestion:
    name = _text(element.find("name"))[0]
    question = InterchangeQuestion(type=TYPES.get(qtype, qtype), text="", name=name,
                                   topic=topic, source=f"question {number}"
                                   + (f" ({name})" if name else ""))
    question.text = _plain(element.find("questiontext"), question) or ""
    question.feedback = _plain(element.find("generalfeedback"), question)
    question.marks = _number(element.findtext("defaultgrade"), 1.0)
    question.tags = [t.text.strip() for t in element.findall("tags/tag/text") if t.text]
    answers = element.findall("answer")
    kind = question.type

    def choices() -> list[Choice]:
        return [Choice(_plain(answer, question) or "", _number(answer.get("fraction")) / 100,
                       _plain(answer.find("feedback"), question)) for answer in answers]

    if qtype == "multichoice":
        question.choices = choices()
        single = (element.findtext("single") or "true").strip().lower() in ("true", "1")
        if not single:
            question.type = ir.MULTIPLE_ANSWER
    elif kind == ir.TRUE_FALSE:
        question.choices = choices()
        right = max(question.choices, key=lambda c: c.credit, default=None)
        question.truth = right is not None and right.text.strip().lower() == "true"
        for choice in question.choices:
            if choice.text.strip().lower() == "true":
                question.true_feedback = choice.feedback
            else:
                question.false_feedback = choice.feedback
    elif kind == ir.SHORT_ANSWER:
        question.choices = choices()
        question.case_sensitive = (element.findtext("usecase") or "0").strip() == "1"
    elif kind == ir.NUMERICAL:
        for answer in answers:
            value = _number(_text(answer)[0], math.nan)
            if math.isnan(value):
                question.warnings.append(f"numeric answer {_text(answer)[0]!r} dropped")
                continue
            question.numeric.append(NumericAnswer(
                value, abs(_number(answer.findtext("tolerance"))), "absolute",
                _number(answer.get("fraction")) / 100, _plain(answer.find("feedback"), question)))
    elif kind == ir.MATCHING:
        for sub in element.findall("subquestion"):
            left = _plain(sub, question)
            right, _ = plain(sub.findtext("answer/text"), "plain_text")
            if left:
                question.pairs.append((left, right))
            else:
                question.warnings.append(f"distractor {right!r} without a left-hand item "
                                         "dropped")
    elif kind == ir.ORDERING:
        question.items = [_plain(answer, question) or "" for answer in answers]
        question.scoring = _ordering_scoring(element.findtext("gradingtype"), question)
    elif kind == ir.DESCRIPTIVE:
        question.marking_rubric = _plain(element.find("graderinfo"), question)
        question.sample_answer = _plain(element.find("responsetemplate"), question)
    return question


#: qtype_ordering's grading types (by name, as its export writes them, or by number) that
#: the bank's two ordering rules match exactly.
_ORDERING_GRADING = {"ALL_OR_NOTHING": "all_or_nothing", "-1": "all_or_nothing",
                     "RELATIVE_NEXT_EXCLUDE_LAST": "partial", "1": "partial"}


def _ordering_scoring(grading: str | None, question: InterchangeQuestion) -> str | None:
    """The bank's ordering ``scoring`` for a qtype_ordering ``<gradingtype>``: the two rules
    the bank has map exactly; Moodle's other partial rules (absolute position, longest
    subset...) become ``partial`` with a warning."""
    if grading is None or not grading.strip():
        return None
    grading = grading.strip().upper()
    if grading in _ORDERING_GRADING:
        return _ORDERING_GRADING[grading]
    question.warnings.append(f"ordering grading type {grading} is graded as partial credit "
                             "per adjacent pair (RELATIVE_NEXT_EXCLUDE_LAST)")
    return "partial"


# -- writing ---------------------------------------------------------------------------------


def _put_text(parent: Element, tag: str, value: str | None, **attrs: str) -> Element:
    node = SubElement(parent, tag, {"format": "plain_text", **attrs})
    SubElement(node, "text").text = value or ""
    return node


def _fraction(credit: float) -> str:
    return f"{credit * 100:.7g}"


def write(questions: Iterable[InterchangeQuestion]) -> bytes:
    root = Element("quiz")
    topic: object = object()
    for question in questions:
        if question.topic != topic:
            topic = question.topic
            category = SubElement(root, "question", type="category")
            SubElement(SubElement(category, "category"), "text").text = \
                "$course$/top" + (f"/{topic.replace('/', '//')}" if topic else "")
        root.append(_element(question))
    return xml_document(root)


_MOODLE_TYPES = {value: key for key, value in TYPES.items()}
_MOODLE_TYPES[ir.MULTIPLE_ANSWER] = "multichoice"


def _element(q: InterchangeQuestion) -> Element:
    element = Element("question", type=_MOODLE_TYPES.get(q.type, q.type))
    SubElement(SubElement(element, "name"), "text").text = q.name or q.text[:60]
    _put_text(element, "questiontext", q.text)
    _put_text(element, "generalfeedback", q.feedback)
    SubElement(element, "defaultgrade").text = f"{q.marks:g}"
    kind = q.type
    if kind in (ir.MCQ, ir.MULTIPLE_ANSWER):
        SubElement(element, "single").text = "true" if kind == ir.MCQ else "false"
        for choice in q.choices:
            answer = _put_text(element, "answer", choice.text, fraction=_fraction(choice.credit))
            _put_text(answer, "feedback", choice.feedback)
    elif kind == ir.TRUE_FALSE:
        for value, feedback in (("true", q.true_feedback), ("false", q.false_feedback)):
            answer = _put_text(element, "answer", value,
                               fraction="100" if (value == "true") == bool(q.truth) else "0")
            _put_text(answer, "feedback", feedback)
    elif kind == ir.SHORT_ANSWER:
        SubElement(element, "usecase").text = "1" if q.case_sensitive else "0"
        for choice in q.choices:
            answer = _put_text(element, "answer", choice.text, fraction=_fraction(choice.credit))
            _put_text(answer, "feedback", choice.feedback)
    elif kind == ir.NUMERICAL:
        for numeric in q.numeric:
            tolerance = numeric.tolerance
            if numeric.tolerance_type == "relative":  # Moodle's tolerance is absolute
                tolerance = abs(numeric.value) * numeric.tolerance
            answer = _put_text(element, "answer", repr(numeric.value),
                               fraction=_fraction(numeric.credit))
            SubElement(answer, "tolerance").text = repr(tolerance)
            _put_text(answer, "feedback", numeric.feedback)
    elif kind == ir.MATCHING:
        for left, right in q.pairs:
            sub = _put_text(element, "subquestion", left)
            SubElement(SubElement(sub, "answer"), "text").text = right
    elif kind == ir.ORDERING:
        SubElement(element, "gradingtype").text = (
            "RELATIVE_NEXT_EXCLUDE_LAST" if q.scoring == "partial" else "ALL_OR_NOTHING")
        for position, item in enumerate(q.items, start=1):
            _put_text(element, "answer", item, fraction=str(position))
    elif kind == ir.DESCRIPTIVE:
        _put_text(element, "graderinfo", q.marking_rubric)
        _put_text(element, "responsetemplate", q.sample_answer)
    if q.tags:
        tags = SubElement(element, "tags")
        for tag in q.tags:
            SubElement(SubElement(tags, "tag"), "text").text = tag
    return element
