"""``/api/classes``: classes, their teachers and their students.

Admins create, edit and delete classes and assign teachers. A teacher sees the classes they
are assigned to (others are a 404) and may add students they can see to those classes or
take them out. Students get 403 (their own class is part of ``/api/auth/me``).

Deleting a class keeps its students: their ``class_id`` becomes NULL (the foreign key says
``ON DELETE SET NULL``).
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from pyramid import httpexceptions as exc
from sqlalchemy.orm import Session

from ..domain import classes as class_rules
from ..domain import visibility
from ..domain.changes import apply_changes, snapshot
from ..errors import conflict, http_error, not_found
from ..events import EntityChanged
from ..models import SchoolClass, Student, Teacher, TeacherClass, User
from ..rest import Service, emit_for, iso, page_params, paginate, validator
from ..schemas.classes import (
    AssignStudentsRequest,
    AssignTeacherRequest,
    ClassCreateRequest,
    ClassListRequest,
    ClassRequest,
    ClassStudentRequest,
    ClassTeacherRequest,
    ClassUpdateRequest,
)
from ..schemas.types import cleared_fields, ids_only
from .students import flush_or_conflict, with_search

CLASS_PATH = "/api/classes/{id}"
ASSIGN_TEACHER_PATH = "/api/classes/{id}/assign-teacher"
ASSIGN_STUDENTS_PATH = "/api/classes/{id}/assign-students"
CLASS_STUDENT_PATH = "/api/classes/{id}/students/{student_id}"
CLASS_TEACHER_PATH = "/api/classes/{id}/teachers/{teacher_id}"

classes = Service(name="classes", path="/api/classes",
                  description="Classes visible to the signed-in teacher or admin.")
school_class = Service(name="class", path=CLASS_PATH, path_info=ids_only(CLASS_PATH),
                       description="One class with its teachers and students.")
assign_teacher = Service(name="class_assign_teacher", path=ASSIGN_TEACHER_PATH,
                         path_info=ids_only(ASSIGN_TEACHER_PATH),
                         description="Assign a teacher to a class (admins).")
assign_students = Service(name="class_assign_students", path=ASSIGN_STUDENTS_PATH,
                          path_info=ids_only(ASSIGN_STUDENTS_PATH),
                          description="Put students into a class.")
class_student = Service(name="class_student", path=CLASS_STUDENT_PATH,
                        path_info=ids_only(CLASS_STUDENT_PATH),
                        description="Take a student out of a class.")
class_teacher = Service(name="class_teacher", path=CLASS_TEACHER_PATH,
                        path_info=ids_only(CLASS_TEACHER_PATH),
                        description="Unassign a teacher from a class (admins).")

CLASS_FIELDS = ("name", "section", "academic_year")
DUPLICATE_CLASS = "A class with this name, section and academic year already exists."


# -- reading ---------------------------------------------------------------------------------


def student_counts(session: Session, class_ids: list[str]) -> dict[str, int]:
    if not class_ids:
        return {}
    rows = session.execute(sa.select(Student.class_id, sa.func.count())
                           .where(Student.class_id.in_(class_ids)).group_by(Student.class_id))
    return dict(rows.all())


def teachers_of_classes(session: Session, class_ids: list[str]) -> dict[str, list[dict]]:
    result: dict[str, list[dict]] = defaultdict(list)
    if not class_ids:
        return result
    rows = session.execute(
        sa.select(TeacherClass.class_id, User.id, User.name)
        .join(User, User.id == TeacherClass.teacher_id)
        .where(TeacherClass.class_id.in_(class_ids))
        .order_by(User.name, User.id))
    for class_id, teacher_id, name in rows:
        result[class_id].append({"id": teacher_id, "name": name})
    return result


def class_json(row: SchoolClass, student_count: int, teachers: list[dict]) -> dict:
    return {
        "id": row.id,
        "name": row.name,
        "section": row.section,
        "academic_year": row.academic_year,
        "teachers": teachers,
        "student_count": student_count,
        "created_by": row.created_by,
        "created_at": iso(row.created_at),
        "updated_at": iso(row.updated_at),
    }


def class_detail(session: Session, row: SchoolClass) -> dict:
    members = session.execute(
        sa.select(Student.id, User.name, Student.registration_number, Student.is_account_claimed)
        .join(User, User.id == Student.id).where(Student.class_id == row.id)
        .order_by(User.name, Student.id)).all()
    data = class_json(row, len(members), teachers_of_classes(session, [row.id])[row.id])
    data["students"] = [{"id": sid, "name": name, "registration_number": number,
                         "is_account_claimed": claimed}
                        for sid, name, number, claimed in members]
    return data


def class_listing(request, statement, query: dict) -> dict:
    """One page of classes (``search``, ``academic_year`` filters) with counts and teachers."""
    statement = with_search(statement, query, SchoolClass.name, SchoolClass.section,
                            SchoolClass.academic_year)
    if "academic_year" in query:
        statement = statement.where(SchoolClass.academic_year == query["academic_year"])
    statement = statement.order_by(SchoolClass.name, SchoolClass.section, SchoolClass.id)
    page, limit = page_params(query)
    session = request.dbsession
    listing = paginate(session, statement, page, limit)
    ids = [row.id for row in listing["items"]]
    counts, teachers = student_counts(session, ids), teachers_of_classes(session, ids)
    listing["items"] = [class_json(row, counts.get(row.id, 0), teachers[row.id])
                        for row in listing["items"]]
    return listing


def visible_class(request, class_id: str) -> SchoolClass:
    row = request.dbsession.get(SchoolClass, class_id)
    if row is None or not visibility.can_see_class(request.dbsession, request.user, class_id):
        raise not_found("Class")
    return row


def ensure_no_duplicate(request, values: dict, exclude_id: str | None = None) -> None:
    if class_rules.find_duplicate_class(request.dbsession, values["name"], values["section"],
                                        values["academic_year"], exclude_class_id=exclude_id):
        raise conflict(DUPLICATE_CLASS)


# -- views -----------------------------------------------------------------------------------


@classes.get(schema=ClassListRequest(), validators=(validator,), permission="teach")
def list_classes(request):
    return class_listing(request, visibility.classes_visible_to(request.user),
                         request.validated["querystring"])


@classes.post(schema=ClassCreateRequest(), validators=(validator,), permission="admin")
def create_class(request):
    values = request.validated["body"]
    ensure_no_duplicate(request, values)
    row = SchoolClass(**{name: values[name] for name in CLASS_FIELDS},
                      created_by=request.user.id)
    request.dbsession.add(row)
    flush_or_conflict(request, DUPLICATE_CLASS)
    emit_for(request, EntityChanged(action="create", entity_type="class", entity_id=row.id,
                                    new=snapshot(row, CLASS_FIELDS)))
    request.response.status_code = 201
    return class_detail(request.dbsession, row)


@school_class.get(schema=ClassRequest(), validators=(validator,), permission="teach")
def get_class(request):
    return class_detail(request.dbsession, visible_class(request, request.validated["path"]["id"]))


@school_class.put(schema=ClassUpdateRequest(), validators=(validator,), permission="admin")
def update_class(request):
    """``null`` or ``""`` clears the section or the academic year."""
    row = visible_class(request, request.validated["path"]["id"])
    values = {**request.validated["body"], **cleared_fields(request, ("section", "academic_year"))}
    merged = {name: values.get(name, getattr(row, name)) for name in CLASS_FIELDS}
    ensure_no_duplicate(request, merged, exclude_id=row.id)
    old, new = apply_changes(row, values)
    flush_or_conflict(request, DUPLICATE_CLASS)
    if new:
        emit_for(request, EntityChanged(action="update", entity_type="class", entity_id=row.id,
                                        old=old, new=new))
    return class_detail(request.dbsession, row)


@school_class.delete(schema=ClassRequest(), validators=(validator,), permission="admin")
def delete_class(request):
    """The students stay (without a class); teacher and quiz assignments go with the class."""
    row = visible_class(request, request.validated["path"]["id"])
    class_id, old = row.id, snapshot(row, CLASS_FIELDS)
    session = request.dbsession
    session.delete(row)
    session.flush()
    # The database set the students' class_id to NULL; rows already loaded must not keep
    # the old value for the rest of the request.
    for loaded in list(session.identity_map.values()):
        if isinstance(loaded, Student) and loaded.class_id == class_id:
            session.expire(loaded, ["class_id"])
    emit_for(request, EntityChanged(action="delete", entity_type="class", entity_id=class_id,
                                    old=old))
    return {"message": "Class deleted. Its students are kept without a class."}


@assign_teacher.post(schema=AssignTeacherRequest(), validators=(validator,), permission="admin")
def post_assign_teacher(request):
    """Idempotent: assigning a teacher twice answers 200 and changes nothing."""
    row = visible_class(request, request.validated["path"]["id"])
    teacher_id = request.validated["body"]["teacher_id"]
    session = request.dbsession
    if session.get(Teacher, teacher_id) is None:
        raise not_found("Teacher")
    if visibility.teaches_class(session, teacher_id, row.id):
        return {"message": "The teacher is already assigned to this class.",
                "class": class_detail(session, row)}
    session.add(TeacherClass(teacher_id=teacher_id, class_id=row.id))
    flush_or_conflict(request, "The teacher is already assigned to this class.")
    emit_for(request, EntityChanged(action="assign_teacher", entity_type="class", entity_id=row.id,
                                    new={"teacher_id": teacher_id}))
    return {"message": "Teacher assigned.", "class": class_detail(session, row)}


@class_teacher.delete(schema=ClassTeacherRequest(), validators=(validator,),
                      permission="admin")
def delete_class_teacher(request):
    row = visible_class(request, request.validated["path"]["id"])
    teacher_id = request.validated["path"]["teacher_id"]
    session = request.dbsession
    link = session.scalars(sa.select(TeacherClass).where(
        TeacherClass.class_id == row.id, TeacherClass.teacher_id == teacher_id)).one_or_none()
    if link is None:
        raise not_found("Teacher assignment")
    session.delete(link)
    emit_for(request, EntityChanged(action="unassign_teacher", entity_type="class",
                                    entity_id=row.id, old={"teacher_id": teacher_id}))
    return {"message": "Teacher unassigned.", "class": class_detail(session, row)}


@assign_students.post(schema=AssignStudentsRequest(), validators=(validator,),
                      permission="teach")
def post_assign_students(request):
    """Moves the students into the class. A teacher may assign only students they can see
    (those in their classes); any id the user cannot see makes the whole request a 404."""
    row = visible_class(request, request.validated["path"]["id"])
    wanted = list(dict.fromkeys(request.validated["body"]["student_ids"]))
    session = request.dbsession
    found = session.scalars(
        sa.select(Student).where(Student.id.in_(wanted),
                                 visibility.student_condition(request.user))
        .with_for_update()).all()
    missing = sorted(set(wanted) - {s.id for s in found})
    if missing:
        raise not_found("Student") if len(missing) == len(wanted) else \
            _missing_students(missing)
    moved = []
    for student in found:
        if student.class_id != row.id:
            moved.append({"student_id": student.id, "from_class_id": student.class_id})
            student.class_id = row.id
    session.flush()
    if moved:
        emit_for(request, EntityChanged(action="assign_students", entity_type="class",
                                        entity_id=row.id,
                                        new={"student_ids": [m["student_id"] for m in moved]},
                                        old={"from_class_ids": {m["student_id"]: m["from_class_id"]
                                                                for m in moved}}))
    return {"message": f"{len(moved)} student(s) assigned.", "assigned": len(moved),
            "already_in_class": len(found) - len(moved), "class": class_detail(session, row)}


def _missing_students(missing: list[str]):
    return http_error(exc.HTTPNotFound, f"{len(missing)} of the students were not found.",
                      "Not found", missing_ids=missing)


@class_student.delete(schema=ClassStudentRequest(), validators=(validator,), permission="teach")
def delete_class_student(request):
    row = visible_class(request, request.validated["path"]["id"])
    student_id = request.validated["path"]["student_id"]
    student = request.dbsession.get(Student, student_id)
    if student is None or student.class_id != row.id:
        raise not_found("Student")
    student.class_id = None
    emit_for(request, EntityChanged(action="remove_student", entity_type="class", entity_id=row.id,
                                    old={"student_id": student_id}))
    return {"message": "Student removed from the class.", "class": class_detail(request.dbsession,
                                                                               row)}


def includeme(config):
    for service in (classes, school_class, assign_teacher, class_teacher, assign_students,
                    class_student):
        config.add_cornice_service(service)
    # the same name, section and year exist
    config.add_operation_statuses(classes, "POST", success=(201,), statuses=(409,))
    config.add_operation_statuses(school_class, "PUT", statuses=(409,))
    config.add_operation_statuses(assign_teacher, "POST", statuses=(409,))  # already assigned

