"""Contract of the SPA's user management screen (``AdminUsers.tsx``): for each call the
request the page sends (``api.ts``) and every response field it reads, on MariaDB."""

from __future__ import annotations

import pytest

from quizcore.models import User
from tests import factories
from tests.helpers import assert_error

pytestmark = pytest.mark.plugin("quiz_plugins.spa_compat")


def test_the_user_list_as_the_page_reads_it(testapp, admin, auth, teacher, student,
                                            school_class):
    body = testapp.get("/api/admin/users?page=1&per_page=50", headers=auth(admin)).json
    assert body["total"] == 3 and body["pages"] == 1 and body["current_page"] == 1
    users = {u["id"]: u for u in body["users"]}
    listed_teacher, listed_student = users[teacher.id], users[student.id]
    for user in (listed_teacher, listed_student):
        assert {"id", "name", "email", "role", "is_active"} <= set(user)
        assert user["is_active"] is True
    assert listed_teacher["role"] == "teacher" and listed_teacher["subject"] == "Mathematics"
    assert listed_student["role"] == "student"
    number = student.student.registration_number
    assert listed_student["registration_number"] == number == \
        listed_student["registrationNumber"]
    assert listed_student["class_name"] == school_class.name == listed_student["className"]
    assert listed_student["classId"] == school_class.id

    only = testapp.get(f"/api/admin/users/?page=1&per_page=20&role=teacher&search="
                       f"{teacher.name.split()[0]}", headers=auth(admin)).json
    assert [u["id"] for u in only["users"]] == [teacher.id]


def test_only_admins_manage_users(testapp, teacher, student, auth):
    for user in (teacher, student):
        assert_error(testapp.get("/api/admin/users", headers=auth(user), expect_errors=True),
                     403)
        assert_error(testapp.post_json("/api/admin/users", {"name": "X"}, headers=auth(user),
                                       expect_errors=True), 403)
    assert_error(testapp.get("/api/admin/users", expect_errors=True), 401)


def test_creating_a_teacher_without_a_password_as_the_page_does(testapp, admin, auth,
                                                                dbsession):
    body = testapp.post_json("/api/admin/users", {
        "name": "Grace Hopper", "email": "grace@school.example", "role": "teacher",
        "subject": "Computing"}, headers=auth(admin), status=201).json
    assert body["user"]["subject"] == "Computing" and "Forgot password" in body["message"]
    created = dbsession.get(User, body["user"]["id"])
    assert created.password_hash.startswith("$2")  # a random password nobody was told
    # Signing in with an empty or guessed password fails.
    testapp.post_json("/api/auth/login", {"email_or_reg_no": "grace@school.example",
                                          "password": ""}, status=400)


def test_creating_a_student_as_the_page_does(testapp, admin, auth, school_class):
    body = testapp.post_json("/api/admin/users", {
        "name": "Alan Turing", "email": "alan@school.example", "role": "student",
        "registration_number": "STU2024999", "class_id": school_class.id},
        headers=auth(admin), status=201).json
    assert body["user"]["registrationNumber"] == "STU2024999"
    assert body["user"]["is_account_claimed"] is False


def test_bad_creations_are_refused_and_create_nothing(testapp, admin, auth, teacher,
                                                      dbsession):
    count = dbsession.query(User).count()
    for bad in ({"name": "No Email", "role": "teacher", "subject": "Art"},
                {"name": "Twin", "email": teacher.email, "role": "teacher", "subject": "Art"},
                {"name": "Pupil", "email": "p@school.example", "role": "student"},
                {"name": "Who", "email": "w@school.example", "role": "wizard"}):
        response = testapp.post_json("/api/admin/users", bad, headers=auth(admin),
                                     expect_errors=True)
        assert 400 <= response.status_code < 500, response.text
        assert_error(response, response.status_code)
    testapp.post("/api/admin/users", "not json", headers={**auth(admin),
                 "Content-Type": "application/json"}, status=400)
    dbsession.expire_all()
    assert dbsession.query(User).count() == count


