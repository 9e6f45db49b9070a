"""quizctl end to end, as a school admin runs it (real subprocesses)."""

import os
import subprocess
import sys
import textwrap

import pytest
import sqlalchemy as sa

from tests.core.test_migrations import SEED_TABLES

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def quizctl(*args, env=None, check=True):
    result = subprocess.run(
        [sys.executable, "-m", "quizcore.scripts.quizctl", *args],
        cwd=ROOT, env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=120)
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture
def sqlite_ini(tmp_path):
    ini = tmp_path / "school.ini"
    ini.write_text(textwrap.dedent(f"""
        [app:main]
        use = egg:quizcore
        sqlalchemy.url = sqlite:///{tmp_path / 'school.sqlite'}
        quizcore.bcrypt_rounds = 4
        quizcore.redis_url = redis://127.0.0.1:1/0
        """))
    return str(ini)


def test_migrate_seed_demo_is_idempotent_and_prints_logins(sqlite_ini, tmp_path):
    quizctl("-c", sqlite_ini, "migrate")
    first = quizctl("-c", sqlite_ini, "seed-demo")
    assert "admin@quizcore.local" in first.stdout
    assert "STU2024001" in first.stdout
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'school.sqlite'}")
    with engine.connect() as connection:
        counts = {t: connection.execute(sa.text(f"SELECT COUNT(*) FROM {t}")).scalar_one()
                  for t in ("users", "students", "teachers", "classes", "questions", "quizzes")}
        types = {row[0] for row in connection.execute(sa.text("SELECT type FROM questions"))}
        claimed = connection.execute(sa.text(
            "SELECT COUNT(*) FROM students WHERE is_account_claimed")).scalar_one()
        statuses = {row[0] for row in connection.execute(sa.text("SELECT status FROM quizzes"))}
    assert counts["students"] >= 30 and counts["teachers"] == 3 and counts["classes"] == 3
    assert types == {"mcq", "true_false", "short_answer", "descriptive"}
    assert 0 < claimed < counts["students"]
    assert statuses == {"published", "draft"}

    second = quizctl("-c", sqlite_ini, "seed-demo")
    assert "0 records created" in second.stdout
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT COUNT(*) FROM users")).scalar_one() == \
            counts["users"]
    engine.dispose()


def test_create_admin_then_update(sqlite_ini):
    quizctl("-c", sqlite_ini, "migrate")
    created = quizctl("-c", sqlite_ini, "create-admin", "--email", "Head@School.example",
                      "--name", "Head", "--password", "a-long-password")
    assert "Created admin head@school.example" in created.stdout
    updated = quizctl("-c", sqlite_ini, "create-admin", "--email", "head@school.example",
                      "--name", "Head Teacher", "--password", "another-password")
    assert "Updated admin" in updated.stdout
    weak = quizctl("-c", sqlite_ini, "create-admin", "--email", "x@school.example", "--name",
                   "X", "--password", "short", check=False)
    assert weak.returncode == 2 and "at least" in weak.stderr


def test_migrate_builds_every_table_on_an_empty_mariadb_database(database_url):
    url = sa.make_url(database_url)
    empty = url.set(database=url.database + "_empty")
    server = sa.create_engine(url.set(database=""))
    with server.connect() as connection:
        connection.execute(sa.text(f"DROP DATABASE IF EXISTS `{empty.database}`"))
        connection.execute(sa.text(f"CREATE DATABASE `{empty.database}`"))
    env = {"QUIZCORE_DATABASE_URL": empty.render_as_string(hide_password=False)}
    if "QUIZCORE_TEST_PLUGINS" in os.environ:  # a run with plugins left out (or deleted)
        env["QUIZCORE_PLUGINS"] = os.environ["QUIZCORE_TEST_PLUGINS"]
    try:
        quizctl("-c", "development.ini", "migrate", env=env)
        check = quizctl("-c", "development.ini", "check-schema", env=env)
        assert "matches" in check.stdout
        engine = sa.create_engine(empty)
        assert SEED_TABLES <= set(sa.inspect(engine).get_table_names())
        engine.dispose()
    finally:
        with server.connect() as connection:
            connection.execute(sa.text(f"DROP DATABASE IF EXISTS `{empty.database}`"))
        server.dispose()


def test_unknown_plugin_in_the_ini_stops_quizctl_with_a_clear_message(sqlite_ini):
    result = quizctl("-c", sqlite_ini, "migrate", check=False,
                     env={"QUIZCORE_PLUGINS": "quiz_plugins.nope"})
    assert result.returncode != 0
    assert "quiz_plugins.nope" in result.stderr and "cannot be imported" in result.stderr
