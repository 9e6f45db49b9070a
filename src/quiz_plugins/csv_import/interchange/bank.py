"""Interchange questions into a teacher's bank, and a bank's questions out again.

The import checks every question exactly as ``POST /api/questions`` does: the body
(:meth:`.ir.InterchangeQuestion.body`) goes through the bank's colander schema
(:func:`quizcore.schemas.questions.question_create_schema`) and then
:func:`quizcore.domain.questions.clean_question`. Which types and fields the bank takes is
read from that schema, never listed here: a question of a type the schema does not offer
is *skipped* ("type X not supported by this bank"), and a field the schema lacks (feedback,
tags, case_sensitive on an older bank...) is dropped with a warning. A bank that gains
types imports them without a change here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import colander
import sqlalchemy as sa
from sqlalchemy.orm import Session

from quizcore.domain import questions as rules
from quizcore.domain.errors import Invalid
from quizcore.models import Question, QuizQuestion, new_uuid, utcnow
from quizcore.schemas.questions import question_create_schema

from . import gift, ir, moodle, qti
from .ir import InterchangeQuestion
from .safety import InterchangeFileProblem, Limits

#: Format names of the API (``?format=``) and of the command line (``--format``).
READERS: dict[str, Callable[[bytes, Limits], Iterable[InterchangeQuestion]]] = {
    "moodle_xml": moodle.read, "gift": gift.read, "qti": qti.read}
WRITERS: dict[str, Callable[[Iterable[InterchangeQuestion]], bytes]] = {
    "moodle_xml": moodle.write, "gift": gift.write, "qti": qti.write}
EXTENSIONS = {"moodle_xml": ("xml", "application/xml; charset=utf-8"),
              "gift": ("gift.txt", "text/plain; charset=utf-8"),
              "qti": ("zip", "application/zip")}
PREVIEW_LENGTH = 120
WRITE_CHUNK = 500
Progress = Callable[[str, int, int], None]


def _no_progress(phase: str, done: int, total: int) -> None:
    """Report nothing."""


def _schema() -> colander.MappingSchema:
    return question_create_schema()


def accepted_types() -> list[str]:
    """The question types the bank's create schema offers."""
    validator = _schema()["type"].validator
    return list(getattr(validator, "choices", ()))


def accepted_fields() -> set[str]:
    return {child.name for child in _schema().children} - {"teacher_id"}


@dataclass
class InterchangeReport:
    format: str
    dry_run: bool
    atomic: bool
    imported: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    import_id: str | None = None

    @property
    def refused(self) -> bool:
        return self.atomic and bool(self.errors)

    @property
    def warnings(self) -> int:
        return sum(len(item["warnings"]) for item in self.imported)

    def message(self) -> str:
        count = 0 if self.refused else len(self.imported)
        if self.refused:
            text = f"Nothing was imported: {len(self.errors)} question(s) have errors " \
                   "(atomic import)."
        else:
            text = f"{'Would import' if self.dry_run else 'Imported'} {count} question(s); " \
                   f"{len(self.skipped)} skipped, {len(self.errors)} with errors."
        return ("Dry run: " + text + " Nothing was written.") if self.dry_run else text

    def json(self) -> dict[str, Any]:
        return {"message": self.message(), "imported": 0 if self.refused else len(self.imported),
                "skipped": len(self.skipped), "warnings": self.warnings,
                "errors": self.errors, "skipped_questions": self.skipped,
                "imported_questions": [] if self.refused else self.imported,
                "format": self.format, "dry_run": self.dry_run, "atomic": self.atomic,
                "import_id": self.import_id}


def check(question: InterchangeQuestion, types: list[str], fields: set[str]
          ) -> tuple[dict[str, Any] | None, str | None]:
    """``(cleaned question, None)``, or ``(None, why)`` for an invalid one. Raises
    :class:`LookupError` with the reason for a type the bank does not take."""
    if question.type not in types:
        raise LookupError(f"type {question.type} not supported by this bank")
    body = question.body()
    dropped = sorted(key for key, value in body.items()
                     if key not in fields and value not in (None, [], ""))
    if dropped:
        question.warnings.append(f"not stored by this bank: {', '.join(dropped)}")
    body = {key: value for key, value in body.items() if key in fields and value is not None}
    try:
        values = _schema().deserialize(body)
        if "correct_answer" in body and isinstance(body["correct_answer"], bool):
            values["correct_answer"] = body["correct_answer"]
        return rules.clean_question({name: values.get(name) for name in
                                     set(rules.FIELDS) | set(values)}), None
    except colander.Invalid as invalid:
        return None, "; ".join(f"{name or 'question'}: {why}"
                               for name, why in invalid.asdict().items())
    except Invalid as invalid:
        return None, invalid.message