def test_editing_toggling_and_deleting_as_the_page_does(testapp, admin, auth, teacher,
                                                        dbsession):
    edited = testapp.put_json(f"/api/admin/users/{teacher.id}", {
        "name": "Tess Renamed", "email": teacher.email, "subject": "Physics"},
        headers=auth(admin)).json
    assert edited["user"]["name"] == "Tess Renamed" and edited["user"]["subject"] == "Physics"

    off = testapp.post(f"/api/admin/users/{teacher.id}/toggle-active", headers=auth(admin)).json
    assert off["is_active"] is False and off["user"]["is_active"] is False
    # The deactivated teacher's token stops working at once.
    assert_error(testapp.get("/api/auth/me", headers=auth(teacher), expect_errors=True), 401)
    on = testapp.post(f"/api/admin/users/{teacher.id}/toggle-active", headers=auth(admin)).json
    assert on["is_active"] is True

    teacher_id = teacher.id
    testapp.delete(f"/api/admin/users/{teacher_id}", headers=auth(admin), status=200)
    dbsession.expire_all()
    assert dbsession.get(User, teacher_id) is None
    assert_error(testapp.delete(f"/api/admin/users/{teacher_id}", headers=auth(admin),
                                expect_errors=True), 404)


def test_an_admin_cannot_switch_themself_off(testapp, admin, auth, dbsession):
    assert_error(testapp.post(f"/api/admin/users/{admin.id}/toggle-active",
                              headers=auth(admin), expect_errors=True), 409)
    dbsession.expire_all()
    assert dbsession.get(User, admin.id).is_active is True


def test_the_class_list_of_the_pickers(testapp, admin, auth, school_class):
    other = factories.ClassFactory(name="Grade 12")
    body = testapp.get("/api/admin/classes", headers=auth(admin)).json
    assert {c["id"]: c["name"] for c in body["classes"]} == {
        school_class.id: school_class.name, other.id: "Grade 12"}
    assert body["total"] == 2
    found = testapp.get("/api/admin/classes?search=Grade%2012", headers=auth(admin)).json
    assert [c["id"] for c in found["classes"]] == [other.id]


def test_the_class_screen_as_the_page_uses_it(testapp, admin, auth, teacher, student,
                                              dbsession):
    from quizcore.models import SchoolClass, Student, TeacherClass

    created = testapp.post_json("/api/admin/classes", {"name": "Class 10 A", "section": "A"},
                                headers=auth(admin), status=201).json
    class_id = created["class"]["id"]
    assert created["class"]["name"] == "Class 10 A"
    renamed = testapp.put_json(f"/api/admin/classes/{class_id}", {"name": "Class 10 Alpha"},
                               headers=auth(admin)).json
    assert renamed["class"]["name"] == "Class 10 Alpha"

    testapp.post_json(f"/api/admin/classes/{class_id}/assign-teacher",
                      {"teacher_id": teacher.id}, headers=auth(admin))
    testapp.post_json(f"/api/admin/classes/{class_id}/assign-student",
                      {"student_id": student.id}, headers=auth(admin))
    listed = testapp.get("/api/admin/classes?page=1&per_page=12", headers=auth(admin)).json
    row = next(c for c in listed["classes"] if c["id"] == class_id)
    assert [t["name"] for t in row["teachers"]] == [teacher.name]
    users = testapp.get("/api/admin/users?page=1&per_page=100", headers=auth(admin)).json
    assert next(u for u in users["users"] if u["id"] == student.id)["class_id"] == class_id
    dbsession.expire_all()
    assert dbsession.get(Student, student.id).class_id == class_id
    assert dbsession.query(TeacherClass).filter_by(class_id=class_id).count() == 1

    for bad, status in (({}, 400), ({"student_id": 7}, 400),
                        ({"student_id": "00000000-0000-4000-8000-000000000000"}, 404)):
        assert_error(testapp.post_json(f"/api/admin/classes/{class_id}/assign-student", bad,
                                       headers=auth(admin), expect_errors=True), status)
    assert_error(testapp.post_json("/api/admin/classes", {"section": "B"},
                                   headers=auth(admin), expect_errors=True), 400)
    assert_error(testapp.post_json("/api/admin/classes", {"name": "X"}, headers=auth(teacher),
                                   expect_errors=True), 403)

    testapp.delete(f"/api/admin/classes/{class_id}", headers=auth(admin), status=200)
    dbsession.expire_all()
    assert dbsession.get(SchoolClass, class_id) is None
    assert dbsession.get(Student, student.id).class_id is None  # the student is kept
