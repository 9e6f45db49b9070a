"""/api/classes and /api/teachers."""

from __future__ import annotations

from quizcore.models import SchoolClass, Student, TeacherClass
from tests import factories
from tests.helpers import assert_error

# -- classes ---------------------------------------------------------------------------------


def test_admin_creates_a_class(testapp, admin, auth):
    body = testapp.post_json("/api/classes", {"name": "Grade 7", "section": "B",
                                              "academic_year": "2025-2026"},
                             headers=auth(admin), status=201).json
    assert (body["name"], body["section"], body["academic_year"]) == \
        ("Grade 7", "B", "2025-2026")
    assert body["student_count"] == 0 and body["teachers"] == [] and body["students"] == []
    assert body["created_by"] == admin.id


def test_duplicate_class_is_409_including_null_section_and_year(testapp, admin, auth):
    headers = auth(admin)
    testapp.post_json("/api/classes", {"name": "Grade 7"}, headers=headers, status=201)
    assert_error(testapp.post_json("/api/classes", {"name": "Grade 7"}, headers=headers,
                                   status=409), 409)
    assert_error(testapp.post_json("/api/classes", {"name": "Grade 7", "section": ""},
                                   headers=headers, status=409), 409)
    testapp.post_json("/api/classes", {"name": "Grade 7", "section": "A"}, headers=headers,
                      status=201)
    assert_error(testapp.post_json("/api/classes", {"name": "Grade 7", "section": "A"},
                                   headers=headers, status=409), 409)


def test_class_update_refuses_to_become_a_duplicate(testapp, admin, auth):
    headers = auth(admin)
    factories.ClassFactory(name="Grade 8", section=None, academic_year=None)
    other = factories.ClassFactory(name="Grade 8", section="B", academic_year=None)
    assert_error(testapp.put_json(f"/api/classes/{other.id}", {"section": None},
                                  headers=headers, status=409), 409)
    body = testapp.put_json(f"/api/classes/{other.id}", {"section": "C",
                                                         "academic_year": "2026"},
                            headers=headers).json
    assert (body["section"], body["academic_year"]) == ("C", "2026")


def test_teacher_sees_assigned_classes_only(testapp, teacher, school_class, other_student,
                                            student, auth):
    body = testapp.get("/api/classes", headers=auth(teacher)).json
    assert [c["id"] for c in body["items"]] == [school_class.id]
    item = body["items"][0]
    assert item["student_count"] == 1
    assert item["teachers"] == [{"id": teacher.id, "name": teacher.name}]
    assert_error(testapp.get(f"/api/classes/{other_student.student.class_id}",
                             headers=auth(teacher), status=404), 404)


def test_class_detail_lists_students_and_teachers(testapp, teacher, school_class, student,
                                                  auth):
    body = testapp.get(f"/api/classes/{school_class.id}", headers=auth(teacher)).json
    assert body["students"] == [{"id": student.id, "name": student.name,
                                 "registration_number": student.student.registration_number,
                                 "is_account_claimed": True}]
    assert body["student_count"] == 1


def test_class_search_and_pagination(testapp, admin, auth):
    for name in ("Alpha", "Beta", "Gamma"):
        factories.ClassFactory(name=f"Grade {name}")
    headers = auth(admin)
    found = testapp.get("/api/classes?search=gAMMA", headers=headers).json
    assert [c["name"] for c in found["items"]] == ["Grade Gamma"]
    page = testapp.get("/api/classes?per_page=2&page=2", headers=headers).json
    assert page["total"] == 3 and len(page["items"]) == 1 and page["current_page"] == 2


def test_deleting_a_class_keeps_its_students(testapp, admin, school_class, student, auth,
                                             dbsession):
    class_id = school_class.id
    testapp.delete(f"/api/classes/{class_id}", headers=auth(admin))
    dbsession.expire_all()
    assert dbsession.get(SchoolClass, class_id) is None
    kept = dbsession.get(Student, student.id)
    assert kept is not None and kept.class_id is None
    assert dbsession.query(TeacherClass).filter_by(class_id=class_id).count() == 0


def test_assign_and_unassign_a_teacher(testapp, admin, other_teacher, school_class, auth):
    headers = auth(admin)
    url = f"/api/classes/{school_class.id}/assign-teacher"
    body = testapp.post_json(url, {"teacher_id": other_teacher.id}, headers=headers).json
    assert other_teacher.id in [t["id"] for t in body["class"]["teachers"]]
    again = testapp.post_json(url, {"teacher_id": other_teacher.id}, headers=headers).json
    assert "already" in again["message"]
    testapp.get(f"/api/classes/{school_class.id}", headers=auth(other_teacher), status=200)
    testapp.delete(f"/api/classes/{school_class.id}/teachers/{other_teacher.id}",
                   headers=headers)
    testapp.get(f"/api/classes/{school_class.id}", headers=auth(other_teacher), status=404)
    testapp.delete(f"/api/classes/{school_class.id}/teachers/{other_teacher.id}",
                   headers=headers, status=404)


def test_assigning_a_non_teacher_is_a_404(testapp, admin, student, school_class, auth):
    assert_error(testapp.post_json(f"/api/classes/{school_class.id}/assign-teacher",
                                   {"teacher_id": student.id}, headers=auth(admin),
                                   status=404), 404)


