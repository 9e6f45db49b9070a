"""Importing questions into a question bank: columns, how a row becomes a question, the
bulk write.

Columns (header names match case- and space-insensitively; aliases in brackets):

=========================  ==========================================================
column                     meaning
=========================  ==========================================================
text (question,            the question as students read it (required)
question_text)
type (question_type)       ``mcq`` (or "multiple choice"), ``true_false`` ("true/false",
                           "tf"), ``short_answer`` ("short answer"), ``descriptive``
                           ("essay", "long answer") (required)
topic                      optional, at most 100 characters
difficulty                 ``easy``, ``medium`` or ``hard``; optional
marks (points)             a whole number 1..999; blank means 1
options                    mcq: the options separated by ``|`` (``Paris|London|Rome``)
option_a .. option_j       mcq: one option per column instead (also ``option_1`` ..
                           ``option_10``); use these when an option contains ``|``
correct_answer (answer)    mcq: the right option's letter (``B``), its position counted
                           from 1 (``2``) or its text (``London``); a value that could
                           name two different options is refused; true_false: ``true``
                           or ``false`` (also yes/no, t/f); short_answer: the accepted
                           answers separated by ``|`` when ``accepted_answers`` is blank
accepted_answers           short_answer: the accepted answers separated by ``|``
sample_answer              descriptive: a model answer for the marker
(model_answer)
marking_rubric (rubric)    descriptive: how to award marks
correct_answers            multiple_answer: the right options separated by ``|``, each
                           a letter, a position from 1 or an option's text (``A|C``);
                           ``correct_answer`` is read when this is blank
scoring                    multiple_answer: ``all_or_nothing`` (default), ``partial``,
                           ``partial_negative``; ordering: ``all_or_nothing``, ``partial``
numeric_answers            numerical: accepted values separated by ``|``, each
                           ``value``, ``value±tolerance`` (absolute), ``value±5%``
                           (relative) and optionally ``@50%`` for its credit (default
                           100 %); ``+-`` may stand for ``±``: ``3.14|3.14±5%@50%``
decimal_comma              numerical: ``true`` when students type "3,14"; default false
pairs                      matching: ``left=right`` pairs separated by ``|``
                           (``France=Paris|Spain=Madrid``)
items                      ordering: the items in the right order separated by ``|``
                           (or option_a .. option_j)
case_sensitive             short_answer: ``true`` to compare case-sensitively
=========================  ==========================================================

Each row is then checked by the question bank's own rules
(:func:`quizcore.domain.questions.clean_question`: 2 to 10 options, text lengths, marks),
so an imported question is exactly what ``POST /api/questions`` would accept. Questions go
into the importing teacher's bank; an administrator imports into their own bank or names a
teacher with ``teacher_id``. Identical questions are not looked for: importing a file twice
adds its questions twice.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from quizcore.domain import people
from quizcore.domain import questions as rules
from quizcore.domain.errors import Forbidden, Invalid
from quizcore.models import Question, QuestionType, Teacher, User, new_uuid, utcnow

from .common import (
    Actor,
    ImportReport,
    Progress,
    RowError,
    alias_table,
    cell_text,
    check_rows,
    fold,
    no_progress,
    require_columns,
)
from .reader import Row, Table, normalize_header

OPTION_LETTERS = "ABCDEFGHIJ"[:rules.MAX_OPTIONS]
OPTION_COLUMNS = tuple(f"option_{letter.lower()}" for letter in OPTION_LETTERS)

ALIASES = alias_table({
    "text": ("text", "question", "question_text"),
    "type": ("type", "question_type"),
    "topic": ("topic",),
    "difficulty": ("difficulty",),
    "marks": ("marks", "mark", "points"),
    "options": ("options", "choices"),
    "correct_answer": ("correct_answer", "answer", "correct"),
    "accepted_answers": ("accepted_answers",),
    "sample_answer": ("sample_answer", "model_answer"),
    "marking_rubric": ("marking_rubric", "rubric"),
    "correct_answers": ("correct_answers",),
    "scoring": ("scoring",),
    "numeric_answers": ("numeric_answers", "numeric_answer"),
    "decimal_comma": ("decimal_comma",),
    "pairs": ("pairs",),
    "items": ("items",),
    "case_sensitive": ("case_sensitive",),
    # option_a .. option_j, also spelt option_1 .. option_10
    **{column: (column, f"option_{position}")
       for position, column in enumerate(OPTION_COLUMNS, start=1)},
})

REQUIRED_COLUMNS = ("text", "type")
DEFAULT_MARKS = 1
LIST_SEPARATOR = "|"
#: How much of a question's text the report repeats.
PREVIEW_LENGTH = 120
#: Questions per multi-row INSERT (a question may carry tens of kilobytes of text).
WRITE_CHUNK = 500

TYPE_NAMES = {
    QuestionType.MCQ: ("mcq", "multiple_choice", "multiple_choice_question", "choice"),
    QuestionType.TRUE_FALSE: ("true_false", "true_or_false", "truefalse", "tf", "t_f",
                              "boolean"),
    QuestionType.SHORT_ANSWER: ("short_answer", "short", "shortanswer"),
    QuestionType.DESCRIPTIVE: ("descriptive", "essay", "long_answer", "open"),
    QuestionType.MULTIPLE_ANSWER: ("multiple_answer", "multiple_response", "multi_select",
                                   "checkboxes"),
    QuestionType.NUMERICAL: ("numerical", "numeric", "number"),
    QuestionType.MATCHING: ("matching", "match"),
    QuestionType.ORDERING: ("ordering", "order", "sequence"),
}
_TYPES = {name: qtype for qtype, names in TYPE_NAMES.items() for name in names}
_WHOLE_NUMBER = re.compile(r"\+?(\d{1,9})(?:\.0*)?")
_TRUE = frozenset({"true", "t", "yes", "y"})
_FALSE = frozenset({"false", "f", "no", "n"})


class RowProblem(Exception):
    def __init__(self, column: str, message: str):
        super().__init__(message)
        self.column = column
        self.message = message


# -- owners ----------------------------------------------------------------------------------


def question_owner(session: Session, actor: Actor, teacher_id: str | None, *,
                   create_profile: bool) -> str:
    """Whose bank the questions join: a teacher's own; an administrator's own (a teacher
    profile is made for them on first use, unless ``create_profile`` is false, as in a dry
    run) or that of the teacher named by ``teacher_id``.

    Raises :class:`Forbidden` when a teacher names another teacher, :class:`Invalid` when
    ``teacher_id`` is not a teacher.
    """
    if not actor.is_admin:
        if teacher_id not in (None, actor.user_id):
            raise Forbidden("Only administrators import questions into another teacher's "
                            "bank.")
        return actor.user_id
    if teacher_id and teacher_id != actor.user_id:
        if session.get(Teacher, teacher_id) is None:
            raise Invalid("teacher_id is not a teacher.", field="teacher_id")
        return teacher_id
    if actor.user_id is None:
        raise Invalid("Name the teacher whose bank gets the questions.", field="teacher_id")
    if create_profile:
        return people.ensure_teacher_profile(session, session.get(User, actor.user_id)).id
    return actor.user_id


# -- rows ------------------------------------------------------------------------------------


def _split(text: str | None) -> list[str] | None:
    if text is None:
        return None
    return [piece.strip() for piece in text.split(LIST_SEPARATOR)]


def _question_type(value: Any) -> QuestionType:
    text = cell_text(value)
    if text is None:
        raise RowProblem("type", "type is required")
    qtype = _TYPES.get(normalize_header(text))
    if qtype is None:
        raise RowProblem("type", f"type {text!r} is not one of "
                                 + ", ".join(t.value for t in QuestionType))
    return qtype


def _marks(value: Any) -> int:
    if value is None or (isinstance(value, str) and not value.strip()):
        return DEFAULT_MARKS
    if isinstance(value, bool):
        raise RowProblem("marks", "marks must be a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = cell_text(value) or ""
    match = _WHOLE_NUMBER.fullmatch(text)
    if match is None:
        raise RowProblem("marks", f"marks {text!r} is not a whole number")
    return int(match.group(1))


def _options(cells: dict[str, Any]) -> list[str] | None:
    listed = _split(cell_text(cells.get("options")))
    columns = [cell_text(cells.get(column)) for column in OPTION_COLUMNS]
    while columns and columns[-1] is None:
        columns.pop()
    if listed is not None and columns:
        raise RowProblem("options", "use either the options column or option_a..option_j, "
                                    "not both")
    if columns:
        gap = next((index for index, value in enumerate(columns) if value is None), None)
        if gap is not None:
            raise RowProblem(OPTION_COLUMNS[gap], f"{OPTION_COLUMNS[gap]} is blank but a "
                                                  "later option is not")
        return columns
    return listed


def mcq_answer(value: Any, options: list[str]) -> int:
    """The 0-based index a cell names: a letter, a position from 1, or an option's text."""
    text = cell_text(value)
    if text is None:
        raise RowProblem("correct_answer", "correct_answer is required: the letter of the "
                                           "right option")
    count = len(options)
    by_position = None
    if len(text) == 1 and text.upper() in OPTION_LETTERS[:count]:
        by_position = OPTION_LETTERS.index(text.upper())
    elif text.isdigit() and 1 <= int(text) <= count:
        by_position = int(text) - 1
    by_text = [index for index, option in enumerate(options) if fold(option) == fold(text)]
    if by_position is not None:
        if by_text and by_text != [by_position]:
            raise RowProblem("correct_answer", f"correct_answer {text!r} is ambiguous: it is "
                                               "the position of one option and the text of "
                                               "another; write the option's letter")
        return by_position
    if len(by_text) == 1:
        return by_text[0]
    if by_text:
        raise RowProblem("correct_answer", f"correct_answer {text!r} matches several options")
    raise RowProblem("correct_answer",
                     f"correct_answer {text!r} is neither an option letter "
                     f"(A-{OPTION_LETTERS[count - 1]}) nor the text of an option")


