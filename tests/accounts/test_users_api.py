"""/api/users: administrators manage every account."""

from __future__ import annotations

import pytest

from quizcore.domain import passwords
from quizcore.models import UNUSABLE_PASSWORD, Quiz, QuizAttempt, User
from tests import factories
from tests.helpers import assert_error

from .conftest import bearer, login_body

NEW_TEACHER = {"email": "New.Teacher@School.example", "name": "Nia Teacher",
               "password": "teacher password", "role": "teacher", "subject": "Biology",
               "department": "Science"}


def test_admin_creates_a_teacher_with_a_profile(testapp, admin, auth):
    body = testapp.post_json("/api/users", NEW_TEACHER, headers=auth(admin), status=201).json
    assert body["email"] == "new.teacher@school.example"
    assert body["role"] == "teacher" and body["subject"] == "Biology"
    assert body["department"] == "Science" and body["phone"] is None
    testapp.post_json("/api/auth/login", login_body("NEW.teacher@school.example",
                                                    "teacher password"))


def test_admin_creates_a_student_without_a_password_unclaimed(testapp, admin, auth,
                                                              school_class, dbsession):
    body = testapp.post_json("/api/users", {
        "email": "kid@school.example", "name": "Kid", "role": "student",
        "registration_number": "R-77", "class_id": school_class.id}, headers=auth(admin),
        status=201).json
    assert body["is_account_claimed"] is False and body["class_id"] == school_class.id
    assert dbsession.get(User, body["id"]).password_hash == UNUSABLE_PASSWORD


def test_admin_may_give_a_student_a_password(testapp, admin, auth):
    body = testapp.post_json("/api/users", {
        "email": "kid@school.example", "name": "Kid", "role": "student",
        "registration_number": "R-78", "password": "student password"},
        headers=auth(admin), status=201).json
    assert body["is_account_claimed"] is True
    testapp.post_json("/api/auth/login", login_body("R-78", "student password"))


@pytest.mark.parametrize("change, field", [
    ({"password": None}, "password"),
    ({"password": "short"}, "password"),
    ({"role": "janitor"}, "role"),
    ({"email": "not-an-email"}, "email"),
    ({"registration_number": "R-1"}, "registration_number"),
    ({"role": "admin"}, "subject"),
    ({"role": "student", "registration_number": None, "subject": None, "department": None},
     "registration_number"),
])
def test_create_user_refusals(testapp, admin, auth, change, field):
    body = {**NEW_TEACHER, **change}
    body = {k: v for k, v in body.items() if v is not None}
    error = assert_error(testapp.post_json("/api/users", body, headers=auth(admin), status=400),
                         400)
    assert error["errors"][0]["name"] == field


def test_duplicate_email_is_a_409_whatever_the_case(testapp, admin, teacher, auth):
    body = {**NEW_TEACHER, "email": teacher.email.upper()}
    assert_error(testapp.post_json("/api/users", body, headers=auth(admin), status=409), 409)


def test_list_filters_and_searches(testapp, admin, teacher, student, auth):
    headers = auth(admin)
    factories.TeacherFactory(name="Zelda Quill", is_active=False)
    everyone = testapp.get("/api/users", headers=headers).json
    assert everyone["total"] == 4
    teachers = testapp.get("/api/users?role=teacher", headers=headers).json
    assert {u["role"] for u in teachers["items"]} == {"teacher"} and teachers["total"] == 2
    inactive = testapp.get("/api/users?is_active=false", headers=headers).json
    assert [u["name"] for u in inactive["items"]] == ["Zelda Quill"]
    found = testapp.get("/api/users?search=zELDa", headers=headers).json
    assert [u["name"] for u in found["items"]] == ["Zelda Quill"]
    by_email = testapp.get(f"/api/users?search={student.email[:9]}", headers=headers).json
    assert student.id in [u["id"] for u in by_email["items"]]
    assert_error(testapp.get("/api/users?is_active=maybe", headers=headers, status=400), 400)
    assert_error(testapp.get("/api/users?role=janitor", headers=headers, status=400), 400)