def test_teacher_moves_own_students_between_own_classes(testapp, teacher, school_class,
                                                        student, auth, dbsession):
    second = factories.ClassFactory()
    factories.TeacherClassFactory(teacher=teacher, school_class=second)
    body = testapp.post_json(f"/api/classes/{second.id}/assign-students",
                             {"student_ids": [student.id, student.id]},
                             headers=auth(teacher)).json
    assert body["assigned"] == 1 and body["class"]["student_count"] == 1
    again = testapp.post_json(f"/api/classes/{second.id}/assign-students",
                              {"student_ids": [student.id]}, headers=auth(teacher)).json
    assert again["assigned"] == 0 and again["already_in_class"] == 1


def test_teacher_cannot_take_another_teachers_student(testapp, teacher, school_class, student,
                                                      other_student, auth, dbsession):
    response = testapp.post_json(f"/api/classes/{school_class.id}/assign-students",
                                 {"student_ids": [student.id, other_student.id]},
                                 headers=auth(teacher), status=404)
    assert assert_error(response, 404)["missing_ids"] == [other_student.id]
    dbsession.refresh(other_student.student)
    assert other_student.student.class_id != school_class.id  # all or nothing


def test_admin_assigns_any_student(testapp, admin, school_class, other_student, auth):
    body = testapp.post_json(f"/api/classes/{school_class.id}/assign-students",
                             {"student_ids": [other_student.id]}, headers=auth(admin)).json
    assert body["assigned"] == 1


def test_assign_students_needs_ids(testapp, admin, school_class, auth):
    assert_error(testapp.post_json(f"/api/classes/{school_class.id}/assign-students",
                                   {"student_ids": []}, headers=auth(admin), status=400), 400)


def test_remove_a_student_from_a_class(testapp, teacher, school_class, student, auth,
                                       dbsession):
    url = f"/api/classes/{school_class.id}/students/{student.id}"
    body = testapp.delete(url, headers=auth(teacher)).json
    assert body["class"]["student_count"] == 0
    dbsession.refresh(student.student)
    assert student.student.class_id is None
    testapp.delete(url, headers=auth(teacher), status=404)


def test_class_events(events, admin, teacher, student, auth):
    client, log = events
    headers = auth(admin)
    created = client.post_json("/api/classes", {"name": "Grade 11"}, headers=headers,
                               status=201).json
    client.put_json(f"/api/classes/{created['id']}", {"section": "A"}, headers=headers)
    client.post_json(f"/api/classes/{created['id']}/assign-teacher",
                     {"teacher_id": teacher.id}, headers=headers)
    client.post_json(f"/api/classes/{created['id']}/assign-students",
                     {"student_ids": [student.id]}, headers=headers)
    client.delete(f"/api/classes/{created['id']}/students/{student.id}", headers=headers)
    client.delete(f"/api/classes/{created['id']}", headers=headers)
    assert [e.action for e in log.named("entity.changed")] == [
        "create", "update", "assign_teacher", "assign_students", "remove_student", "delete"]
    assert {e.entity_id for e in log.named("entity.changed")} == {created["id"]}


# -- teachers --------------------------------------------------------------------------------


def test_admin_lists_teachers_with_classes(testapp, admin, teacher, other_teacher,
                                           school_class, auth):
    body = testapp.get("/api/teachers", headers=auth(admin)).json
    assert {t["id"] for t in body["items"]} == {teacher.id, other_teacher.id}
    mine = next(t for t in body["items"] if t["id"] == teacher.id)
    assert mine["classes"][0]["id"] == school_class.id
    assert mine["subject"] == "Mathematics"
    found = testapp.get("/api/teachers?search=MATHEM", headers=auth(admin)).json
    assert found["total"] == 2


def test_teacher_sees_only_themselves(testapp, teacher, other_teacher, auth):
    body = testapp.get("/api/teachers", headers=auth(teacher)).json
    assert [t["id"] for t in body["items"]] == [teacher.id]
    testapp.get(f"/api/teachers/{teacher.id}", headers=auth(teacher), status=200)
    assert_error(testapp.get(f"/api/teachers/{other_teacher.id}", headers=auth(teacher),
                             status=404), 404)


def test_teacher_detail_fields(testapp, admin, teacher, school_class, auth):
    body = testapp.get(f"/api/teachers/{teacher.id}", headers=auth(admin)).json
    assert set(body) >= {"id", "name", "email", "subject", "phone", "department", "bio",
                         "classes"}
    assert body["classes"][0] == {"id": school_class.id, "name": school_class.name,
                                  "section": school_class.section,
                                  "academic_year": school_class.academic_year}


def test_teacher_classes_and_students(testapp, teacher, school_class, student, other_student,
                                      auth):
    classes = testapp.get(f"/api/teachers/{teacher.id}/classes", headers=auth(teacher)).json
    assert [c["id"] for c in classes["items"]] == [school_class.id]
    students = testapp.get(f"/api/teachers/{teacher.id}/students", headers=auth(teacher)).json
    assert [s["id"] for s in students["items"]] == [student.id]
    filtered = testapp.get(f"/api/teachers/{teacher.id}/students?is_account_claimed=false",
                           headers=auth(teacher)).json
    assert filtered["total"] == 0


def test_unknown_teacher_is_a_404_for_admins(testapp, admin, student, auth):
    assert_error(testapp.get(f"/api/teachers/{student.id}", headers=auth(admin), status=404),
                 404)
