"""/api/students: creation into a teacher's own classes, visibility, edits, deletion."""

from __future__ import annotations

from quizcore.models import UNUSABLE_PASSWORD, QuizAttempt, Student, User
from tests import factories
from tests.helpers import assert_error

NEW_STUDENT = {"name": "Olu Ade", "email": "Olu@School.example",
               "registration_number": "2025/9A/001", "date_of_birth": "2011-04-30",
               "parent_email": "Parent@Home.example", "parent_phone": "+234 800"}


def test_teacher_creates_a_student_in_their_class(testapp, teacher, school_class, auth,
                                                  dbsession):
    body = testapp.post_json("/api/students", {**NEW_STUDENT, "class_id": school_class.id},
                             headers=auth(teacher), status=201).json
    assert body["email"] == "olu@school.example"
    assert body["class"]["id"] == school_class.id and body["class"]["name"] == school_class.name
    assert body["is_account_claimed"] is False
    assert body["date_of_birth"] == "2011-04-30"
    assert body["parent_email"] == "parent@home.example"
    assert body["created_at"].endswith("Z")
    assert dbsession.get(User, body["id"]).password_hash == UNUSABLE_PASSWORD


def test_teacher_cannot_create_into_another_teachers_class(testapp, other_teacher,
                                                           school_class, auth, dbsession):
    assert_error(testapp.post_json("/api/students", {**NEW_STUDENT, "class_id": school_class.id},
                                   headers=auth(other_teacher), status=404), 404)
    assert dbsession.query(Student).filter_by(registration_number="2025/9A/001").count() == 0


def test_teacher_must_choose_a_class(testapp, teacher, auth):
    body = assert_error(testapp.post_json("/api/students", NEW_STUDENT, headers=auth(teacher),
                                          status=400), 400)
    assert body["errors"][0]["name"] == "class_id"


def test_admin_creates_a_student_without_a_class(testapp, admin, auth):
    body = testapp.post_json("/api/students", NEW_STUDENT, headers=auth(admin), status=201).json
    assert body["class"] is None and body["class_id"] is None


def test_duplicates_are_409(testapp, admin, student, auth):
    headers = auth(admin)
    number = student.student.registration_number
    body = assert_error(testapp.post_json("/api/students", {
        **NEW_STUDENT, "registration_number": number.lower()}, headers=headers, status=409), 409)
    assert body["field"] == "registration_number"
    body = assert_error(testapp.post_json("/api/students", {
        **NEW_STUDENT, "email": student.email.upper()}, headers=headers, status=409), 409)
    assert body["field"] == "email"


def test_bad_input_is_a_400(testapp, admin, auth):
    for change in ({"date_of_birth": "30/04/2011"}, {"parent_email": "nope"}, {"name": ""},
                   {"registration_number": "x" * 51}):
        assert_error(testapp.post_json("/api/students", {**NEW_STUDENT, **change},
                                       headers=auth(admin), status=400), 400)


def test_list_shows_only_the_teachers_students(testapp, teacher, student, other_student, auth):
    body = testapp.get("/api/students", headers=auth(teacher)).json
    assert [s["id"] for s in body["items"]] == [student.id] and body["total"] == 1


def test_list_filters(testapp, admin, school_class, student, other_student, auth):
    unclaimed = factories.StudentFactory(school_class=school_class, claimed=False,
                                         name="Unclaimed Kid")
    headers = auth(admin)
    in_class = testapp.get(f"/api/students?class_id={school_class.id}", headers=headers).json
    assert {s["id"] for s in in_class["items"]} == {student.id, unclaimed.id}
    pending = testapp.get("/api/students?is_account_claimed=false", headers=headers).json
    assert [s["id"] for s in pending["items"]] == [unclaimed.id]
    number = other_student.student.registration_number
    by_number = testapp.get(f"/api/students?search={number.lower()}", headers=headers).json
    assert [s["id"] for s in by_number["items"]] == [other_student.id]