def import_questions(session: Session, questions: Iterable[InterchangeQuestion], *,
                     owner_id: str, file_format: str, limits: Limits, dry_run: bool = False,
                     atomic: bool = False, progress: Progress = _no_progress,
                     now: dt.datetime | None = None) -> InterchangeReport:
    """Check every question and, unless ``dry_run`` (or ``atomic`` with an error), add the
    valid ones to ``owner_id``'s bank in the caller's transaction. Raises
    :class:`~.safety.InterchangeFileProblem` for a file that cannot be read."""
    now = now or utcnow()
    report = InterchangeReport(file_format, dry_run, atomic)
    types, fields = accepted_types(), accepted_fields()
    valid: list[tuple[InterchangeQuestion, dict[str, Any]]] = []
    for number, question in enumerate(questions, start=1):
        if number > limits.max_questions:
            raise InterchangeFileProblem(f"The file has more than {limits.max_questions} "
                                         "questions; split it.")
        try:
            cleaned, error = check(question, types, fields)
        except LookupError as reason:
            report.skipped.append({"question": number, "source": question.source,
                                   "type": question.type, "reason": str(reason)})
            continue
        if error is not None:
            report.errors.append({"question": number, "source": question.source,
                                  "error": error, "location": "body", "name": "file",
                                  "description": f"{question.source}: {error}"})
        else:
            valid.append((question, cleaned))
        if number % 500 == 0:
            progress("check", number, 0)
    if report.refused:
        return report
    ids: list[str | None] = [None] * len(valid)
    if not dry_run and valid:
        report.import_id = new_uuid()
        ids = [new_uuid() for _ in valid]
        for start in range(0, len(valid), WRITE_CHUNK):
            rows = [{**rules.question_row_values(cleaned), "id": question_id,
                     "created_by": owner_id, "created_at": now, "updated_at": now}
                    for (_, cleaned), question_id in
                    zip(valid[start:start + WRITE_CHUNK], ids[start:start + WRITE_CHUNK],
                        strict=True)]
            session.execute(sa.insert(Question), rows)
            progress("write", start + len(rows), len(valid))
    for (question, cleaned), question_id in zip(valid, ids, strict=True):
        text = cleaned["text"]
        report.imported.append({
            "source": question.source, "id": question_id, "type": str(cleaned["type"]),
            "text": text if len(text) <= PREVIEW_LENGTH else text[:PREVIEW_LENGTH - 1] + "…",
            "marks": cleaned["marks"], "topic": cleaned["topic"],
            "warnings": list(question.warnings)})
    return report


# -- export ----------------------------------------------------------------------------------


def stored_values(item: Question | sa.Row) -> dict[str, Any]:
    """The fields of a stored question (an ORM object or a row of ``questions``), the type
    as its name and the ``details`` spread out."""
    values = rules.question_values(item)
    values["type"] = str(item.type)
    return values


def export_questions(session: Session, *, owner_id: str | None, topic: str | None = None,
                     quiz_id: str | None = None) -> list[InterchangeQuestion]:
    """The bank's questions (``owner_id`` None: every bank), optionally one topic's or one
    quiz's (in the quiz's order), in the interchange model."""
    # Plain rows, not ORM objects: a bank of thousands of questions is read, never changed.
    questions = Question.__table__
    statement = sa.select(questions)
    if owner_id is not None:
        statement = statement.where(questions.c.created_by == owner_id)
    if topic is not None:
        statement = statement.where(questions.c.topic == topic)
    if quiz_id is not None:
        statement = statement.join(QuizQuestion, QuizQuestion.question_id == questions.c.id) \
            .where(QuizQuestion.quiz_id == quiz_id).order_by(QuizQuestion.order_index)
    else:
        statement = statement.order_by(questions.c.topic, questions.c.created_at,
                                       questions.c.id)
    return [ir.from_stored(stored_values(row)) for row in session.execute(statement)]


def write(file_format: str, questions: list[InterchangeQuestion]) -> tuple[bytes, list[str]]:
    """The file, and a warning per question the format cannot carry (left out)."""
    warnings: list[str] = []
    writable = []
    for number, question in enumerate(questions, start=1):
        if file_format == "gift" and question.type == ir.ORDERING:
            warnings.append(f"question {number}: GIFT has no ordering questions; left out")
            continue
        writable.append(question)
    return WRITERS[file_format](writable), warnings
