"""GIFT, Moodle's text format (reading and writing), as Moodle documents it.

Questions are separated by blank lines; ``//`` starts a comment line; ``$CATEGORY: path``
sets the topic of what follows; ``::title::`` names a question; ``[html]``, ``[moodle]``,
``[plain]``, ``[markdown]`` give a text's format; ``\\~ \\= \\# \\{ \\} \\: \\\\`` escape
the special characters and ``\\n`` is a new line. Answer blocks:

* ``{}`` essay; ``{T}`` / ``{FALSE#wrong feedback#right feedback}`` true/false;
* ``{=right ~wrong#feedback}`` multiple choice, ``~%50%a ~%50%b ~%-100%c`` multiple answers
  (weights), ``{=a =%50%b}`` short answer (``=%0%*`` catch-all);
* ``{=left -> right ...}`` matching;
* ``{#3:0.5}`` (value:tolerance), ``{#1..5}`` (range), ``{#=%50%3:1 =3:0.1#feedback}``
  numerical;
* ``####general feedback`` before the closing brace; text after the block makes a
  "missing word" question (the block's place shown as ``_____``).

A parser is written here because no maintained Python GIFT library exists on PyPI; it
follows Moodle's ``qformat_gift`` rules.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator

from . import ir
from .ir import Choice, InterchangeQuestion, NumericAnswer
from .safety import InterchangeFileProblem, Limits, decode_text
from .text import plain, topic_of

_ESCAPES = {"\\\\": "\ue000", "\\~": "\ue001", "\\=": "\ue002", "\\#": "\ue003",
            "\\{": "\ue004", "\\}": "\ue005", "\\:": "\ue006"}
_UNESCAPE = {code: raw[1] for raw, code in _ESCAPES.items()}
_ESCAPE_RE = re.compile(r"\\[\\~=#{}:]")
_FORMAT = re.compile(r"^\s*\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_RANGE = re.compile(rf"^({_NUMBER})\.\.({_NUMBER})$")
_TOLERANCE = re.compile(rf"^({_NUMBER})(?::({_NUMBER}))?$")
FORMATS = {"html": "html", "moodle": "moodle_auto_format", "plain": "plain_text",
           "markdown": "markdown"}


def _protect(text: str) -> str:
    return _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group(0)], text).replace("\\n", "\n")


def _release(text: str) -> str:
    return "".join(_UNESCAPE.get(char, char) for char in text)


def _clean(text: str, question: InterchangeQuestion | None = None) -> str:
    """A protected text piece, its ``[format]`` applied, escapes undone."""
    text_format = "moodle_auto_format"
    match = _FORMAT.match(text)
    if match:
        text_format = FORMATS[match.group(1).lower()]
        text = text[match.end():]
    value, files = plain(_release(text).strip(), text_format)
    if files and question is not None:
        question.warnings.append(f"embedded file(s) {', '.join(files)} dropped: the bank "
                                 "stores no files")
    return value


def blocks(text: str) -> Iterator[tuple[int, str, list[str]]]:
    """``(first line number, block, its comment lines)`` of every question or category;
    a block's comments are the ``//`` lines since the previous block."""
    current: list[str] = []
    comments: list[str] = []
    start = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("//"):
            comments.append(line.lstrip()[2:])
            continue
        if line.strip():
            if not current:
                start = number
            current.append(line)
        elif current:
            yield start, "\n".join(current), comments
            current, comments = [], []
    if current:
        yield start, "\n".join(current), comments


#: Moodle 4's GIFT tags: ``// [tag:name]`` in a question's comments, ``\]`` escaping a
#: bracket (qformat_gift::extract_idnumber_and_tags_from_comment).
_TAG = re.compile(r"\[tag:((?:\\\]|[^\]<>`\x00-\x1f])+)\]")


def tags_of(comments: list[str]) -> list[str]:
    """The tags named in a question's comment lines, in order."""
    tags = (match.group(1).replace("\\]", "]").strip()
            for comment in comments for match in _TAG.finditer(comment))
    return [tag for tag in tags if tag]


def read(data: bytes, limits: Limits) -> Iterator[InterchangeQuestion]:
    topic = None
    for line, block, comments in blocks(decode_text(data, "The GIFT file")):
        protected = _protect(block).strip()
        if protected.startswith("$CATEGORY:"):
            topic = topic_of(_release(protected[len("$CATEGORY:"):]).strip())
            continue
        question = _question(protected, topic, line)
        question.tags = tags_of(comments)
        yield question


