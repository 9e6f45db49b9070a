"""quizctl import-students, as an administrator runs it: a real subprocess on a SQLite school
(the development database), and in-process on a terminal for the progress bar."""

from __future__ import annotations

import argparse
import io
import textwrap

import pytest
import sqlalchemy as sa
from rich.console import Console

from quiz_plugins.csv_import.scripts import import_students_command
from quiz_plugins.csv_import.students import ClassKey
from tests.core.test_quizctl import quizctl
from tests.plugins.csv_import.files import STUDENT_HEADER, csv_bytes, student_rows, xlsx_bytes

pytestmark = pytest.mark.plugin("quiz_plugins.csv_import")


@pytest.fixture
def school(tmp_path):
    """An ini for a migrated SQLite school with the import plugin on; returns (ini, engine)."""
    ini = tmp_path / "school.ini"
    ini.write_text(textwrap.dedent(f"""
        [app:main]
        use = egg:quizcore
        sqlalchemy.url = sqlite:///{tmp_path / 'school.sqlite'}
        quizcore.redis_url = redis://127.0.0.1:1/0
        quizcore.plugins = quiz_plugins.csv_import
        """))
    quizctl("-c", str(ini), "migrate")
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'school.sqlite'}")
    yield str(ini), engine
    engine.dispose()


def count(engine, table: str) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one()


def test_command_imports_into_the_class_it_names_and_prints_a_summary(school, tmp_path):
    ini, engine = school
    rows = [["Name", "Email", "Registration Number"]] + \
        [[f"Student {n}", f"s{n}@school.example", f"REG{n:03d}"] for n in range(12)]
    path = tmp_path / "class.csv"
    path.write_bytes(csv_bytes(rows))
    result = quizctl("-c", ini, "import-students", str(path), "--class", "Grade 9/A/2025-2026")
    assert "Imported 12 students and 1 new class." in result.stdout
    assert "Grade 9 / A / 2025-2026" in result.stdout  # the summary table
    assert count(engine, "students") == 12
    with engine.connect() as connection:
        classes = connection.execute(sa.text(
            "SELECT name, section, academic_year FROM classes")).all()
        claimed = connection.execute(sa.text(
            "SELECT COUNT(*) FROM students WHERE is_account_claimed")).scalar_one()
    assert classes == [("Grade 9", "A", "2025-2026")] and claimed == 0

    again = quizctl("-c", ini, "import-students", str(path), check=False)
    assert again.returncode == 1
    assert "already exists" in again.stdout and count(engine, "students") == 12


def test_dry_run_and_atomic_write_nothing(school, tmp_path):
    ini, engine = school
    rows = student_rows(3) + [["Bad", "not-an-email", "R-9", "Grade 9", "", "", "", "", ""]]
    path = tmp_path / "students.xlsx"
    path.write_bytes(xlsx_bytes(rows))
    dry = quizctl("-c", ini, "import-students", str(path), "--dry-run", check=False)
    assert dry.returncode == 1
    assert "Dry run: 3 students and 1 new class would be imported" in dry.stdout
    assert "not-an-email" in dry.stdout  # the row errors table
    atomic = quizctl("-c", ini, "import-students", str(path), "--atomic", check=False)
    assert atomic.returncode == 1 and "Nothing was imported" in atomic.stdout
    assert count(engine, "students") == 0 and count(engine, "classes") == 0


def test_unusable_files_and_arguments_exit_2(school, tmp_path):
    ini, engine = school
    bad = tmp_path / "latin1.csv"
    bad.write_bytes(csv_bytes([STUDENT_HEADER, ["José", "j@x.example", "R"]],
                              encoding="latin-1"))
    result = quizctl("-c", ini, "import-students", str(bad), check=False)
    assert result.returncode == 2 and "not UTF-8" in result.stdout
    missing = quizctl("-c", ini, "import-students", str(tmp_path / "nope.csv"), check=False)
    assert missing.returncode == 2 and "Cannot read" in missing.stdout
    wrong_class = quizctl("-c", ini, "import-students", str(bad), "--class", "/A",
                          check=False)
    assert wrong_class.returncode == 2 and "needs a name" in wrong_class.stderr
    assert count(engine, "students") == 0


def test_a_terminal_gets_a_progress_bar_and_the_same_import(school, tmp_path):
    from pyramid.paster import bootstrap

    ini, engine = school
    path = tmp_path / "many.csv"
    path.write_bytes(csv_bytes(student_rows(1200)))
    output = io.StringIO()
    console = Console(file=output, force_terminal=True, width=120)
    env = bootstrap(ini)
    try:
        args = argparse.Namespace(file=str(path), default_class=None, dry_run=False,
                                  atomic=False)
        assert import_students_command(env, args, console=console) == 0
    finally:
        env["closer"]()
    text = output.getvalue()
    assert "Checking rows" in text and "Writing students" in text
    assert "1200/1200" in text
    assert "Imported 1200 students and 1 new class." in text
    assert count(engine, "students") == 1200


def test_class_argument_parses_name_section_and_year():
    assert ClassKey.parse("Grade 9") == ClassKey("Grade 9")
    assert ClassKey.parse("Grade 9/A") == ClassKey("Grade 9", "A")
    assert ClassKey.parse(" Grade 9 / / 2025-2026 ") == ClassKey("Grade 9", None, "2025-2026")
    with pytest.raises(ValueError):
        ClassKey.parse("x" * 101)
