"""No password, hash, token or reset code in any audit row or log line.

The sensitive flows run end to end (sign-in that fails and succeeds, refresh and refresh
reuse, claiming an account, changing a password, forgot/verify/reset with the real code,
an admin setting a password, sign-out) while every logger records at DEBUG; then the audit
rows and the log text are searched for every secret those flows used or stored.
"""

from __future__ import annotations

import json
import logging
import re

import pytest
import sqlalchemy as sa

from quiz_plugins.audit.models import AuditLog
from quizcore.models import PasswordResetToken, RefreshToken, User
from tests import factories

pytestmark = pytest.mark.plugin("quiz_plugins.audit")

#: SQLAlchemy's engine loggers are its SQL trace: at INFO they print every statement's
#: parameters and at DEBUG every row read (password hashes included). Both shipped ini files
#: keep them at WARNING (checked below); every other logger records at DEBUG here.
SQL_TRACE_LOGGERS = ("sqlalchemy.engine", "sqlalchemy.engine.Engine")


@pytest.fixture
def all_logs(caplog):
    """Every record of every logger, at DEBUG (the SQL trace as configured in the ini)."""
    loggers = [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)]
    saved = [(logger, logger.level, logger.disabled) for logger in loggers]
    for logger in loggers:
        logger.disabled = False
        logger.setLevel(logging.DEBUG)
    for name in SQL_TRACE_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    caplog.set_level(logging.DEBUG)
    yield caplog
    for logger, level, disabled in saved:
        logger.setLevel(level)
        logger.disabled = disabled


def test_shipped_ini_files_keep_the_sql_trace_off():
    import pathlib

    root = pathlib.Path(__file__).parents[3]
    for name in ("development.ini", "production.ini"):
        text = (root / name).read_text()
        section = text.split("[logger_sqlalchemy]", 1)[1].split("[", 1)[0]
        assert "level = WARNING" in section and "qualname = sqlalchemy.engine" in section, name


class Secrets:
    def __init__(self):
        self.values: dict[str, str] = {}

    def add(self, kind: str, value: str | None) -> str | None:
        if value:
            self.values[value] = kind
        return value

    def found_in(self, text: str) -> list[str]:
        leaks = []
        for value, kind in self.values.items():
            if kind == "reset code":
                # Six digits: matched as a whole word (UUID segments are never 6 long).
                if re.search(rf"(?<![0-9A-Za-z]){value}(?![0-9A-Za-z])", text):
                    leaks.append(f"{kind} {value}")
            elif value in text:
                leaks.append(f"{kind} {value[:12]}...")
        return leaks


def code_from(outbox) -> str:
    return re.search(r"\b(\d{6})\b", outbox[-1].get_body(("plain",)).get_content()).group(1)


