"""Every state-changing action writes its audit row in the same transaction, over HTTP."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from quiz_plugins.audit.models import AuditLog
from quizcore.models import utcnow
from tests import factories
from tests.plugins.fixtures import emit

pytestmark = pytest.mark.plugin("quiz_plugins.audit")

AGENT = {"User-Agent": "Mozilla/5.0 (quizcore tests)"}
NEW_PASSWORD = "a brand new password"


def rows(dbsession, action=None) -> list[AuditLog]:
    dbsession.expire_all()
    statement = sa.select(AuditLog).order_by(AuditLog.created_at, AuditLog.id)
    if action is not None:
        statement = statement.where(AuditLog.action == action)
    return list(dbsession.scalars(statement))


def login(client, identifier, password=factories.PASSWORD, status=200):
    return client.post_json("/api/auth/login", {"email_or_reg_no": identifier,
                                                "password": password},
                            headers=AGENT, status=status)


@pytest.fixture
def mail(testapp):
    mailer = testapp.app.registry["quizcore.mail"].mailer
    mailer.clear()
    yield mailer.outbox
    mailer.clear()


# -- sign-in and passwords -------------------------------------------------------------------


def test_login_is_recorded_with_address_and_user_agent(testapp, dbsession, teacher):
    login(testapp, teacher.email)
    (row,) = rows(dbsession)
    assert (row.action, row.user_id, row.entity_type, row.entity_id) == (
        "auth.login", teacher.id, "user", teacher.id)
    assert row.ip_address == "127.0.0.1"
    assert row.user_agent == AGENT["User-Agent"]
    assert row.old_value is None and row.new_value is None
    assert (utcnow() - row.created_at).total_seconds() < 60


def test_failed_login_is_recorded_with_the_account_it_aimed_at(testapp, dbsession, teacher):
    login(testapp, teacher.email, "wrong password", status=401)
    login(testapp, "nobody@school.example", status=401)
    known, unknown = rows(dbsession, "auth.login_failed")
    assert (known.user_id, known.entity_type, known.entity_id) == (None, "user", teacher.id)
    assert known.new_value == {"reason": "invalid_credentials"}
    assert unknown.entity_id is None and unknown.new_value == {"reason": "invalid_credentials"}


def test_refused_logins_say_why(testapp, dbsession, school_class):
    inactive = factories.TeacherFactory(is_active=False)
    unclaimed = factories.StudentFactory(school_class=school_class, claimed=False)
    login(testapp, inactive.email, status=403)
    login(testapp, unclaimed.email, status=403)
    assert [(r.entity_id, r.new_value["reason"]) for r in rows(dbsession, "auth.login_failed")
            ] == [(inactive.id, "inactive"), (unclaimed.id, "unclaimed")]


def test_a_failed_login_row_is_really_committed(committed_app, committed_session, engine):
    """The 401 is returned, not raised, so the request's transaction commits: the row is
    visible from another connection."""
    teacher = factories.TeacherFactory()
    committed_session.commit()
    login(committed_app, teacher.email, "wrong password", status=401)
    with engine.connect() as connection:
        found = connection.execute(sa.select(AuditLog.action, AuditLog.entity_id)).all()
    assert found == [("auth.login_failed", teacher.id)]


def test_claim_change_reset_and_logout_are_recorded(testapp, dbsession, school_class, teacher,
                                                    auth, mail):
    student = factories.StudentFactory(school_class=school_class, claimed=False)
    testapp.post_json("/api/auth/claim-account", {
        "registration_number": student.student.registration_number,
        "password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    testapp.post_json("/api/auth/change-password", {
        "current_password": factories.PASSWORD, "new_password": NEW_PASSWORD},
        headers=auth(teacher))
    testapp.post_json("/api/auth/forgot-password", {"email": teacher.email})
    code = re.search(r"\b(\d{6})\b", mail[-1].get_body(("plain",)).get_content()).group(1)
    token = testapp.post_json("/api/auth/verify-reset-code",
                              {"email": teacher.email, "code": code}).json["reset_token"]
    testapp.post_json("/api/auth/reset-password", {
        "reset_token": token, "new_password": factories.PASSWORD,
        "confirm_password": factories.PASSWORD})
    tokens = login(testapp, teacher.email).json
    testapp.post_json("/api/auth/logout", {"refresh_token": tokens["refresh_token"]})

    trail = [(r.action, r.user_id, r.entity_id, r.new_value) for r in rows(dbsession)]
    assert trail == [
        ("auth.account_claimed", student.id, student.id, None),
        ("auth.password_changed", teacher.id, teacher.id, {"via": "change"}),
        ("auth.password_reset_requested", None, teacher.id, None),
        ("auth.password_changed", teacher.id, teacher.id, {"via": "reset"}),
        ("auth.login", teacher.id, teacher.id, None),
        ("auth.logout", teacher.id, teacher.id, None),
    ]


# -- people and classes ----------------------------------------------------------------------


def test_user_create_update_delete_with_old_and_new_values(testapp, dbsession, admin, auth):
    created = testapp.post_json("/api/users", {
        "email": "nia@school.example", "name": "Nia Teacher", "password": "teacher password",
        "role": "teacher", "subject": "Biology"}, headers=auth(admin), status=201).json
    testapp.put_json(f"/api/users/{created['id']}", {"name": "Nia Okafor",
                                                     "password": "another password"},
                     headers=auth(admin))
    testapp.delete(f"/api/users/{created['id']}", headers=auth(admin))
    create, update, delete = rows(dbsession)
    assert [r.action for r in (create, update, delete)] == ["user.create", "user.update",
                                                            "user.delete"]
    assert all(r.user_id == admin.id and r.entity_type == "user" and
               r.entity_id == created["id"] for r in (create, update, delete))
    assert create.new_value == {"email": "nia@school.example", "name": "Nia Teacher",
                                "role": "teacher", "is_active": True}
    assert update.old_value == {"name": "Nia Teacher", "password": "***"}
    assert update.new_value == {"name": "Nia Okafor", "password": "***"}
    assert delete.old_value["email"] == "nia@school.example" and delete.new_value is None


def test_class_and_student_changes_are_recorded(testapp, dbsession, admin, teacher, student,
                                                auth):
    school_class = testapp.post_json("/api/classes", {"name": "Grade 10", "section": "B"},
                                     headers=auth(admin), status=201).json
    testapp.post_json(f"/api/classes/{school_class['id']}/assign-teacher",
                      {"teacher_id": teacher.id}, headers=auth(admin))
    testapp.put_json(f"/api/students/{student.id}", {"name": "Renamed Student"},
                     headers=auth(teacher))
    trail = [(r.action, r.user_id, r.entity_type, r.entity_id) for r in rows(dbsession)]
    assert trail == [
        ("class.create", admin.id, "class", school_class["id"]),
        ("class.assign_teacher", admin.id, "class", school_class["id"]),
        ("student.update", teacher.id, "student", student.id),
    ]
    assert rows(dbsession, "student.update")[0].new_value == {"name": "Renamed Student"}


# -- quizzes and attempts (events as the assessment core emits them) -------------------------


def test_quiz_and_attempt_events_are_recorded(emitter_app, dbsession, auth, teacher, student,
                                              school_class):
    quiz = factories.QuizFactory(owner=teacher, classes=[school_class])
    attempt_id = factories.models.new_uuid()
    emit(emitter_app,
         ("QuizPublished", {"quiz_id": quiz.id, "title": quiz.title, "teacher_id": teacher.id,
                            "class_ids": [school_class.id]}),
         ("QuizArchived", {"quiz_id": quiz.id, "title": quiz.title, "teacher_id": teacher.id}),
         ("EntityChanged", {"action": "delete", "entity_type": "quiz", "entity_id": quiz.id,
                            "old": {"title": quiz.title, "access_code": quiz.access_code}}),
         headers=auth(teacher))
    emit(emitter_app,
         ("AttemptSubmitted", {"attempt_id": attempt_id, "quiz_id": quiz.id,
                               "student_id": student.id, "student_name": student.name,
                               "status": "auto_submitted", "reason": "violations"}),
         ("AttemptGraded", {"attempt_id": attempt_id, "quiz_id": quiz.id,
                            "student_id": student.id, "score": 4.0, "total_marks": 5,
                            "percentage": 80.0, "passed": True, "status": "auto_submitted"}))
    trail = [(r.action, r.user_id, r.entity_type, r.entity_id) for r in rows(dbsession)]
    assert trail == [
        ("quiz.published", teacher.id, "quiz", quiz.id),
        ("quiz.archived", teacher.id, "quiz", quiz.id),
        ("quiz.delete", teacher.id, "quiz", quiz.id),
        ("attempt.auto_submitted", None, "attempt", attempt_id),
        ("attempt.graded", None, "attempt", attempt_id),
    ]
    deleted = rows(dbsession, "quiz.delete")[0]
    assert deleted.old_value == {"title": quiz.title, "access_code": quiz.access_code}


# -- the transaction decides -----------------------------------------------------------------


@pytest.mark.parametrize("outcome", ["fail", "veto"])
def test_a_rolled_back_request_leaves_no_audit_row(emitter_app, dbsession, auth, admin,
                                                   teacher, outcome):
    emit(emitter_app,
         ("LoginSucceeded", {"user_id": admin.id}),
         ("EntityChanged", {"action": "update", "entity_type": "user", "entity_id": teacher.id,
                            "old": {"name": "A"}, "new": {"name": "B"}}),
         outcome=outcome, headers=auth(admin))
    assert rows(dbsession) == []


def test_the_same_events_committed_are_recorded(emitter_app, dbsession, auth, admin, teacher):
    """The counterpart of the rollback test: the events it sends do write rows."""
    emit(emitter_app,
         ("LoginSucceeded", {"user_id": admin.id}),
         ("EntityChanged", {"action": "update", "entity_type": "user", "entity_id": teacher.id,
                            "old": {"name": "A"}, "new": {"name": "B"}}),
         headers=auth(admin))
    assert [r.action for r in rows(dbsession)] == ["auth.login", "user.update"]


def test_a_refused_request_records_nothing(testapp, dbsession, admin, teacher, auth):
    testapp.post_json("/api/users", {"email": teacher.email, "name": "Dup", "role": "teacher",
                                     "password": "teacher password"},
                      headers=auth(admin), status=409)
    assert rows(dbsession) == []


def test_long_user_agents_are_cut_to_fit(testapp, dbsession, teacher):
    testapp.post_json("/api/auth/login", {"email_or_reg_no": teacher.email,
                                          "password": factories.PASSWORD},
                      headers={"User-Agent": "x" * 5000})
    assert len(rows(dbsession)[0].user_agent) == 500