def test_search_treats_percent_and_underscore_literally(testapp, admin, auth):
    factories.TeacherFactory(name="100% Sure")
    factories.TeacherFactory(name="Plain Name")
    found = testapp.get("/api/users?search=%25", headers=auth(admin)).json
    assert [u["name"] for u in found["items"]] == ["100% Sure"]


def test_pagination_and_its_aliases(testapp, admin, auth):
    for _ in range(5):
        factories.TeacherFactory()
    page = testapp.get("/api/users?page=2&limit=2", headers=auth(admin)).json
    assert (page["page"], page["current_page"], page["limit"], page["total"], page["pages"]) \
        == (2, 2, 2, 6, 3)
    alias = testapp.get("/api/users?page=2&per_page=2", headers=auth(admin)).json
    assert alias["items"] == page["items"]
    capped = testapp.get("/api/users?limit=1000", headers=auth(admin)).json
    assert capped["limit"] == 100
    assert_error(testapp.get("/api/users?page=0", headers=auth(admin), status=400), 400)


def test_update_teacher_profile_and_clear_a_field(testapp, admin, teacher, auth):
    body = testapp.put_json(f"/api/users/{teacher.id}", {
        "name": "Renamed", "phone": "+44 1234", "bio": "Likes maths"}, headers=auth(admin)).json
    assert body["name"] == "Renamed" and body["phone"] == "+44 1234"
    cleared = testapp.put_json(f"/api/users/{teacher.id}", {"phone": None, "bio": ""},
                               headers=auth(admin)).json
    assert cleared["phone"] is None and cleared["bio"] is None
    assert cleared["subject"] == "Mathematics"  # untouched


def test_update_refuses_fields_of_another_role(testapp, admin, teacher, auth):
    error = assert_error(testapp.put_json(f"/api/users/{teacher.id}",
                                          {"registration_number": "X"}, headers=auth(admin),
                                          status=400), 400)
    assert error["errors"][0]["name"] == "registration_number"


def test_update_to_a_taken_email_is_a_409(testapp, admin, teacher, other_teacher, auth):
    assert_error(testapp.put_json(f"/api/users/{teacher.id}", {"email": other_teacher.email},
                                  headers=auth(admin), status=409), 409)


def test_admin_sets_a_password_which_ends_sessions(testapp, admin, teacher, auth, sign_in):
    tokens = sign_in(teacher)
    testapp.put_json(f"/api/users/{teacher.id}", {"password": "set by admin"},
                     headers=auth(admin))
    testapp.get("/api/auth/me", headers=bearer(tokens["access_token"]), status=401)
    testapp.post_json("/api/auth/refresh", {"refresh_token": tokens["refresh_token"]},
                      status=401)
    testapp.post_json("/api/auth/login", login_body(teacher.email, "set by admin"))


def test_deactivation_ends_sessions_and_reactivation_allows_login(testapp, admin, teacher,
                                                                   auth, sign_in):
    tokens = sign_in(teacher)
    testapp.put_json(f"/api/users/{teacher.id}", {"is_active": False}, headers=auth(admin))
    testapp.get("/api/auth/me", headers=bearer(tokens["access_token"]), status=401)
    testapp.post_json("/api/auth/login", login_body(teacher.email), status=403)
    testapp.put_json(f"/api/users/{teacher.id}", {"is_active": True}, headers=auth(admin))
    testapp.post_json("/api/auth/login", login_body(teacher.email))


def test_admin_cannot_deactivate_or_delete_themselves(testapp, admin, auth, dbsession):
    factories.AdminFactory()  # another admin exists: the refusal is about "self"
    for response in (
        testapp.put_json(f"/api/users/{admin.id}", {"is_active": False}, headers=auth(admin),
                         status=409),
        testapp.delete(f"/api/users/{admin.id}", headers=auth(admin), status=409),
    ):
        assert assert_error(response, 409)["reason"] == "self"
    dbsession.refresh(admin)
    assert admin.is_active