def _question(block: str, topic: str | None, line: int) -> InterchangeQuestion:
    name = None
    title = re.match(r"^::(.*?)::", block, re.DOTALL)
    if title:
        name = _release(title.group(1)).strip()
        block = block[title.end():]
    question = InterchangeQuestion(type=ir.TEXT_ONLY, text="", name=name, topic=topic,
                                   source=f"line {line}" + (f" ({name})" if name else ""))
    opening = block.find("{")
    if opening < 0:
        question.text = _clean(block, question)
        return question
    closing = block.find("}", opening)
    if closing < 0:
        question.type = "unreadable"
        question.warnings.append("the answer block has no closing }")
        question.text = _clean(block, question)
        return question
    before, answers, after = block[:opening], block[opening + 1:closing], block[closing + 1:]
    question.text = _clean(before + (" _____ " + after if after.strip() else ""), question)
    answers, _, general = answers.partition("####")
    if general:
        question.feedback = _clean(general, question) or None
    _answers(question, answers.strip())
    return question


def _split_feedback(piece: str) -> tuple[str, str | None]:
    text, hash_, feedback = piece.partition("#")
    return text, (_clean(feedback) or None) if hash_ else None


def _weight(piece: str, default: float) -> tuple[str, float]:
    match = _WEIGHT.match(piece.strip())
    if not match:
        return piece.strip(), default
    return piece.strip()[match.end():], float(match.group(1)) / 100


def _answers(q: InterchangeQuestion, answers: str) -> None:
    if not answers:
        q.type = ir.DESCRIPTIVE
        return
    if answers.startswith("#"):
        q.type = ir.NUMERICAL
        _numeric(q, answers[1:].strip())
        return
    head, _, feedback = answers.partition("#")
    if head.strip().upper() in ("T", "TRUE", "F", "FALSE"):
        q.type = ir.TRUE_FALSE
        q.truth = head.strip().upper().startswith("T")
        wrong, _, right = feedback.partition("#")
        wrong_text, right_text = _clean(wrong) or None, _clean(right) or None
        q.true_feedback, q.false_feedback = (right_text, wrong_text) if q.truth else \
            (wrong_text, right_text)
        return
    pieces = [p for p in re.split(r"(?=[=~])", answers) if p.strip()]
    if any(not p.lstrip().startswith(("=", "~")) for p in pieces):
        q.type = "unreadable"
        q.warnings.append("answers must start with = or ~")
        return
    if all(p.lstrip().startswith("=") and "->" in p for p in pieces):
        q.type = ir.MATCHING
        for piece in pieces:
            left, _, right = piece.lstrip()[1:].partition("->")
            # Moodle reads the right-hand side as plain text (no [format] there).
            left, right = _clean(left), _release(right).strip()
            if left:
                q.pairs.append((left, right))
            else:
                q.warnings.append(f"distractor {right!r} without a left-hand item dropped")
        return
    choices = []
    for piece in pieces:
        marker, body = piece.lstrip()[0], piece.lstrip()[1:]
        body, credit = _weight(body, 1.0 if marker == "=" else 0.0)
        text, feedback = _split_feedback(body)
        choices.append(Choice(_clean(text, q), credit, feedback))
    q.choices = choices
    if all(p.lstrip().startswith("=") for p in pieces):
        q.type = ir.SHORT_ANSWER
    elif not any(p.lstrip().startswith("=") for p in pieces) and \
            any(c.credit > 0 for c in choices):
        # Only ~ answers, some with a positive %weight%: Moodle's multiple-answer form
        # (a single-answer question marks its right answer with =).
        q.type = ir.MULTIPLE_ANSWER
    else:
        q.type = ir.MCQ


def _numeric(q: InterchangeQuestion, spec: str) -> None:
    for piece in (p for p in re.split(r"(?=[=~])", spec) if p.strip()):
        piece = piece.strip()
        wrong = piece.startswith("~")
        if piece[:1] in "=~":
            piece = piece[1:]
        piece, credit = _weight(piece, 0.0 if wrong else 1.0)
        text, feedback = _split_feedback(piece)
        text = _release(text).strip()
        if not text:  # "~#feedback": what any other answer gets
            continue
        answer = _numeric_answer(text)
        if answer is None:
            q.warnings.append(f"numeric answer {text!r} is not a number, range or "
                              "value:tolerance; dropped")
            continue
        answer.credit, answer.feedback = credit, feedback
        q.numeric.append(answer)


