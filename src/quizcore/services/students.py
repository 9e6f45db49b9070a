"""``/api/students``: student accounts, seen and managed by their teachers and the admins.

Visibility (:mod:`quizcore.domain.visibility`): admins see every student, a teacher the
students of the classes they are assigned to, a student only themselves; anything else is a
404. Teachers create students only into their own classes. A student created here starts
unclaimed, with no usable password, until they claim the account.

Deleting a student deletes their quiz attempts (the foreign keys cascade), so only an admin
may delete a student who has attempts; a teacher gets 409 and may ask an admin, or an admin
may deactivate the account instead.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..domain import overrides, people, sessions, visibility
from ..domain.changes import apply_changes, snapshot
from ..errors import bad_request, conflict, forbidden, not_found
from ..events import EntityChanged
from ..models import Role, SchoolClass, Student, User
from ..rest import Service, emit_for, iso, page_params, paginate, validator
from ..schemas.students import (
    StudentCreateRequest,
    StudentListRequest,
    StudentRequest,
    StudentUpdateRequest,
)
from ..schemas.types import cleared_fields, ids_only
from ._accounts import account_fields

students = Service(name="students", path="/api/students",
                   description="Students visible to the signed-in teacher or admin.")
STUDENT_PATH = "/api/students/{id}"
student = Service(name="student", path=STUDENT_PATH, path_info=ids_only(STUDENT_PATH),
                  description="One student.")

#: User columns and profile columns a student's edit may change.
USER_FIELDS = ("name", "email", "is_active")
PROFILE_FIELDS = ("registration_number", "class_id", "date_of_birth", "parent_email",
                  "parent_phone", "time_multiplier")
NULLABLE_FIELDS = ("class_id", "date_of_birth", "parent_email", "parent_phone")
#: What a create/delete event records.
SNAPSHOT_FIELDS = ("name", "email", "is_active")
PROFILE_SNAPSHOT_FIELDS = ("registration_number", "class_id", "is_account_claimed")


def class_ref(school_class: SchoolClass | None) -> dict | None:
    if school_class is None:
        return None
    return {"id": school_class.id, "name": school_class.name, "section": school_class.section,
            "academic_year": school_class.academic_year}


def student_json(profile: Student) -> dict:
    return {
        **account_fields(profile.user, profile.created_at),
        "registration_number": profile.registration_number,
        "class": class_ref(profile.school_class),
        "class_id": profile.class_id,
        "class_name": profile.school_class.name if profile.school_class else None,
        "is_account_claimed": profile.is_account_claimed,
        "claimed_at": iso(profile.claimed_at),
        "date_of_birth": iso(profile.date_of_birth),
        "parent_email": profile.parent_email,
        "parent_phone": profile.parent_phone,
        "time_multiplier": float(profile.time_multiplier),
    }


def with_relations(statement):
    return statement.options(selectinload(Student.user), selectinload(Student.school_class))


def with_search(statement, query: dict, *columns):
    """Apply the ``search`` query parameter: a case-insensitive substring of any of
    ``columns`` (``%`` and ``_`` are matched literally)."""
    if "search" not in query:
        return statement
    term = query["search"]
    return statement.where(sa.or_(*(column.icontains(term, autoescape=True)
                                    for column in columns)))


def filter_students(statement, query: dict):
    """Apply the list filters ``class_id``, ``search``, ``is_account_claimed``."""
    if "class_id" in query:
        statement = statement.where(Student.class_id == query["class_id"])
    if "is_account_claimed" in query:
        statement = statement.where(Student.is_account_claimed.is_(query["is_account_claimed"]))
    statement = with_search(statement, query, User.name, User.email,
                            Student.registration_number)
    return statement.order_by(User.name, Student.id)


def visible_student(request, student_id: str) -> Student:
    """The student, or 404 when it does not exist or the user may not see it."""
    profile = request.dbsession.get(Student, student_id)
    if profile is None or not visibility.can_see_student(request.dbsession, request.user,
                                                         profile):
        raise not_found("Student")
    return profile


def target_class(request, class_id: str | None) -> SchoolClass | None:
    """The class a student is put into: it must exist and be one the user manages (a
    teacher's own class). 404 otherwise, as for any class the user may not see."""
    if class_id is None:
        return None
    school_class = request.dbsession.get(SchoolClass, class_id)
    if school_class is None or not visibility.can_manage_class_members(
            request.dbsession, request.user, class_id):
        raise not_found("Class")
    return school_class


def ensure_unique(request, *, email: str | None = None, registration_number: str | None = None,
                  exclude_id: str | None = None) -> None:
    session = request.dbsession
    if email is not None and people.email_in_use(session, email, exclude_user_id=exclude_id):
        raise conflict("An account with this e-mail address already exists.", field="email")
    if registration_number is not None and people.registration_number_in_use(
            session, registration_number, exclude_student_id=exclude_id):
        raise conflict("A student with this registration number already exists.",
                       field="registration_number")


def _is_duplicate_key(error: IntegrityError) -> bool:
    code = error.orig.args[0] if error.orig is not None and error.orig.args else None
    return code == 1062 or "UNIQUE constraint failed" in str(error.orig)  # MySQL, SQLite


def flush_or_conflict(request, message: str) -> None:
    """Flush, turning a unique-key violation (a concurrent duplicate) into 409. Other
    integrity errors are bugs or races of another kind and stay errors."""
    try:
        request.dbsession.flush()
    except IntegrityError as error:
        if not _is_duplicate_key(error):
            raise
        raise conflict(message) from None


def create_student_account(request, values: dict, *, password_hash: str | None = None,
                           entity_type: str = "student") -> User:
    """Create a student from validated fields (shared by ``/students`` and ``/users``)."""
    if request.user.role == Role.TEACHER and values.get("class_id") is None:
        raise bad_request("Choose one of your classes for the student.", name="class_id")
    target_class(request, values.get("class_id"))
    ensure_unique(request, email=values["email"],
                  registration_number=values["registration_number"])
    user = people.create_student(
        request.dbsession, name=values["name"], email=values["email"],
        registration_number=values["registration_number"], class_id=values.get("class_id"),
        date_of_birth=values.get("date_of_birth"), parent_email=values.get("parent_email"),
        parent_phone=values.get("parent_phone"), password_hash=password_hash)
    flush_or_conflict(request, "An account with this e-mail address or registration number "
                               "already exists.")
    emit_for(request, EntityChanged(action="create", entity_type=entity_type, entity_id=user.id,
                                    new={**snapshot(user, SNAPSHOT_FIELDS),
                                         **snapshot(user.student, PROFILE_SNAPSHOT_FIELDS)}))
    return user


def update_student_fields(request, profile: Student, values: dict) -> tuple[dict, dict]:
    """Apply validated changes to a student (account and profile); returns (old, new)."""
    user = profile.user
    if "is_active" in values and values["is_active"] != user.is_active and \
            not visibility.is_admin(request.user):
        raise forbidden("Only an administrator can activate or deactivate an account.")
    if "class_id" in values and values["class_id"] != profile.class_id:
        target_class(request, values["class_id"])
    ensure_unique(request, email=values.get("email"),
                  registration_number=values.get("registration_number"), exclude_id=profile.id)
    if "time_multiplier" in values:
        values["time_multiplier"] = overrides.clean_multiplier(
            values["time_multiplier"], "time_multiplier", low=overrides.MIN_ACCOMMODATION)
    if "parent_email" in values and values["parent_email"]:
        values["parent_email"] = people.normalize_email(values["parent_email"])
    old, new = apply_changes(user, {k: v for k, v in values.items() if k in USER_FIELDS})
    profile_old, profile_new = apply_changes(
        profile, {k: v for k, v in values.items() if k in PROFILE_FIELDS})
    old.update(profile_old)
    new.update(profile_new)
    if new.get("is_active") is False:
        sessions.end_all_sessions(request.dbsession, user)
    flush_or_conflict(request, "An account with this e-mail address or registration number "
                               "already exists.")
    return old, new


def delete_student_account(request, profile: Student, entity_type: str = "student") -> None:
    session = request.dbsession
    lost = people.attempts_lost_by_deleting(session, profile.user)
    if lost and not visibility.is_admin(request.user):
        raise conflict(f"This student has {lost} quiz attempt(s); deleting the account would "
                       "erase them. Ask an administrator.", reason="has_attempts")
    old = {**snapshot(profile.user, SNAPSHOT_FIELDS),
           **snapshot(profile, PROFILE_SNAPSHOT_FIELDS)}
    people.delete_account(session, profile.user)
    emit_for(request, EntityChanged(action="delete", entity_type=entity_type, entity_id=profile.id,
                                    old=old))


# -- views -----------------------------------------------------------------------------------


@students.get(schema=StudentListRequest(), validators=(validator,), permission="teach")
def list_students(request):
    query = request.validated["querystring"]
    statement = filter_students(visibility.students_visible_to(request.user), query)
    page, limit = page_params(query)
    return paginate(request.dbsession, with_relations(statement), page, limit, student_json)


@students.post(schema=StudentCreateRequest(), validators=(validator,), permission="teach")
def create_student(request):
    """Admins put the student in any class (or none); teachers only in their own classes."""
    user = create_student_account(request, request.validated["body"])
    request.response.status_code = 201
    return student_json(user.student)


@student.get(schema=StudentRequest(), validators=(validator,))
def get_student(request):
    return student_json(visible_student(request, request.validated["path"]["id"]))


@student.put(schema=StudentUpdateRequest(), validators=(validator,), permission="teach")
def update_student(request):
    """Teachers may move a student only between their own classes; only admins change
    ``is_active``. ``null`` or ``""`` clears an optional field."""
    profile = visible_student(request, request.validated["path"]["id"])
    values = {**request.validated["body"], **cleared_fields(request, NULLABLE_FIELDS)}
    old, new = update_student_fields(request, profile, values)
    if new:
        emit_for(request, EntityChanged(action="update", entity_type="student",
                                        entity_id=profile.id, old=old, new=new))
    return student_json(profile)


@student.delete(schema=StudentRequest(), validators=(validator,), permission="teach")
def delete_student(request):
    profile = visible_student(request, request.validated["path"]["id"])
    delete_student_account(request, profile)
    return {"message": "Student deleted."}


def includeme(config):
    config.add_cornice_service(students)
    config.add_cornice_service(student)
    # a class not visible; a taken email or registration number
    config.add_operation_statuses(students, "POST", success=(201,), statuses=(404, 409))
    config.add_operation_statuses(student, "PUT", statuses=(404, 409))
    config.add_operation_statuses(student, "DELETE", statuses=(409,))  # the student has attempts
