"""``/api/teachers``: teacher profiles with their classes and students (read only; teacher
accounts are created and edited through ``/api/users``).

Admins see every teacher; a teacher sees only themselves (another teacher's id is a 404);
students get 403.
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from ..domain import visibility
from ..errors import not_found
from ..models import SchoolClass, Student, Teacher, TeacherClass, User
from ..rest import Service, page_params, paginate, validator
from ..schemas.teachers import (
    TeacherClassesRequest,
    TeacherListRequest,
    TeacherRequest,
    TeacherStudentsRequest,
)
from ..schemas.types import ids_only
from ._accounts import account_fields
from .students import filter_students, student_json, with_relations, with_search

TEACHER_PATH = "/api/teachers/{id}"
TEACHER_CLASSES_PATH = "/api/teachers/{id}/classes"
TEACHER_STUDENTS_PATH = "/api/teachers/{id}/students"

teachers = Service(name="teachers", path="/api/teachers",
                   description="Teachers (admins: all; a teacher: themselves).")
teacher = Service(name="teacher", path=TEACHER_PATH, path_info=ids_only(TEACHER_PATH),
                  description="One teacher with their classes.")
teacher_classes = Service(name="teacher_classes", path=TEACHER_CLASSES_PATH,
                          path_info=ids_only(TEACHER_CLASSES_PATH),
                          description="The classes a teacher is assigned to.")
teacher_students = Service(name="teacher_students", path=TEACHER_STUDENTS_PATH,
                           path_info=ids_only(TEACHER_STUDENTS_PATH),
                           description="The students in a teacher's classes.")


def classes_of_teachers(session: Session, teacher_ids: list[str]) -> dict[str, list[dict]]:
    """``{teacher_id: [{id, name, section, academic_year}]}`` in one query."""
    result: dict[str, list[dict]] = defaultdict(list)
    if not teacher_ids:
        return result
    rows = session.execute(
        sa.select(TeacherClass.teacher_id, SchoolClass)
        .join(SchoolClass, SchoolClass.id == TeacherClass.class_id)
        .where(TeacherClass.teacher_id.in_(teacher_ids))
        .order_by(SchoolClass.name, SchoolClass.section, SchoolClass.id))
    for teacher_id, school_class in rows:
        result[teacher_id].append({"id": school_class.id, "name": school_class.name,
                                   "section": school_class.section,
                                   "academic_year": school_class.academic_year})
    return result


def teacher_json(profile: Teacher, classes: list[dict]) -> dict:
    return {
        **account_fields(profile.user, profile.created_at),
        "subject": profile.subject,
        "phone": profile.phone,
        "department": profile.department,
        "bio": profile.bio,
        "classes": classes,
    }


def visible_teacher(request, teacher_id: str) -> Teacher:
    if not visibility.can_see_teacher(request.user, teacher_id):
        raise not_found("Teacher")
    profile = request.dbsession.get(Teacher, teacher_id)
    if profile is None:
        raise not_found("Teacher")
    return profile


@teachers.get(schema=TeacherListRequest(), validators=(validator,), permission="teach")
def list_teachers(request):
    query = request.validated["querystring"]
    statement = (sa.select(Teacher).join(User, User.id == Teacher.id)
                 .where(visibility.teacher_condition(request.user, Teacher.id))
                 .options(selectinload(Teacher.user)))
    statement = with_search(statement, query, User.name, User.email, Teacher.subject)
    page, limit = page_params(query)
    listing = paginate(request.dbsession, statement.order_by(User.name, Teacher.id), page, limit)
    classes = classes_of_teachers(request.dbsession, [t.id for t in listing["items"]])
    listing["items"] = [teacher_json(t, classes[t.id]) for t in listing["items"]]
    return listing


@teacher.get(schema=TeacherRequest(), validators=(validator,), permission="teach")
def get_teacher(request):
    profile = visible_teacher(request, request.validated["path"]["id"])
    return teacher_json(profile, classes_of_teachers(request.dbsession, [profile.id])[profile.id])


@teacher_classes.get(schema=TeacherClassesRequest(), validators=(validator,),
                     permission="teach")
def list_teacher_classes(request):
    from .classes import class_listing

    profile = visible_teacher(request, request.validated["path"]["id"])
    query = request.validated["querystring"]
    statement = sa.select(SchoolClass).where(
        SchoolClass.id.in_(visibility.assigned_class_ids(profile.id)))
    return class_listing(request, statement, query)


@teacher_students.get(schema=TeacherStudentsRequest(), validators=(validator,),
                      permission="teach")
def list_teacher_students(request):
    profile = visible_teacher(request, request.validated["path"]["id"])
    query = request.validated["querystring"]
    statement = (sa.select(Student).join(User, User.id == Student.id)
                 .where(Student.class_id.in_(visibility.assigned_class_ids(profile.id))))
    page, limit = page_params(query)
    return paginate(request.dbsession, with_relations(filter_students(statement, query)),
                    page, limit, student_json)


def includeme(config):
    for service in (teachers, teacher, teacher_classes, teacher_students):
        config.add_cornice_service(service)