def true_false_answer(value: Any) -> int:
    """0 for true, 1 for false (the bank's convention). Digits are refused: people write
    1 for true, the API means false by it."""
    if isinstance(value, bool):
        return 0 if value else 1
    text = fold(cell_text(value))
    if text in _TRUE:
        return 0
    if text in _FALSE:
        return 1
    raise RowProblem("correct_answer", "correct_answer of a true/false question is true or "
                                       "false")


def question_values(row: Row) -> dict[str, Any]:
    """The fields of :data:`quizcore.domain.questions.FIELDS` a row describes (not yet
    checked by the bank's rules). Raises :class:`RowProblem`."""
    cells = row.cells
    qtype = _question_type(cells.get("type"))
    difficulty = cell_text(cells.get("difficulty"))
    values: dict[str, Any] = {
        "text": cell_text(cells.get("text")),
        "type": qtype.value,
        "topic": cell_text(cells.get("topic")),
        "difficulty": difficulty.lower() if difficulty else None,
        "marks": _marks(cells.get("marks")),
        "sample_answer": cell_text(cells.get("sample_answer")),
        "marking_rubric": cell_text(cells.get("marking_rubric")),
        "options": None,
        "correct_answer": None,
        "accepted_answers": None,
    }
    if qtype == QuestionType.MCQ:
        options = _options(cells)
        values["options"] = options
        if options and rules.MIN_OPTIONS <= len(options) <= rules.MAX_OPTIONS:
            values["correct_answer"] = mcq_answer(cells.get("correct_answer"), options)
    elif qtype == QuestionType.TRUE_FALSE:
        values["correct_answer"] = true_false_answer(cells.get("correct_answer"))
    elif qtype == QuestionType.SHORT_ANSWER:
        accepted = cell_text(cells.get("accepted_answers")) or \
            cell_text(cells.get("correct_answer"))
        values["accepted_answers"] = _split(accepted)
        values["case_sensitive"] = _flag(cells, "case_sensitive")
    elif qtype == QuestionType.MULTIPLE_ANSWER:
        options = _options(cells)
        values["options"] = options
        named = cell_text(cells.get("correct_answers")) or cell_text(cells.get("correct_answer"))
        if options and rules.MIN_OPTIONS <= len(options) <= rules.MAX_OPTIONS:
            if named is None:
                raise RowProblem("correct_answers", "correct_answers is required: the letters "
                                                    "of the right options, e.g. A|C")
            values["correct_answers"] = [mcq_answer(piece, options)
                                         for piece in _split(named)]
        values["scoring"] = _scoring(cells)
    elif qtype == QuestionType.NUMERICAL:
        values["numeric_answers"] = numeric_answers(cell_text(cells.get("numeric_answers"))
                                                    or cell_text(cells.get("correct_answer")))
        values["decimal_comma"] = _flag(cells, "decimal_comma")
    elif qtype == QuestionType.MATCHING:
        values["pairs"] = _pairs(cell_text(cells.get("pairs")))
    elif qtype == QuestionType.ORDERING:
        values["items"] = _split(cell_text(cells.get("items"))) or _options(cells)
        values["scoring"] = _scoring(cells)
    return values


