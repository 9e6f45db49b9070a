"""quizctl import-questions and export-questions, as a teacher's administrator runs them: real
subprocesses on a migrated SQLite school with the demo teachers."""

from __future__ import annotations

import os
import textwrap

import pytest
import sqlalchemy as sa
from defusedxml import ElementTree

from tests.core.test_quizctl import quizctl

pytestmark = pytest.mark.plugin("quiz_plugins.csv_import")

FIXTURES = os.path.join(os.path.dirname(__file__), "interchange_fixtures")
GIFT = os.path.join(FIXTURES, "questions.gift.txt")
TEACHER = "amina.okafor@quizcore.local"


@pytest.fixture(scope="module")
def school(tmp_path_factory):
    """(ini, engine) of a migrated SQLite school with the demo data and the import plugin."""
    folder = tmp_path_factory.mktemp("interchange_school")
    ini = folder / "school.ini"
    ini.write_text(textwrap.dedent(f"""
        [app:main]
        use = egg:quizcore
        sqlalchemy.url = sqlite:///{folder / 'school.sqlite'}
        quizcore.bcrypt_rounds = 4
        quizcore.redis_url = redis://127.0.0.1:1/0
        quizcore.plugins = quiz_plugins.csv_import
        """))
    quizctl("-c", str(ini), "migrate")
    quizctl("-c", str(ini), "seed-demo")
    engine = sa.create_engine(f"sqlite:///{folder / 'school.sqlite'}")
    yield str(ini), engine
    engine.dispose()


def bank_size(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.text(
            "SELECT COUNT(*) FROM questions JOIN teachers ON teachers.id = questions.created_by "
            "JOIN users ON users.id = teachers.id WHERE users.email = :email"),
            {"email": TEACHER}).scalar_one()


def test_a_dry_run_reports_and_writes_nothing(school):
    ini, engine = school
    before = bank_size(engine)
    result = quizctl("-c", ini, "import-questions", "--format", "gift", GIFT,
                     "--teacher", TEACHER, "--dry-run")
    assert "Would import 9 question(s)" in " ".join(result.stdout.split())
    assert bank_size(engine) == before


def test_import_then_export_carries_the_whole_bank(school, tmp_path):
    ini, engine = school
    before = bank_size(engine)
    result = quizctl("-c", ini, "import-questions", "--format", "gift", GIFT,
                     "--teacher", TEACHER)
    assert "Imported 9 question(s)" in " ".join(result.stdout.split())
    assert bank_size(engine) == before + 9

    output = tmp_path / "bank.xml"
    result = quizctl("-c", ini, "export-questions", "--format", "moodle-xml",
                     "--teacher", TEACHER, "-o", str(output))
    assert f"Wrote {before + 9} question(s)" in " ".join(result.stdout.split())
    questions = [q for q in ElementTree.parse(str(output)).getroot().iter("question")
                 if q.get("type") != "category"]
    assert len(questions) == before + 9


def test_refusals_exit_non_zero_with_a_clear_message_and_write_nothing(school, tmp_path):
    ini, engine = school
    before = bank_size(engine)
    unknown = quizctl("-c", ini, "import-questions", "--format", "gift", GIFT,
                      "--teacher", "nobody@school.example", check=False)
    assert unknown.returncode != 0
    assert "nobody@school.example" in unknown.stdout + unknown.stderr
    broken = tmp_path / "broken.xml"
    broken.write_text("<quiz><question type='multichoice'><name><text>cut")
    truncated = quizctl("-c", ini, "import-questions", "--format", "moodle-xml", str(broken),
                        "--teacher", TEACHER, check=False)
    assert truncated.returncode != 0
    assert "truncated" in " ".join((truncated.stdout + truncated.stderr).split())
    assert bank_size(engine) == before
