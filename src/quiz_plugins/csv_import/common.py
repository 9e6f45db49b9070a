"""What the student and question imports share: who imports, cell values, the report, and
the events announced for an import."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from quizcore.events import EntityChanged, emit
from quizcore.models import Role

from .reader import CellProblem, FileProblem, Row, Table

#: ``progress(phase, done, total)``: phases are "check" (rows validated) and "write" (rows
#: written). The command line draws a progress bar with it.
Progress = Callable[[str, int, int], None]

#: How often (in rows) progress is reported.
PROGRESS_STEP = 500


def no_progress(phase: str, done: int, total: int) -> None:
    """The default :data:`Progress`: report nothing."""


@dataclass(frozen=True)
class Actor:
    """Who imports: a signed-in user, or the command line (``user_id`` None), which has an
    administrator's rights."""

    user_id: str | None
    is_admin: bool

    @classmethod
    def of(cls, user) -> Actor:
        return cls(user.id, user.role == Role.ADMIN)


#: The command line (``quizctl import-students``).
COMMAND_LINE = Actor(None, True)


# -- columns and cell values -----------------------------------------------------------------


def alias_table(columns: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    """``{column: (names...)}`` -> ``{normalised header name: column}`` for the reader."""
    return {name: column for column, names in columns.items() for name in names}



def require_columns(table: Table, required: tuple[str, ...], hint: str) -> None:
    """Raise :class:`~.reader.FileProblem` when the header lacks a required column."""
    missing = [column for column in required if column not in table.columns]
    if missing:
        raise FileProblem(
            f"The header (row {table.header_row}) has no {', '.join(missing)} column. "
            + hint, [CellProblem(table.header_row, f"missing column {column}", column)
                     for column in missing])


def check_rows(rows: list[Row], check: Callable[[Row], tuple[Any, list[RowError]]],
               errors: list[RowError], progress: Progress) -> list[tuple[int, Any]]:
    """Run ``check`` on every row: its errors join ``errors``, and the checked values of the
    valid rows are returned with their row numbers."""
    valid = []
    total = len(rows)
    for index, row in enumerate(rows, start=1):
        checked, problems = check(row)
        errors += problems
        if checked is not None:
            valid.append((row.number, checked))
        if index % PROGRESS_STEP == 0 or index == total:
            progress("check", index, total)
    return valid


def cell_text(value: Any) -> str | None:
    """A cell as trimmed text, or None when blank.

    Workbook numbers keep their digits (registration number ``2025001`` stored as a number
    stays ``"2025001"``, not ``"2025001.0"``); dates become ``YYYY-MM-DD``.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, dt.datetime):
        text = value.date().isoformat() if value.time() == dt.time() else \
            value.isoformat(sep=" ")
    elif isinstance(value, dt.date):
        text = value.isoformat()
    else:
        text = str(value)
    text = text.strip()
    return text or None


def fold(text: str | None) -> str:
    """The key two spellings share when the database would call them equal.

    MySQL's ``utf8mb4_unicode_ci`` ignores case and accents (``José`` = ``jose``), so
    duplicates are looked for the same way inside a file.
    """
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.casefold().split())


def too_long(column: str, text: str | None, limit: int) -> str | None:
    if text is not None and len(text) > limit:
        return f"{column} is longer than {limit} characters"
    return None


# -- the report ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """A problem of one row: its spreadsheet row number, the column when one is to blame."""

    row: int
    error: str
    column: str | None = None

    def json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"row": self.row, "error": self.error}
        if self.column:
            data["column"] = self.column
        return data

    def api_error(self) -> dict[str, Any]:
        """Also shaped like a validation error of the API (``location``, ``name``,
        ``description``), for clients that read only those."""
        where = f"row {self.row}" + (f", {self.column}" if self.column else "")
        return {**self.json(), "location": "body", "name": "file",
                "description": f"{where}: {self.error}"}


@dataclass
class ImportReport:
    """The outcome of an import (or of a dry run: what the import would do)."""

    entity: str  # "students" | "questions"
    dry_run: bool
    atomic: bool
    rows: int
    file_format: str
    imported: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    #: Classes the import creates (students only): ``{"id", "name", "section",
    #: "academic_year"}``; ``id`` is None in a dry run.
    classes_created: list[dict[str, Any]] = field(default_factory=list)
    #: Identifies a written import in its events (None when nothing was written).
    import_id: str | None = None

    @property
    def failed(self) -> int:
        """How many rows have errors."""
        return len({error.row for error in self.errors})

    @property
    def refused(self) -> bool:
        """An atomic import with any error writes nothing."""
        return self.atomic and bool(self.errors)

    @property
    def imported_count(self) -> int:
        return 0 if self.refused else len(self.imported)

    def message(self) -> str:
        noun = self.entity if self.imported_count != 1 else self.entity[:-1]
        failed = self.failed
        rows_with_errors = f"{failed} row{'s' if failed != 1 else ''} " \
            f"{'have' if failed != 1 else 'has'} errors"
        classes = len(self.classes_created)
        new_classes = f" and {classes} new class{'es' if classes != 1 else ''}" \
            if classes and not self.refused else ""
        if self.refused:
            verb = "would be" if self.dry_run else "was"
            text = f"Nothing {verb} imported: {rows_with_errors} (atomic import)."
        elif self.dry_run:
            text = f"{self.imported_count} {noun}{new_classes} would be imported"
            text += f"; {rows_with_errors}." if failed else "."
        else:
            text = f"Imported {self.imported_count} {noun}{new_classes}"
            text += f"; {rows_with_errors} and {'were' if failed != 1 else 'was'} not " \
                    "imported." if failed else "."
        if self.dry_run:
            text = "Dry run: " + text[0].lower() + text[1:] + " Nothing was written."
        return text

    def json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "message": self.message(),
            "imported": self.imported_count,
            "failed": self.failed,
            "errors": [error.json() for error in self.errors],
            f"imported_{self.entity}": [] if self.refused else self.imported,
            "rows": self.rows,
            "dry_run": self.dry_run,
            "atomic": self.atomic,
            "format": self.file_format,
            "ignored_columns": self.ignored_columns,
            "import_id": self.import_id,
        }
        if self.entity == "students":
            body["classes_created"] = [] if self.refused else self.classes_created
        return body


# -- events ----------------------------------------------------------------------------------


#: The fields a class creation event records (as the classes service does).
CLASS_FIELDS = ("name", "section", "academic_year")


def announce(session: Session, report: ImportReport, entity_type: str, source: str | None, *,
             actor_id: str | None) -> None:
    """Emit the events of a written import.

    Each class the import created gets its own ``EntityChanged(create, class)``, as from
    ``POST /api/classes``. The imported rows get **one** summary event,
    ``EntityChanged(action="import", entity_type=<student|question>,
    entity_id=<import id>)``, whose ``new`` holds the count, the new ids and the file's name
    and format: an audit trail gets one row per import rather than ten thousand, and
    subscribers stay cheap however large the file.
    """
    if report.dry_run or report.refused:
        return
    for created in report.classes_created:
        emit(session, EntityChanged(actor_id=actor_id, action="create", entity_type="class",
                                    entity_id=created["id"],
                                    new={name: created[name] for name in CLASS_FIELDS}))
    if report.import_id is None or not report.imported:
        return
    emit(session, EntityChanged(
        actor_id=actor_id, action="import", entity_type=entity_type, entity_id=report.import_id,
        new={"count": len(report.imported), "ids": [item["id"] for item in report.imported],
             "failed_rows": report.failed, "file_name": source, "format": report.file_format}))