def _flag(cells: dict[str, Any], column: str) -> bool:
    value = cells.get(column)
    if isinstance(value, bool):
        return value
    text = fold(cell_text(value) or "")
    if not text:
        return False
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise RowProblem(column, f"{column} is true or false")


def _scoring(cells: dict[str, Any]) -> str | None:
    text = cell_text(cells.get("scoring"))
    return normalize_header(text) if text else None


_NUMERIC = re.compile(r"(?P<value>[^±@]+?)\s*(?:(?:±|\+-)\s*(?P<tol>[^%@]+?)\s*"
                      r"(?P<rel>%)?)?\s*(?:@\s*(?P<credit>[\d.]+)\s*%)?")


def numeric_answers(text: str | None) -> list[dict[str, Any]] | None:
    """``3.14|3.14±0.01|3.14±5%@50%`` as the bank's ``numeric_answers``."""
    if text is None:
        raise RowProblem("numeric_answers", "numeric_answers is required, e.g. 3.14±0.01")
    answers = []
    for piece in _split(text):
        match = _NUMERIC.fullmatch(piece)
        try:
            value = float(match["value"])
            tolerance = float(match["tol"]) if match["tol"] else 0.0
            credit = float(match["credit"]) / 100 if match["credit"] else 1.0
        except (TypeError, ValueError):
            raise RowProblem("numeric_answers", f"numeric answer {piece!r} is not of the form "
                                                "value±tolerance[%][@credit%]") from None
        relative = bool(match["rel"])
        answers.append({"value": value, "tolerance": tolerance / 100 if relative else tolerance,
                        "tolerance_type": "relative" if relative else "absolute",
                        "credit": credit})
    return answers


