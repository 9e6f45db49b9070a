"""Ten thousand students in one file: all imported, with a handful of statements (batched
duplicate checks, multi-row INSERTs), not one round trip per row. Not timed: see
bench/import.py for the figure."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from quizcore.models import SchoolClass, Student
from tests.plugins.csv_import.files import csv_bytes, student_rows, upload, xlsx_bytes

pytestmark = pytest.mark.plugin("quiz_plugins.csv_import")

PATH = "/api/students/bulk-import"
ROWS = 10_000


@pytest.fixture
def statements(engine):
    """The SQL statements run on the engine while the test runs (an executemany counts
    once, as it is one round trip per batch)."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    yield seen
    sa.event.remove(engine, "before_cursor_execute", record)


def test_ten_thousand_students_in_one_csv(testapp, admin, auth, dbsession, statements):
    rows = student_rows(ROWS)
    for row in rows[1 + ROWS // 2:]:  # two classes, five thousand students each
        row[4] = "B"
    headers = auth(admin)
    statements.clear()
    body = upload(testapp, PATH, csv_bytes(rows), headers=headers).json
    assert body["imported"] == ROWS and body["failed"] == 0
    assert len(body["imported_students"]) == ROWS
    assert body["imported_students"][-1]["row"] == ROWS + 1
    assert len(body["classes_created"]) == 2

    ids = [s["id"] for s in body["imported_students"]]
    assert dbsession.scalar(sa.select(sa.func.count()).select_from(Student).where(
        Student.id.in_(ids))) == ROWS
    per_class = dict(dbsession.execute(
        sa.select(SchoolClass.section, sa.func.count()).join(
            Student, Student.class_id == SchoolClass.id).group_by(SchoolClass.section)).all())
    assert per_class == {"A": ROWS // 2, "B": ROWS // 2}

    inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT")]
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    # 10 chunks of users + 10 of profiles + the two classes (one flush), give or take.
    assert len(inserts) <= 25, len(inserts)
    # Identity, class look-up, and one IN (...) query per thousand e-mails and numbers.
    assert len(selects) <= 30, len(selects)


def test_ten_thousand_rows_of_xlsx_are_read_and_checked(testapp, admin, auth, dbsession):
    rows = student_rows(ROWS, prefix="x")
    rows[-1][1] = rows[1][1].upper()  # the last row repeats the first one's e-mail
    body = upload(testapp, PATH, xlsx_bytes(rows), headers=auth(admin), dry_run="true",
                  filename="big.xlsx").json
    assert body["format"] == "xlsx" and body["imported"] == ROWS - 1
    assert body["errors"] == [{"row": ROWS + 1, "column": "email",
                               "error": f"email {rows[1][1]!r} is also on row 2"}]
    assert dbsession.scalar(sa.select(sa.func.count()).select_from(Student)) == 0
