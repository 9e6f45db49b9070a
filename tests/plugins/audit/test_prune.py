"""quizctl prune-audit: rows past the retention period go, in batches; the rest stay."""

from __future__ import annotations

import argparse
import datetime as dt

import pytest
import sqlalchemy as sa
from pyramid.scripting import prepare

from quiz_plugins.audit import scripts
from quiz_plugins.audit.models import AuditLog
from quizcore.models import new_uuid, utcnow
from tests.core.test_quizctl import quizctl, sqlite_ini  # noqa: F401 - the fixture

pytestmark = pytest.mark.plugin("quiz_plugins.audit")


def old_and_new_rows(now: dt.datetime, old_days: list[int], new_days: list[int]) -> list[dict]:
    return [{"id": new_uuid(), "action": f"test.{'old' if days in old_days else 'new'}",
             "created_at": now - dt.timedelta(days=days)}
            for days in [*old_days, *new_days]]


@pytest.fixture
def audit_ini(sqlite_ini):  # noqa: F811 - the fixture imported above
    """The SQLite school of the quizctl tests, with the audit plugin on."""
    with open(sqlite_ini, "a") as ini:
        ini.write("quizcore.plugins = quiz_plugins.audit\n")
    return sqlite_ini


def test_prune_audit_on_sqlite_as_an_administrator_runs_it(audit_ini, tmp_path):
    quizctl("-c", audit_ini, "migrate")
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'school.sqlite'}")
    now = utcnow()
    with engine.begin() as connection:
        connection.execute(sa.insert(AuditLog), old_and_new_rows(now, [400, 366, 3000],
                                                                 [364, 10, 0]))
    result = quizctl("-c", audit_ini, "prune-audit")
    assert "Deleted 3 audit row(s) older than 365 day(s)" in result.stdout
    with engine.connect() as connection:
        left = connection.execute(sa.select(AuditLog.action, AuditLog.new_value)).all()
    assert sorted(action for action, _ in left) == ["audit.pruned", "test.new", "test.new",
                                                   "test.new"]
    pruned = next(value for action, value in left if action == "audit.pruned")
    assert pruned["deleted"] == 3 and pruned["retention_days"] == 365

    # The environment overrides the retention; --days overrides both.
    fewer = quizctl("-c", audit_ini, "prune-audit",
                    env={"QUIZCORE_AUDIT_RETENTION_DAYS": "100"})
    assert "Deleted 1 audit row(s) older than 100 day(s)" in fewer.stdout
    assert "Deleted 1 audit row(s) older than 5 day(s)" in quizctl(
        "-c", audit_ini, "prune-audit", "--days", "5").stdout
    assert "kept forever" in quizctl("-c", audit_ini, "prune-audit", "--days", "0").stdout
    bad = quizctl("-c", audit_ini, "prune-audit", "--batch-size", "0", check=False)
    assert bad.returncode != 0 and "batch-size" in bad.stderr


def test_prune_audit_deletes_in_batches_on_mariadb(app, committed_session, engine, capsys):
    now = utcnow()
    committed_session.execute(sa.insert(AuditLog), old_and_new_rows(
        now, [366, 367, 368, 400, 500, 600, 700], [1, 300]))
    committed_session.commit()
    deletes: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("DELETE FROM AUDIT_LOGS"):
            deletes.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    env = prepare(registry=app.registry)
    try:
        assert scripts.prune_audit(env, argparse.Namespace(days=None, batch_size=3)) == 0
    finally:
        env["closer"]()
        sa.event.remove(engine, "before_cursor_execute", record)
    assert "Deleted 7 audit row(s) older than 365 day(s)" in capsys.readouterr().out
    assert len(deletes) == 3  # 3 + 3 + 1
    committed_session.expire_all()
    assert sorted(committed_session.scalars(sa.select(AuditLog.action))) == [
        "audit.pruned", "test.new", "test.new"]


def test_delete_batch_takes_the_oldest_first(dbsession):
    now = utcnow()
    dbsession.execute(sa.insert(AuditLog), old_and_new_rows(now, [500, 400, 700], []))
    assert scripts.delete_batch(dbsession, now, 2) == 2
    left = dbsession.scalars(sa.select(AuditLog.created_at)).all()
    assert left == [now - dt.timedelta(days=400)]


def test_retention_setting_defaults_and_checks(app_settings, engine):
    from quizcore.settings import SettingsError
    from tests.conftest import build_app

    settings = build_app({**app_settings, "quizcore.plugins": "quiz_plugins.audit"},
                         engine).registry.settings
    assert settings["quizcore.audit.retention_days"] == 365
    assert settings["quizcore.audit.prune_batch_size"] == 1000
    assert settings["quizcore.audit.skip_events"] == ("attempt.answer_saved",)
    with pytest.raises(SettingsError, match="quizcore.audit.retention_days"):
        build_app({**app_settings, "quizcore.plugins": "quiz_plugins.audit",
                   "quizcore.audit.retention_days": "-1"}, engine)


def test_every_plugin_setting_is_documented_in_development_ini():
    import pathlib

    from quiz_plugins.audit import SETTINGS

    text = (pathlib.Path(__file__).parents[3] / "development.ini").read_text()
    assert [spec.key for spec in SETTINGS if f"# {spec.key} =" not in text] == []