def test_student_sees_themselves_only(testapp, student, other_student, auth):
    assert testapp.get(f"/api/students/{student.id}", headers=auth(student)).json["id"] == \
        student.id
    assert_error(testapp.get(f"/api/students/{other_student.id}", headers=auth(student),
                             status=404), 404)
    assert_error(testapp.get("/api/students", headers=auth(student), status=403), 403)


def test_teacher_updates_and_moves_a_student_between_own_classes(testapp, teacher, student,
                                                                 school_class, auth):
    second = factories.ClassFactory()
    factories.TeacherClassFactory(teacher=teacher, school_class=second)
    body = testapp.put_json(f"/api/students/{student.id}", {
        "name": "New Name", "class_id": second.id, "parent_phone": "123"},
        headers=auth(teacher)).json
    assert body["name"] == "New Name" and body["class_id"] == second.id
    cleared = testapp.put_json(f"/api/students/{student.id}", {"parent_phone": None},
                               headers=auth(teacher)).json
    assert cleared["parent_phone"] is None and cleared["name"] == "New Name"


def test_teacher_cannot_move_a_student_out_to_a_foreign_class(testapp, teacher, student,
                                                              other_student, auth, dbsession):
    foreign = other_student.student.class_id
    assert_error(testapp.put_json(f"/api/students/{student.id}", {"class_id": foreign},
                                  headers=auth(teacher), status=404), 404)
    dbsession.refresh(student.student)
    assert student.student.class_id != foreign


def test_only_admins_change_is_active(testapp, teacher, admin, student, auth):
    assert_error(testapp.put_json(f"/api/students/{student.id}", {"is_active": False},
                                  headers=auth(teacher), status=403), 403)
    body = testapp.put_json(f"/api/students/{student.id}", {"is_active": False},
                            headers=auth(admin)).json
    assert body["is_active"] is False


def test_update_duplicate_registration_number_is_409(testapp, admin, student, other_student,
                                                     auth):
    assert_error(testapp.put_json(f"/api/students/{student.id}", {
        "registration_number": other_student.student.registration_number.lower()},
        headers=auth(admin), status=409), 409)


def test_teacher_deletes_a_student_without_attempts(testapp, teacher, student, auth,
                                                    dbsession):
    student_id = student.id
    testapp.delete(f"/api/students/{student_id}", headers=auth(teacher))
    dbsession.expire_all()
    assert dbsession.get(User, student_id) is None


def test_teacher_cannot_delete_a_student_with_attempts(testapp, teacher, student, auth,
                                                       dbsession):
    quiz = factories.QuizFactory(owner=teacher)
    dbsession.add(QuizAttempt(quiz_id=quiz.id, student_id=student.id))
    dbsession.flush()
    body = assert_error(testapp.delete(f"/api/students/{student.id}", headers=auth(teacher),
                                       status=409), 409)
    assert body["reason"] == "has_attempts"


def test_student_events(events, teacher, school_class, auth):
    client, log = events
    created = client.post_json("/api/students", {**NEW_STUDENT, "class_id": school_class.id},
                               headers=auth(teacher), status=201).json
    client.put_json(f"/api/students/{created['id']}", {"name": "Renamed"},
                    headers=auth(teacher))
    client.put_json(f"/api/students/{created['id']}", {"name": "Renamed"},
                    headers=auth(teacher))  # no change, no event
    client.delete(f"/api/students/{created['id']}", headers=auth(teacher))
    changes = [(e.action, e.entity_type, e.old, e.new) for e in log.named("entity.changed")]
    assert changes[0][:2] == ("create", "student") and changes[0][3]["class_id"] == \
        school_class.id
    assert changes[1] == ("update", "student", {"name": "Olu Ade"}, {"name": "Renamed"})
    assert changes[2][:2] == ("delete", "student") and len(changes) == 3


def test_routes_beside_student_ids_stay_free_for_plugins(app_with, admin, auth):
    """/api/students/export and /bulk-import belong to plugins: without them, a plain 404."""
    core_only = app_with(**{"quizcore.plugins": ""})
    response = core_only.get("/api/students/export", headers=auth(admin), status=404)
    assert "No resource" in response.json["message"]
    core_only.post("/api/students/bulk-import", headers=auth(admin), status=404)
