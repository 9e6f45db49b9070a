"""Seconds to import a 5,000-question Moodle XML file and to export 5,000 questions in each
format, over HTTP.

Starts the application (``quiz_plugins.csv_import``) under waitress on 127.0.0.1 against its
own MariaDB database (re-created and migrated here: ``<test database>_bench_interchange``),
signs in as a teacher and:

* imports a generated Moodle XML file of ``--questions`` questions of every type the bank
  takes (``POST /api/questions/import?format=moodle_xml``), then counts the stored rows;
* exports the bank (``GET /api/questions/export``) as Moodle XML, GIFT and QTI 2.1;
* times ``GET /api/health`` in the same run, the floor every figure is compared with.

    .venv/bin/python bench/interchange.py                    # 5,000 questions
    .venv/bin/python bench/interchange.py --questions 1000 --runs 3

Targets: the import under 10 s and each export under 3 s for 5,000 questions. The exit
status is 0 when every run met them and stored every question.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import sqlalchemy as sa

# The other benchmarks' helpers (bench/ is on sys.path when a script in it runs).
from autosave import recreate_database
from login import free_port
from servers import bench_database_url, count_rows, serve, signed_in

TEACHER_EMAIL = "bench.teacher@quizcore.local"
TEACHER_PASSWORD = "bench teacher password"
IMPORT_TARGET_SECONDS = 10.0
EXPORT_TARGET_SECONDS = 3.0
PER = 5_000  # the targets are per 5,000 questions
FORMATS = ("moodle_xml", "gift", "qti")


def app_settings(database_url: str, redis_url: str) -> dict:
    return {"sqlalchemy.url": database_url, "quizcore.env": "development",
            "quizcore.redis_url": redis_url, "quizcore.ratelimit_enabled": "false",
            "quizcore.mailer": "null", "quizcore.plugins": "quiz_plugins.csv_import",
            "quizcore.bcrypt_rounds": "4",
            "quizcore.csv_import.interchange.max_questions": "100000",
            "quizcore.csv_import.max_upload_bytes": str(200 * 2**20),
            "quizcore.csv_import.interchange.max_unpacked_bytes": str(400 * 2**20)}


def prepare_database(database_url: str) -> None:
    from quizcore.db import make_engine
    from quizcore.domain.passwords import hash_password
    from quizcore.models import Role, Teacher, User

    recreate_database(database_url)
    engine = make_engine(database_url)
    with sa.orm.Session(engine) as session, session.begin():
        user = User(email=TEACHER_EMAIL, name="Bench Teacher", role=Role.TEACHER,
                    password_hash=hash_password(TEACHER_PASSWORD, 4))
        session.add(user)
        session.flush()
        session.add(Teacher(id=user.id))
    engine.dispose()


def _answer(text: str, fraction: float, feedback: str = "") -> str:
    return (f'<answer fraction="{fraction:g}" format="plain_text"><text>{text}</text>'
            f'<feedback format="plain_text"><text>{feedback}</text></feedback></answer>')


def _question(n: int) -> str:
    """Question ``n``: the eight Moodle types in turn, with feedback and tags."""
    kind = n % 8
    head = (f"<name><text>Q{n}</text></name><questiontext format=\"html\"><text>"
            f"<![CDATA[<p>Question <b>{n}</b>: what is {n} + {n}?</p>]]></text></questiontext>"
            f"<generalfeedback format=\"plain_text\"><text>Because {n} + {n} = {2 * n}."
            f"</text></generalfeedback><defaultgrade>{1 + n % 5}</defaultgrade>")
    tags = f"<tags><tag><text>bench</text></tag><tag><text>set{n % 10}</text></tag></tags>"
    if kind == 0:
        body = ("<single>true</single>" + _answer(str(2 * n), 100, "Right.")
                + "".join(_answer(str(2 * n + d), 0, "No.") for d in (1, 2, 3)))
        qtype = "multichoice"
    elif kind == 1:
        body = ("<single>false</single>" + _answer(str(2 * n), 50) + _answer(f"{n}*2", 50)
                + _answer(str(n), -100))
        qtype = "multichoice"
    elif kind == 2:
        body, qtype = _answer("true", 100, "Yes.") + _answer("false", 0, "No."), "truefalse"
    elif kind == 3:
        body = "<usecase>0</usecase>" + _answer(f"{2 * n}", 100) + _answer(f"two n {n}", 100)
        qtype = "shortanswer"
    elif kind == 4:
        body = (f'<answer fraction="100"><text>{2 * n}</text><tolerance>0.5</tolerance></answer>'
                f'<answer fraction="50"><text>{2 * n}</text><tolerance>5</tolerance></answer>')
        qtype = "numerical"
    elif kind == 5:
        body = "".join(f'<subquestion format="html"><text>{n} + {i}</text><answer><text>'
                       f"{n + i}</text></answer></subquestion>" for i in range(4))
        qtype = "matching"
    elif kind == 6:
        body = "<gradingtype>RELATIVE_NEXT_EXCLUDE_LAST</gradingtype>" + "".join(
            _answer(str(n * i), i) for i in range(1, 5))
        qtype = "ordering"
    else:
        body = ('<graderinfo format="html"><text>Two marks per idea.</text></graderinfo>'
                '<responsetemplate format="html"><text></text></responsetemplate>')
        qtype = "essay"
    return f'<question type="{qtype}">{head}{body}{tags}</question>'


def moodle_file(questions: int) -> bytes:
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<quiz>']
    for n in range(questions):
        if n % 500 == 0:
            parts.append(f'<question type="category"><category><text>$course$/top/Bench/'
                         f"Part {n // 500}</text></category></question>")
        parts.append(_question(n))
    parts.append("</quiz>\n")
    return "\n".join(parts).encode("utf-8")


def timed(call):
    started = time.perf_counter()
    result = call()
    return result, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=PER)
    parser.add_argument("--runs", type=int, default=1, help="exports per format")
    parser.add_argument("--database-url")
    parser.add_argument("--redis-url", default=os.environ.get("QUIZCORE_TEST_REDIS_URL",
                                                              "redis://127.0.0.1:6379/15"))
    args = parser.parse_args()
    database_url = bench_database_url(args.database_url, "bench_interchange")
    prepare_database(database_url)
    data = moodle_file(args.questions)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    scale = args.questions / PER
    ok = True
    exports: dict[str, list[tuple[float, int]]] = {}
    with serve(app_settings(database_url, args.redis_url), port):
        http = signed_in(base, TEACHER_EMAIL, TEACHER_PASSWORD)
        floor = [timed(lambda: http.get(f"{base}/api/health", timeout=30))[1]
                 for _ in range(50)]
        response, import_seconds = timed(lambda: http.post(
            f"{base}/api/questions/import", params={"format": "moodle_xml"}, timeout=600,
            files={"file": ("bank.xml", data, "application/xml")}))
        report = response.json()
        if response.status_code != 200:
            print(f"import: HTTP {response.status_code}: {report.get('message')}",
                  file=sys.stderr)
            ok = False
        for file_format in FORMATS:
            for _ in range(args.runs):
                download, seconds = timed(lambda f=file_format: http.get(
                    f"{base}/api/questions/export", params={"format": f}, timeout=600))
                if download.status_code != 200:
                    print(f"export {file_format}: HTTP {download.status_code}",
                          file=sys.stderr)
                    ok = False
                exports.setdefault(file_format, []).append((seconds, len(download.content)))
    stored = count_rows(database_url, "questions")
    load = os.getloadavg()
    print(f"over HTTP to waitress on 127.0.0.1, {os.cpu_count()} CPU cores shared by the app, "
          f"MariaDB and this client; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"floor: GET /api/health median {statistics.median(floor) * 1000:.1f} ms")
    imported = report.get("imported", 0)
    print(f"import moodle_xml: {args.questions} questions, {len(data) / 1e6:.1f} MB: "
          f"{import_seconds:.2f} s (imported {imported}, skipped {report.get('skipped')}, "
          f"errors {len(report.get('errors') or [])}, warnings {report.get('warnings')}; "
          f"target {IMPORT_TARGET_SECONDS * scale:.1f} s)")
    ok = ok and imported == args.questions and import_seconds < IMPORT_TARGET_SECONDS * scale
    for file_format, runs in exports.items():
        best = min(seconds for seconds, _ in runs)
        print(f"export {file_format}: {args.questions} questions, "
              f"{runs[-1][1] / 1e6:.1f} MB: best {best:.2f} s of {len(runs)} "
              f"(target {EXPORT_TARGET_SECONDS * scale:.1f} s)")
        ok = ok and max(seconds for seconds, _ in runs) < EXPORT_TARGET_SECONDS * scale
    print(f"questions in the database: {stored} (expected {args.questions})")
    ok = ok and stored == args.questions
    print(f"targets: import < {IMPORT_TARGET_SECONDS:.0f} s, export < "
          f"{EXPORT_TARGET_SECONDS:.0f} s per {PER:,} questions: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
