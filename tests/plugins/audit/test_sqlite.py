"""Both plugins on the development database (SQLite): the bulk INSERT of notifications, the
bulk UPDATE of read-all, date filters of the audit trail, pruning."""

from __future__ import annotations

import argparse
import datetime as dt

import pytest
import sqlalchemy as sa
import webtest
from pyramid.scripting import prepare

from quiz_plugins.audit import scripts
from quiz_plugins.audit.models import AuditLog
from quizcore.models import Role, User, utcnow
from tests.assessment.test_sqlite import people, sqlite_app  # noqa: F401 - the fixture
from tests.helpers import auth_headers

pytestmark = [pytest.mark.plugin("quiz_plugins.notifications"),
              pytest.mark.plugin("quiz_plugins.audit")]


def test_notifications_and_audit_on_sqlite(sqlite_app):  # noqa: F811
    session, teacher, student, school_class = people(sqlite_app)
    admin = User(email="a@school.example", name="Admin", role=Role.ADMIN)
    session.add(admin)
    session.commit()
    client = webtest.TestApp(sqlite_app, extra_environ={"REMOTE_ADDR": "10.1.2.3"})
    as_teacher = auth_headers(sqlite_app.registry, teacher)
    as_student = auth_headers(sqlite_app.registry, student)
    question = client.post_json("/api/questions", {
        "text": "Capital of Peru?", "type": "short_answer", "marks": 1,
        "accepted_answers": ["Lima"]}, headers=as_teacher, status=201).json
    quiz = client.post_json("/api/quizzes", {
        "title": "Capitals", "subject": "Geography", "time_limit_minutes": 5,
        "question_ids": [question["id"]], "class_ids": [school_class.id]},
        headers=as_teacher, status=201).json
    client.post(f"/api/quizzes/{quiz['id']}/publish", headers=as_teacher)

    inbox = client.get("/api/notifications?is_read=false", headers=as_student).json
    assert [item["title"] for item in inbox["items"]] == ["New quiz: Capitals"]
    assert client.post("/api/notifications/read-all", headers=as_student).json["updated"] == 1
    assert client.get("/api/notifications", headers=as_student).json["unread_count"] == 0

    as_admin = auth_headers(sqlite_app.registry, admin)
    today = session.scalar(sa.select(sa.func.max(AuditLog.created_at))).date().isoformat()
    trail = client.get(f"/api/audit-logs?from={today}&to={today}&entity_id={quiz['id']}",
                       headers=as_admin).json
    assert [item["action"] for item in trail["items"]] == ["quiz.published", "quiz.create"]
    assert trail["items"][0]["ip_address"] == "10.1.2.3"

    session.add_all([AuditLog(action="test.old", created_at=utcnow() - dt.timedelta(days=days))
                     for days in (10, 20, 30)])
    session.commit()
    env = prepare(registry=sqlite_app.registry)
    try:
        assert scripts.prune_audit(env, argparse.Namespace(days=1, batch_size=2)) == 0
    finally:
        env["closer"]()
    session.expire_all()
    assert sorted(session.scalars(sa.select(AuditLog.action))) == [
        "audit.pruned", "question.create", "quiz.create", "quiz.published"]
    session.close()