def _numeric_answer(text: str) -> NumericAnswer | None:
    match = _RANGE.match(text)
    if match:
        low, high = sorted((float(match.group(1)), float(match.group(2))))
        return NumericAnswer((low + high) / 2, (high - low) / 2)
    match = _TOLERANCE.match(text)
    if match:
        value, tolerance = float(match.group(1)), float(match.group(2) or 0)
        if math.isfinite(value) and math.isfinite(tolerance):
            return NumericAnswer(value, abs(tolerance))
    return None


# -- writing ---------------------------------------------------------------------------------


def escape(text: str | None) -> str:
    text = text or ""
    for char in "\\~=#{}:":
        text = text.replace(char, "\\" + char)
    return text.replace("\r\n", "\n").replace("\n", "\\n")


def plain_text(text: str | None) -> str:
    """Escaped and marked ``[plain]``, so that Moodle (and this reader) keep ``<`` as is."""
    return "[plain]" + escape(text)


def _percent(credit: float) -> str:
    return f"%{credit * 100:.10g}%"


def _feedback(text: str | None) -> str:
    return f"#{plain_text(text)}" if text else ""


def write(questions: Iterable[InterchangeQuestion]) -> bytes:
    out: list[str] = []
    topic: object = object()
    for q in questions:
        if q.topic != topic:
            topic = q.topic
            path = "/" + q.topic.replace("/", "//") if q.topic else ""
            out.append(f"$CATEGORY: $course$/top{path}\n")
        tags = " ".join(f"[tag:{tag.replace(']', chr(92) + ']')}]" for tag in q.tags)
        out.append((f"// {tags}\n" if tags else "") + _question_text(q) + "\n")
    return "\n".join(out).encode("utf-8")


def _question_text(q: InterchangeQuestion) -> str:
    title = f"::{escape(q.name)}::" if q.name else ""
    text = f"{title}[plain]{escape(q.text)}"
    general = f"####{plain_text(q.feedback)}" if q.feedback else ""
    kind = q.type
    if kind == ir.TEXT_ONLY:
        return text
    if kind == ir.DESCRIPTIVE:
        return f"{text}{{{general}}}"
    if kind == ir.TRUE_FALSE:
        right, wrong = (q.true_feedback, q.false_feedback) if q.truth else \
            (q.false_feedback, q.true_feedback)
        feedback = f"#{plain_text(wrong)}#{plain_text(right)}" if right or wrong else ""
        return f"{text}{{{'TRUE' if q.truth else 'FALSE'}{feedback}{general}}}"
    lines: list[str] = []
    if kind == ir.MCQ:
        best = max(range(len(q.choices)), key=lambda i: q.choices[i].credit, default=-1)
        for index, choice in enumerate(q.choices):
            marker = "=" if index == best else "~"
            weight = _percent(choice.credit) if index != best and choice.credit else ""
            lines.append(f"{marker}{weight}{plain_text(choice.text)}"
                         f"{_feedback(choice.feedback)}")
    elif kind == ir.MULTIPLE_ANSWER:
        lines = [f"~{_percent(c.credit)}{plain_text(c.text)}{_feedback(c.feedback)}"
                 for c in q.choices]
    elif kind == ir.SHORT_ANSWER:
        lines = [f"={_percent(c.credit) if c.credit != 1 else ''}{plain_text(c.text)}"
                 f"{_feedback(c.feedback)}" for c in q.choices]
    elif kind == ir.NUMERICAL:
        lines = ["#"] + [f"={_percent(a.credit) if a.credit != 1 else ''}"
                         f"{a.value!r}:{_abs_tolerance(a)!r}{_feedback(a.feedback)}"
                         for a in q.numeric]
    elif kind == ir.MATCHING:
        lines = [f"={plain_text(left)} -> {escape(right)}" for left, right in q.pairs]
    else:
        raise InterchangeFileProblem(f"GIFT has no {kind} questions.")
    body = "\n    ".join(lines)
    return f"{text}{{\n    {body}\n{general}}}"


def _abs_tolerance(answer: NumericAnswer) -> float:
    if answer.tolerance_type == "relative":
        return abs(answer.value) * answer.tolerance
    return answer.tolerance