def test_sensitive_flows_leave_no_secret_in_audit_rows_or_logs(all_logs, testapp, dbsession,
                                                               admin, auth, school_class):
    # all_logs comes first: the test's database connection decides whether to trace SQL
    # when it opens, so the levels must be set before it does.
    outbox = testapp.app.registry["quizcore.mail"].mailer.outbox
    outbox.clear()
    secrets = Secrets()
    passwords = {name: secrets.add("password", f"{name} pass phrase 42!") for name in
                 ("first", "admin-set", "wrong", "changed", "reset", "claimed", "reset-2",
                  "new-user-wrong")}

    def stored_hash(user_id):
        dbsession.expire_all()
        return secrets.add("password hash", dbsession.get(User, user_id).password_hash)

    def tokens(body):
        for key in ("access_token", "refresh_token", "reset_token"):
            secrets.add(key.replace("_", " "), body.get(key))
        return body

    # An admin creates a teacher with a password, then sets another one.
    teacher = testapp.post_json("/api/users", {
        "email": "tess@school.example", "name": "Tess Teacher", "role": "teacher",
        "password": passwords["first"]}, headers=auth(admin), status=201).json
    stored_hash(teacher["id"])
    testapp.put_json(f"/api/users/{teacher['id']}", {"password": passwords["admin-set"]},
                     headers=auth(admin))
    stored_hash(teacher["id"])
    secrets.add("password hash", stored_hash(admin.id))
    secrets.add("access token", auth(admin)["Authorization"].split()[1])

    # Sign-in: wrong password, unknown account, then right.
    login = {"email_or_reg_no": "tess@school.example"}
    testapp.post_json("/api/auth/login", {**login, "password": passwords["wrong"]}, status=401)
    testapp.post_json("/api/auth/login", {"email_or_reg_no": "ghost@school.example",
                                          "password": passwords["new-user-wrong"]}, status=401)
    first = tokens(testapp.post_json("/api/auth/login",
                                     {**login, "password": passwords["admin-set"]}).json)

    # Refresh (body and header forms), then a reuse of a rotated token.
    second = tokens(testapp.post_json("/api/auth/refresh",
                                      {"refresh_token": first["refresh_token"]}).json)
    third = tokens(testapp.post_json("/api/auth/refresh", {}, headers={
        "Authorization": f"Bearer {second['refresh_token']}"}).json)
    testapp.post_json("/api/auth/refresh", {"refresh_token": first["refresh_token"]},
                      status=401)
    # A tampered access token is refused (and may be logged as such).
    tampered = secrets.add("access token", third["access_token"][:-4] + "AAAA")
    testapp.get("/api/auth/me", headers={"Authorization": f"Bearer {tampered}"}, status=401)

    # Change password (answers with new tokens); the old one is then wrong.
    fresh = tokens(testapp.post_json("/api/auth/login",
                                     {**login, "password": passwords["admin-set"]}).json)
    changed = tokens(testapp.post_json("/api/auth/change-password", {
        "current_password": passwords["admin-set"], "new_password": passwords["changed"]},
        headers={"Authorization": f"Bearer {fresh['access_token']}"}).json)
    testapp.post_json("/api/auth/change-password", {
        "current_password": passwords["wrong"], "new_password": passwords["reset"]},
        headers={"Authorization": f"Bearer {changed['access_token']}"}, status=400)
    stored_hash(teacher["id"])

    # Forgot / verify (one wrong guess) / reset with the token.
    testapp.post_json("/api/auth/forgot-password", {"email": "tess@school.example"})
    code = secrets.add("reset code", code_from(outbox))
    wrong_code = f"{(int(code) + 1) % 1_000_000:06d}"
    testapp.post_json("/api/auth/verify-reset-code",
                      {"email": "tess@school.example", "code": wrong_code}, status=400)
    reset = tokens(testapp.post_json("/api/auth/verify-reset-code",
                                     {"email": "tess@school.example", "code": code}).json)
    testapp.post_json("/api/auth/reset-password", {
        "reset_token": reset["reset_token"], "new_password": passwords["reset"],
        "confirm_password": passwords["reset"]})
    stored_hash(teacher["id"])
    # ... and with e-mail + code instead of the token.
    testapp.post_json("/api/auth/forgot-password", {"email": "tess@school.example"})
    code_2 = secrets.add("reset code", code_from(outbox))
    testapp.post_json("/api/auth/reset-password", {
        "email": "tess@school.example", "code": code_2, "new_password": passwords["reset-2"],
        "confirm_password": passwords["reset-2"]})
    stored_hash(teacher["id"])

    # A student claims an account, signs in and signs out.
    student = factories.StudentFactory(school_class=school_class, claimed=False)
    testapp.post_json("/api/auth/claim-account", {
        "registration_number": student.student.registration_number,
        "password": passwords["claimed"], "confirm_password": passwords["claimed"]})
    stored_hash(student.id)
    session = tokens(testapp.post_json("/api/auth/login", {
        "email_or_reg_no": student.email, "password": passwords["claimed"]}).json)
    testapp.post_json("/api/auth/logout", {"refresh_token": session["refresh_token"]})

    # What the database keeps instead of the secrets is secret too.
    for value in dbsession.scalars(sa.select(RefreshToken.token)):
        secrets.add("stored refresh token", value)
    for value in dbsession.scalars(sa.select(PasswordResetToken.token)):
        secrets.add("stored reset code", value)

    dbsession.expire_all()
    audit = [{"action": row.action, "user_id": row.user_id, "entity_type": row.entity_type,
              "entity_id": row.entity_id, "old_value": row.old_value,
              "new_value": row.new_value, "ip_address": row.ip_address,
              "user_agent": row.user_agent}
             for row in dbsession.scalars(sa.select(AuditLog))]
    audit_text = json.dumps(audit)
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    log_text = "\n".join(formatter.format(record) for record in all_logs.records)

    # The flows really ran and were recorded.
    actions = {row["action"] for row in audit}
    assert {"user.create", "user.update", "auth.login_failed", "auth.login",
            "auth.password_changed", "auth.password_reset_requested",
            "auth.account_claimed", "auth.logout"} <= actions
    assert len(secrets.values) >= 30
    assert all_logs.records, "nothing was logged: the log check would prove nothing"

    assert secrets.found_in(audit_text) == []
    assert secrets.found_in(log_text) == []


def test_the_search_finds_a_secret_when_there_is_one():
    """The check above can fail: a planted secret is found, a six-digit code only as a
    whole word."""
    secrets = Secrets()
    secrets.add("password", "hunter2 is long")
    secrets.add("reset code", "123456")
    assert secrets.found_in("user typed hunter2 is long") == ["password hunter2 is l..."]
    assert secrets.found_in("code=123456.") == ["reset code 123456"]
    assert secrets.found_in("id 9a123456b-0000") == []