def _pairs(text: str | None) -> list[dict[str, str]] | None:
    if text is None:
        raise RowProblem("pairs", "pairs is required, e.g. France=Paris|Spain=Madrid")
    pairs = []
    for piece in _split(text):
        left, sign, right = piece.partition("=")
        if not sign:
            raise RowProblem("pairs", f"pair {piece!r} is not of the form left=right")
        pairs.append({"left": left.strip(), "right": right.strip()})
    return pairs


def check_row(row: Row) -> tuple[dict[str, Any] | None, list[RowError]]:
    """A cleaned question (as the bank stores it), or the row's errors."""
    if row.errors:
        return None, [RowError(row.number, f"the cell holds the spreadsheet error {error}",
                               column) for column, error in row.errors.items()]
    try:
        return rules.clean_question(question_values(row)), []
    except RowProblem as problem:
        return None, [RowError(row.number, problem.message, problem.column)]
    except Invalid as invalid:
        return None, [RowError(row.number, invalid.message, invalid.field)]


def check_header(table: Table) -> None:
    """Raise :class:`~.reader.FileProblem` when a required column is missing."""
    require_columns(table, REQUIRED_COLUMNS,
                    "Question files need text and type, then options (or option_a..option_j) "
                    "and correct_answer, accepted_answers, sample_answer, marking_rubric, "
                    "topic, difficulty, marks as the types require.")


# -- the import ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Valid:
    number: int
    question: dict[str, Any]


def import_questions(session: Session, table: Table, *, owner_id: str,
                     dry_run: bool = False, atomic: bool = False,
                     progress: Progress = no_progress,
                     now: dt.datetime | None = None) -> ImportReport:
    """Validate every row and, unless ``dry_run``, add the valid questions to ``owner_id``'s
    bank with multi-row INSERTs, in the caller's transaction. With ``atomic`` any row
    error means nothing is written. Raises :class:`~.reader.FileProblem` when the header
    lacks a required column."""
    now = now or utcnow()
    check_header(table)
    report = ImportReport("questions", dry_run, atomic, len(table.rows), table.format,
                          ignored_columns=list(table.ignored_columns))
    valid = [_Valid(number, question)
             for number, question in check_rows(table.rows, check_row, report.errors, progress)]
    if report.refused:
        return report

    ids: list[str | None] = [None] * len(valid)
    if not dry_run and valid:
        report.import_id = new_uuid()
        ids = [new_uuid() for _ in valid]
        for start in range(0, len(valid), WRITE_CHUNK):
            chunk = list(zip(valid[start:start + WRITE_CHUNK], ids[start:start + WRITE_CHUNK],
                             strict=True))
            session.execute(sa.insert(Question), [
                {**rules.question_row_values(item.question), "id": question_id,
                 "created_by": owner_id, "created_at": now, "updated_at": now}
                for item, question_id in chunk])
            progress("write", start + len(chunk), len(valid))
    for item, question_id in zip(valid, ids, strict=True):
        question = item.question
        text = question["text"]
        report.imported.append({
            "row": item.number, "id": question_id, "type": question["type"].value,
            "text": text if len(text) <= PREVIEW_LENGTH else text[:PREVIEW_LENGTH - 1] + "…",
            "marks": question["marks"], "topic": question["topic"],
            "difficulty": question["difficulty"].value if question["difficulty"] else None,
        })
    return report
