"""``quizctl import-questions`` and ``quizctl export-questions``: the interchange of the API
from the command line.

``quizctl -c INI import-questions --format moodle-xml|gift|qti FILE --teacher EMAIL
[--dry-run] [--atomic]`` runs the same readers and the same import as
``POST /api/questions/import`` in one transaction, with a progress bar on a terminal.
Exit status: 0 when every question was imported (or skipped as unsupported), 1 when some
had errors (with ``--atomic``: nothing was written), 2 when the file could not be used.

``quizctl -c INI export-questions --format ... --teacher EMAIL [--topic T] [--quiz ID]
-o FILE`` writes the bank (or a topic, or a quiz's questions) to FILE.
"""

from __future__ import annotations

import pathlib

import sqlalchemy as sa
from rich.console import Console

from quizcore.models import Quiz, Teacher, User

from ..scripts import progress_bar, say
from ..settings import MAX_UPLOAD_BYTES
from . import bank
from .safety import InterchangeFileProblem
from .settings import interchange_limits
from .views import announce

SHOWN = 50
PHASES = {"read": "Reading the file", "check": "Checking questions",
          "write": "Writing questions"}


def _format(text: str) -> str:
    return text.replace("-", "_")


def _teacher(session, email: str) -> Teacher | None:
    return session.scalars(sa.select(Teacher).join(User, User.id == Teacher.id)
                           .where(User.email == email)).first()


def import_arguments(parser) -> None:
    parser.add_argument("file", help="a Moodle XML, GIFT or QTI (XML or zip) file")
    parser.add_argument("--format", required=True, type=_format,
                        choices=sorted(bank.READERS), help="moodle-xml, gift or qti")
    parser.add_argument("--teacher", required=True, metavar="EMAIL",
                        help="the teacher whose bank gets the questions")
    parser.add_argument("--dry-run", action="store_true", help="check and report only")
    parser.add_argument("--atomic", action="store_true",
                        help="all or nothing: any question error and nothing is written")


def export_arguments(parser) -> None:
    parser.add_argument("--format", required=True, type=_format, choices=sorted(bank.WRITERS),
                        help="moodle-xml, gift or qti")
    parser.add_argument("--teacher", required=True, metavar="EMAIL", help="whose bank")
    parser.add_argument("--topic", help="only this topic")
    parser.add_argument("--quiz", metavar="QUIZ_ID", help="only this quiz's questions")
    parser.add_argument("-o", "--output", required=True, metavar="FILE")


def import_command(env, args, console: Console | None = None) -> int:
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
        say(console, f"{args.file} is larger than {limit} bytes ({MAX_UPLOAD_BYTES}).")
        return 2
    limits = interchange_limits(settings)
    try:
        with progress_bar(console, PHASES) as progress, request.tm:
            session = request.dbsession
            teacher = _teacher(session, args.teacher)
            if teacher is None:
                say(console, f"No teacher has the e-mail address {args.teacher}.")
                return 2
            progress("read", 0, 1)
            questions = list(bank.READERS[args.format](data, limits))
            progress("read", 1, 1)
            report = bank.import_questions(
                session, questions, owner_id=teacher.id, file_format=args.format,
                limits=limits, dry_run=args.dry_run, atomic=args.atomic,
                progress=lambda phase, done, total: progress(phase, done, total or len(questions)))
            announce(session, report, args.file, actor_id=None)
    except InterchangeFileProblem as problem:
        say(console, f"{args.file} cannot be imported: {problem.message}")
        return 2
    for item in report.skipped[:SHOWN]:
        say(console, f"skipped {item['source']}: {item['reason']}")
    for item in report.errors[:SHOWN]:
        say(console, f"error {item['source']}: {item['error']}")
    for item in report.imported:
        for warning in item["warnings"]:
            say(console, f"warning {item['source']}: {warning}")
    say(console, report.message())
    return 1 if report.errors else 0


def export_command(env, args, console: Console | None = None) -> int:
    console = console or Console()
    request = env["request"]
    with request.tm:
        session = request.dbsession
        teacher = _teacher(session, args.teacher)
        if teacher is None:
            say(console, f"No teacher has the e-mail address {args.teacher}.")
            return 2
        if args.quiz and session.get(Quiz, args.quiz) is None:
            say(console, f"No quiz has the id {args.quiz}.")
            return 2
        questions = bank.export_questions(session, owner_id=None if args.quiz else teacher.id,
                                          topic=args.topic, quiz_id=args.quiz)
    content, warnings = bank.write(args.format, questions)
    pathlib.Path(args.output).write_bytes(content)
    for warning in warnings:
        say(console, warning)
    say(console, f"Wrote {len(questions) - len(warnings)} question(s) to {args.output}.")
    return 0


def includeme(config) -> None:
    config.add_quizctl_command(
        "import-questions", import_command, arguments=import_arguments,
        help="add questions from Moodle XML, GIFT or QTI (as POST /api/questions/import)")
    config.add_quizctl_command(
        "export-questions", export_command, arguments=export_arguments,
        help="write a bank as Moodle XML, GIFT or QTI 2.1 (as GET /api/questions/export)")
