"""``quizctl -c INI import-students FILE [--class NAME[/SECTION[/YEAR]]] [--dry-run]
[--atomic]``: the student import of the API, from the command line.

It runs the same reader and the same import as ``POST /api/students/bulk-import``, with an
administrator's rights (missing classes are created), in one transaction, and announces the
same events. On a terminal it draws a progress bar; at the end it prints a summary table and
the row errors. Exit status: 0 when every row was valid, 1 when some rows had errors (with
``--atomic``: nothing was written), 2 when the file could not be used at all.
"""

from __future__ import annotations

import argparse
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text
from sqlalchemy.exc import IntegrityError

from . import students
from .common import COMMAND_LINE, ImportReport, announce
from .reader import FileProblem, read_table
from .settings import MAX_UPLOAD_BYTES, limits

#: Row errors printed before "... and N more".
SHOWN_ERRORS = 50
PHASES = {"check": "Checking rows", "write": "Writing students"}


def say(console: Console, message: str) -> None:
    """Print text from the file or the database as it is (no rich markup, no colouring)."""
    console.print(message, markup=False, highlight=False)


def class_argument(text: str) -> students.ClassKey:
    try:
        return students.ClassKey.parse(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"--class {text!r}: {error}") from None


def arguments(parser) -> None:
    parser.add_argument("file", help="a CSV (UTF-8, comma or semicolon) or XLSX file")
    parser.add_argument("--class", dest="default_class", type=class_argument,
                        metavar="NAME[/SECTION[/YEAR]]",
                        help="class of the rows whose class_name is blank (created when "
                             "missing)")
    parser.add_argument("--dry-run", action="store_true",
                        help="check every row and report, writing nothing")
    parser.add_argument("--atomic", action="store_true",
                        help="all or nothing: any row error and nothing is written")


@contextmanager
def progress_bar(console: Console, phases: dict[str, str] = PHASES):
    """A ``progress(phase, done, total)`` callback drawing a bar on a terminal (and doing
    nothing elsewhere, so logs and pipes stay clean)."""
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console,
                  disable=not console.is_terminal) as bar:
        tasks: dict[str, int] = {}

        def progress(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(phases.get(phase, phase), total=total)
            bar.update(tasks[phase], completed=done, total=total)

        yield progress


def summary(console: Console, report: ImportReport, file_name: str) -> None:
    # Cells are Text objects: a value such as "[bold]" in a file must print as it is.
    table = Table(title=Text(f"Students from {file_name}"), show_header=False)
    table.add_column("", style="bold")
    table.add_column("", justify="right")
    table.add_row("Data rows", str(report.rows))
    table.add_row("Would import" if report.dry_run else "Imported", str(report.imported_count))
    table.add_row("Rows with errors", str(report.failed))
    if report.classes_created and not report.refused:
        table.add_row("New classes", Text(", ".join(
            " / ".join(part for part in (c["name"], c["section"], c["academic_year"]) if part)
            for c in report.classes_created)))
    if report.ignored_columns:
        table.add_row("Ignored columns", Text(", ".join(report.ignored_columns)))
    console.print(table)
    if report.errors:
        errors = Table(title="Row errors")
        errors.add_column("Row", justify="right")
        errors.add_column("Column")
        errors.add_column("Error")
        for error in report.errors[:SHOWN_ERRORS]:
            errors.add_row(str(error.row), Text(error.column or ""), Text(error.error))
        console.print(errors)
        if len(report.errors) > SHOWN_ERRORS:
            say(console, f"... and {len(report.errors) - SHOWN_ERRORS} more errors.")
    say(console, report.message())


def import_students_command(env, args, console: Console | None = None) -> int:
    console = console or Console()
    request = env["request"]
    settings = env["registry"].settings
    limit = settings[MAX_UPLOAD_BYTES]
    try:
        with open(args.file, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as error:
        say(console, f"Cannot read {args.file}: {error.strerror or error}")
        return 2
    if len(data) > limit:
        say(console, f"{args.file} is larger than {limit} bytes ({MAX_UPLOAD_BYTES}); split "
                     "it into smaller files.")
        return 2
    try:
        table = read_table(data, students.ALIASES, limits(settings))
        students.check_header(table)
    except FileProblem as problem:
        say(console, f"{args.file} cannot be imported: {problem.message}")
        for cell in problem.problems[:SHOWN_ERRORS]:
            column = f" {cell.column}" if cell.column else ""
            say(console, f"  row {cell.row}{column}: {cell.error}")
        return 2
    try:
        with progress_bar(console) as progress, request.tm:
            report = students.import_students(
                request.dbsession, table, actor=COMMAND_LINE, dry_run=args.dry_run,
                atomic=args.atomic, default_class=args.default_class, progress=progress)
            announce(request.dbsession, report, "student", args.file, actor_id=None)
    except IntegrityError:
        say(console, "The school's records changed while the file was imported (another "
                     "import or edit added a conflicting account or class); nothing was "
                     "imported. Run the import again.")
        return 1
    summary(console, report, args.file)
    return 1 if report.errors else 0


def includeme(config) -> None:
    config.add_quizctl_command(
        "import-students", import_students_command, arguments=arguments,
        help="create students from a CSV or XLSX file (as POST /api/students/bulk-import)")
