"""Seconds to import 10,000 students through ``POST /api/students/bulk-import``.

Starts the real application (with ``quiz_plugins.csv_import``) under waitress in a
subprocess on a free port of 127.0.0.1, against its own MariaDB database (re-created and
migrated here: ``<test database>_bench_import``), signs in as an administrator, and uploads
generated files over HTTP. Each timed request is the whole import: upload, reading, row
checks, duplicate look-ups, class creation, multi-row INSERTs, commit and the JSON report.
Every run uses fresh e-mail addresses and registration numbers, so all rows are imported;
afterwards the students in the database are counted.

    .venv/bin/python bench/import.py                     # 10,000 students, CSV then XLSX
    .venv/bin/python bench/import.py --rows 5000 --formats csv --runs 3

Target: under 10 s for 10,000 students (CSV). The exit status is 0 when every run imported
every row within the target.

The database URL comes from ``--database-url``, else ``QUIZCORE_TEST_DATABASE_URL`` (with
``_bench_import`` added to the database name), else the local ``quizcore_test_bench_import``.
Redis from ``QUIZCORE_TEST_REDIS_URL`` (default db 15; only the health check touches it).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
import time

import requests
import sqlalchemy as sa

# The other benchmarks' helpers (bench/ is on sys.path when a script in it runs).
from autosave import recreate_database
from login import free_port
from servers import bench_database_url, count_rows, serve

ADMIN_EMAIL = "bench.admin@quizcore.local"
ADMIN_PASSWORD = "bench admin password"
TARGET_SECONDS = 10.0
HEADER = ["Name", "Email", "Registration Number", "Class Name", "Section", "Academic Year",
          "Date of Birth", "Parent Email", "Parent Phone"]


def app_settings(database_url: str, redis_url: str) -> dict:
    return {"sqlalchemy.url": database_url, "quizcore.env": "development",
            "quizcore.redis_url": redis_url, "quizcore.ratelimit_enabled": "false",
            "quizcore.mailer": "null", "quizcore.plugins": "quiz_plugins.csv_import",
            "quizcore.bcrypt_rounds": "10"}


def prepare_database(database_url: str) -> None:
    """Re-create the bench database, migrate it, add the administrator."""
    from quizcore.db import make_engine
    from quizcore.domain.passwords import hash_password
    from quizcore.models import Role, User

    recreate_database(database_url)
    engine = make_engine(database_url)
    with sa.orm.Session(engine) as session, session.begin():
        session.add(User(email=ADMIN_EMAIL, name="Bench Admin", role=Role.ADMIN,
                         password_hash=hash_password(ADMIN_PASSWORD, 10)))
    engine.dispose()


def student_rows(rows: int, run: str) -> list[list]:
    """``rows`` students in 10 classes (created by the first import), unique per run."""
    return [[f"Student {run}-{n}", f"{run}.{n}@bench.example", f"B-{run}-{n:06d}",
             f"Grade {7 + n % 3}", "ABCD"[n % 4], "2025-2026", "2011-04-30",
             f"parent.{run}.{n}@home.example", "+44 20 7946 0000"] for n in range(rows)]


def csv_file(rows: list[list]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def xlsx_file(rows: list[list]) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, HEADER)
    for index, row in enumerate(rows, start=1):
        sheet.write_row(index, 0, row)
    workbook.close()
    return buffer.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=1, help="imports per format")
    parser.add_argument("--formats", default="csv,xlsx", help="csv, xlsx or csv,xlsx")
    parser.add_argument("--database-url")
    parser.add_argument("--redis-url", default=os.environ.get("QUIZCORE_TEST_REDIS_URL",
                                                              "redis://127.0.0.1:6379/15"))
    args = parser.parse_args()
    database_url = bench_database_url(args.database_url, "bench_import")
    prepare_database(database_url)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = app_settings(database_url, args.redis_url)
    results: list[tuple[str, int, float, int, int]] = []
    with serve(settings, port):
        login = requests.post(f"{base}/api/auth/login", json={
            "email_or_reg_no": ADMIN_EMAIL, "password": ADMIN_PASSWORD}, timeout=30)
        login.raise_for_status()
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        builders = {"csv": csv_file, "xlsx": xlsx_file}
        for file_format in [f.strip() for f in args.formats.split(",") if f.strip()]:
            for run in range(args.runs):
                tag = f"{file_format}{run}"
                data = builders[file_format](student_rows(args.rows, tag))
                started = time.perf_counter()
                response = requests.post(
                    f"{base}/api/students/bulk-import", headers=headers, timeout=300,
                    files={"file": (f"students.{file_format}", data)})
                elapsed = time.perf_counter() - started
                body = response.json()
                if response.status_code != 200:
                    print(f"{tag}: HTTP {response.status_code}: {body.get('message')}",
                          file=sys.stderr)
                results.append((file_format, len(data), elapsed, body.get("imported", 0),
                                body.get("failed", -1)))

    stored = count_rows(database_url, "students")
    print(f"POST /api/students/bulk-import over HTTP to waitress on 127.0.0.1, "
          f"{os.cpu_count()} CPU cores shared by the app, MariaDB and this client")
    ok = True
    for file_format, size, elapsed, imported, failed in results:
        print(f"{file_format}: {args.rows} rows, {size / 1e6:.1f} MB: {elapsed:.2f} s "
              f"(imported {imported}, failed {failed}, {imported / elapsed:.0f} students/s)")
        ok = ok and imported == args.rows and failed == 0
        if file_format == "csv":
            ok = ok and elapsed < TARGET_SECONDS * args.rows / 10_000
    print(f"students in the database: {stored} (expected {args.rows * len(results)})")
    ok = ok and stored == args.rows * len(results)
    print(f"target: 10,000 students in < {TARGET_SECONDS:.0f} s: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