def test_admin_can_remove_another_admin(testapp, admin, auth, dbsession):
    other = factories.AdminFactory()
    testapp.put_json(f"/api/users/{other.id}", {"is_active": False}, headers=auth(admin))
    other_id = other.id
    testapp.delete(f"/api/users/{other_id}", headers=auth(admin))
    dbsession.expire_all()
    assert dbsession.get(User, other_id) is None


def test_delete_a_teacher_without_attempts(testapp, admin, teacher, school_class, auth,
                                           dbsession):
    quiz_id, teacher_id = factories.QuizFactory(owner=teacher).id, teacher.id
    assert testapp.delete(f"/api/users/{teacher_id}", headers=auth(admin)).json["message"]
    dbsession.expire_all()
    assert dbsession.get(User, teacher_id) is None
    assert dbsession.get(Quiz, quiz_id) is None


def test_deleting_a_teacher_whose_quizzes_have_attempts_is_refused(testapp, admin, teacher,
                                                                   student, auth, dbsession):
    quiz = factories.QuizFactory(owner=teacher)
    dbsession.add(QuizAttempt(quiz_id=quiz.id, student_id=student.id))
    dbsession.flush()
    body = assert_error(testapp.delete(f"/api/users/{teacher.id}", headers=auth(admin),
                                       status=409), 409)
    assert body["reason"] == "has_attempts"
    assert dbsession.get(User, teacher.id) is not None


def test_admin_deletes_a_student_with_attempts(testapp, admin, teacher, student, auth,
                                               dbsession):
    quiz = factories.QuizFactory(owner=teacher)
    dbsession.add(QuizAttempt(quiz_id=quiz.id, student_id=student.id))
    dbsession.flush()
    student_id = student.id
    testapp.delete(f"/api/users/{student_id}", headers=auth(admin))
    dbsession.expire_all()
    assert dbsession.get(User, student_id) is None
    assert dbsession.query(QuizAttempt).filter_by(student_id=student_id).count() == 0


def test_unknown_user_is_a_404(testapp, admin, auth):
    missing = "00000000-0000-4000-8000-000000000000"
    assert_error(testapp.get(f"/api/users/{missing}", headers=auth(admin), status=404), 404)
    assert_error(testapp.get("/api/users/not-a-uuid", headers=auth(admin), status=404), 404)


def test_user_events(events, admin, auth):
    client, log = events
    created = client.post_json("/api/users", NEW_TEACHER, headers=auth(admin), status=201).json
    client.put_json(f"/api/users/{created['id']}", {"name": "Other Name", "password":
                                                    "another password"}, headers=auth(admin))
    client.delete(f"/api/users/{created['id']}", headers=auth(admin))
    changes = log.named("entity.changed")
    assert [(e.action, e.entity_type, e.entity_id) for e in changes] == [
        ("create", "user", created["id"]), ("update", "user", created["id"]),
        ("delete", "user", created["id"])]
    assert changes[1].old["name"] == "Nia Teacher" and changes[1].new["name"] == "Other Name"
    assert changes[1].new["password"] == "***"
    assert "another password" not in repr([e.payload() for e in changes])
    assert all(e.actor_id == admin.id for e in changes)


def test_password_is_hashed_with_the_configured_cost(testapp, admin, auth, dbsession):
    body = testapp.post_json("/api/users", NEW_TEACHER, headers=auth(admin), status=201).json
    stored = dbsession.get(User, body["id"]).password_hash
    assert passwords.hash_rounds(stored) == 4 and "teacher password" not in stored


def test_admin_password_for_an_unclaimed_student_makes_the_account_usable(testapp, admin,
                                                                          school_class, auth):
    user = factories.StudentFactory(school_class=school_class, claimed=False)
    body = testapp.put_json(f"/api/users/{user.id}", {"password": "given by admin"},
                            headers=auth(admin)).json
    assert body["is_account_claimed"] is True
    testapp.post_json("/api/auth/login", login_body(user.email, "given by admin"))
