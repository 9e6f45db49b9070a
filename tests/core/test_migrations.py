"""The alembic history builds the whole schema, matching the models, on MariaDB and SQLite.

The schema is the same whatever plugins are enabled; the models compared are the core's and
those of the plugins this run enables (a disabled plugin's tables are left alone, as
alembic's environment does)."""

import importlib.util
import json
import subprocess
import sys

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from quizcore.migrations import alembic_config, import_models, include_object
from quizcore.models import metadata
from quizcore.settings import as_list

SEED_TABLES = {
    "users", "teachers", "students", "classes", "teacher_classes", "quizzes", "quiz_classes",
    "questions", "quiz_questions", "quiz_attempts", "student_answers", "violations",
    "password_reset_tokens", "refresh_tokens", "audit_logs", "notifications",
}


def diff(engine, plugins):
    import_models(as_list(plugins))
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": include_object})
        return compare_metadata(context, metadata)


def test_mariadb_schema_has_every_seed_table(engine):
    tables = set(sa.inspect(engine).get_table_names())
    assert SEED_TABLES <= tables


def test_mariadb_schema_matches_the_models(engine, app_settings):
    assert diff(engine, app_settings["quizcore.plugins"]) == []


#: Run in a fresh interpreter: ``alembic check`` with the plugins named on the command line,
#: then the plugin model modules that were imported.
CHECK_SCRIPT = """
import json, sys
from alembic import command
from quizcore.migrations import alembic_config
command.check(alembic_config(sys.argv[1], sys.argv[2:]))
print(json.dumps(sorted(name for name in sys.modules
                        if name.startswith("quiz_plugins.") and name.endswith(".models"))))
"""


def test_alembic_check_imports_the_models_of_the_plugins_it_is_given(database_url, engine,
                                                                     app_settings):
    """``alembic check`` (``quizctl check-schema``) imports the models of the plugins named
    in the settings, by name, and no other's; the tables of the others are left alone."""
    with_models = [name for name in as_list(app_settings["quizcore.plugins"])
                   if importlib.util.find_spec(f"{name}.models") is not None]
    for named in ([], with_models[:1], with_models):
        result = subprocess.run([sys.executable, "-c", CHECK_SCRIPT, database_url, *named],
                                capture_output=True, text=True, timeout=120, check=False)
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout.splitlines()[-1]) == sorted(
            f"{name}.models" for name in named)


def test_every_mariadb_table_is_innodb_utf8mb4_unicode_ci(engine):
    with engine.connect() as connection:
        rows = connection.execute(sa.text(
            "SELECT table_name, engine, table_collation FROM information_schema.tables "
            "WHERE table_schema = DATABASE()")).all()
    for name, engine_name, collation in rows:
        assert engine_name == "InnoDB", name
        assert collation == "utf8mb4_unicode_ci", name


def test_enums_are_stored_as_their_values(engine):
    with engine.connect() as connection:
        column_type = connection.execute(sa.text(
            "SELECT column_type FROM information_schema.columns WHERE table_schema = DATABASE() "
            "AND table_name = 'violations' AND column_name = 'violation_type'")).scalar_one()
    assert column_type == ("enum('tab_switch','fullscreen_exit','copy_attempt','paste_attempt',"
                           "'right_click','focus_lost','multiple_windows')")


def test_check_constraints_hold_on_mariadb(dbsession, teacher):
    from tests import factories

    with pytest.raises(sa.exc.OperationalError, match="time_limit"):
        with dbsession.begin_nested():
            factories.QuizFactory(owner=teacher, time_limit_minutes=0)


def test_one_answer_per_question_per_attempt(dbsession, teacher, student):
    from quizcore.models import QuizAttempt, StudentAnswer
    from tests import factories

    question = factories.QuestionFactory(owner=teacher)
    quiz = factories.QuizFactory(owner=teacher, questions=[question])
    attempt = QuizAttempt(quiz_id=quiz.id, student_id=student.id)
    dbsession.add(attempt)
    dbsession.flush()
    dbsession.add(StudentAnswer(attempt_id=attempt.id, question_id=question.id, answer_option=1))
    dbsession.flush()
    with pytest.raises(sa.exc.IntegrityError):
        with dbsession.begin_nested():
            dbsession.add(StudentAnswer(attempt_id=attempt.id, question_id=question.id,
                                        answer_option=2))
            dbsession.flush()


def test_sqlite_upgrade_from_empty_matches_models_and_downgrades(tmp_path, app_settings):
    url = f"sqlite:///{tmp_path / 'schema.sqlite'}"
    config = alembic_config(url)
    command.upgrade(config, "head")
    engine = sa.create_engine(url)
    assert SEED_TABLES <= set(sa.inspect(engine).get_table_names())
    assert diff(engine, app_settings["quizcore.plugins"]) == []
    command.downgrade(config, "base")
    assert set(sa.inspect(engine).get_table_names()) == {"alembic_version"}
    command.upgrade(config, "head")
    engine.dispose()
