"""``/api/users``: every account, managed by administrators.

* Creating a teacher or an admin needs a password; a student created here without one
  starts unclaimed (no usable password) exactly like one created under ``/api/students``.
* Deactivating an account, or setting its password, ends all its sessions.
* An admin cannot delete or deactivate their own account, nor the last active admin:
  **409** with ``reason`` ``self`` or ``last_admin`` (the request is well formed; it
  conflicts with the state of the school).
* Deleting a teacher whose quizzes or questions have attempts would erase students' results
  (the foreign keys cascade): 409 with ``reason: has_attempts``; deactivate the account
  instead. Deleting a student erases their attempts (admins only, see ``/api/students``).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..domain import login, passwords, people, sessions
from ..domain.changes import apply_changes, snapshot
from ..domain.people import RemovalProblem
from ..errors import bad_request, conflict, not_found
from ..events import EntityChanged
from ..models import Role, Student, Teacher, User, utcnow
from ..rest import Service, emit_for, iso, page_params, paginate, validator
from ..schemas.types import check_password_policy, cleared_fields, ids_only
from ..schemas.users import (
    STUDENT_PROFILE_FIELDS,
    TEACHER_PROFILE_FIELDS,
    UserCreateRequest,
    UserListRequest,
    UserRequest,
    UserUpdateRequest,
)
from .students import (
    create_student_account,
    delete_student_account,
    flush_or_conflict,
    student_json,
    update_student_fields,
    with_search,
)
from .teachers import classes_of_teachers

USER_PATH = "/api/users/{id}"
users = Service(name="users", path="/api/users", description="Every account (admins).")
user_service = Service(name="user", path=USER_PATH, path_info=ids_only(USER_PATH),
                       description="One account (admins).")

SNAPSHOT_FIELDS = ("email", "name", "role", "is_active")
REMOVAL_MESSAGES = {
    RemovalProblem.SELF: "You cannot delete or deactivate your own account.",
    RemovalProblem.LAST_ADMIN: "This is the last active administrator; make another account "
                               "an administrator first.",
}


def user_json(request, user: User, *, with_classes: bool = False) -> dict:
    """The account with its role profile flattened in (teacher or student fields)."""
    data = {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "role": str(user.role),
        "is_active": user.is_active,
        "is_email_verified": user.is_email_verified,
        "last_login": iso(user.last_login),
        "created_at": iso(user.created_at),
        "updated_at": iso(user.updated_at),
    }
    if user.role == Role.TEACHER and user.teacher is not None:
        profile = user.teacher
        data.update({name: getattr(profile, name) for name in TEACHER_PROFILE_FIELDS})
        if with_classes:
            data["classes"] = classes_of_teachers(request.dbsession, [user.id])[user.id]
    elif user.role == Role.STUDENT and user.student is not None:
        student = student_json(user.student)
        data.update({name: student[name] for name in (
            "registration_number", "class_id", "class_name", "class", "is_account_claimed",
            "claimed_at", "date_of_birth", "parent_email", "parent_phone",
            "time_multiplier")})
    return data


def _get_user(request) -> User:
    user = request.dbsession.get(User, request.validated["path"]["id"])
    if user is None:
        raise not_found("User")
    return user


def _refuse_fields(values: dict, names, role: str) -> None:
    for name in names:
        if values.get(name) is not None:
            raise bad_request(f"{name} does not apply to {role} accounts.", name=name)


def _check_removal(request, target: User) -> None:
    problem = people.admin_removal_problem(request.dbsession, request.user, target)
    if problem is not None:
        raise conflict(REMOVAL_MESSAGES[problem], reason=problem.value)


@users.get(schema=UserListRequest(), validators=(validator,), permission="admin")
def list_users(request):
    query = request.validated["querystring"]
    statement = sa.select(User).options(
        selectinload(User.teacher), selectinload(User.student).selectinload(Student.school_class))
    if "role" in query:
        statement = statement.where(User.role == query["role"])
    if "is_active" in query:
        statement = statement.where(User.is_active.is_(query["is_active"]))
    statement = with_search(statement, query, User.name, User.email)
    page, limit = page_params(query)
    return paginate(request.dbsession, statement.order_by(User.name, User.id), page, limit,
                    lambda user: user_json(request, user))


@users.post(schema=UserCreateRequest(), validators=(validator,), permission="admin")
def create_user(request):
    values = request.validated["body"]
    role = values["role"]
    request.response.status_code = 201
    if role == Role.STUDENT:
        _refuse_fields(values, TEACHER_PROFILE_FIELDS, role)
        if "registration_number" not in values:
            raise bad_request("Students need a registration number.",
                              name="registration_number")
        password_hash = None
        if "password" in values:
            check_password_policy(request, values["password"])
            password_hash = passwords.hash_password(
                values["password"], request.registry.settings["quizcore.bcrypt_rounds"])
        user = create_student_account(request, values, password_hash=password_hash,
                                      entity_type="user")
        return user_json(request, user)

    _refuse_fields(values, ("registration_number", *STUDENT_PROFILE_FIELDS), role)
    if role == Role.ADMIN:
        _refuse_fields(values, TEACHER_PROFILE_FIELDS, role)
    if "password" not in values:
        raise bad_request("Required", name="password")
    check_password_policy(request, values["password"])
    if people.email_in_use(request.dbsession, values["email"]):
        raise conflict("An account with this e-mail address already exists.", field="email")
    user = User(email=values["email"], name=values["name"], role=Role(role))
    login.set_password(user, values["password"],
                       rounds=request.registry.settings["quizcore.bcrypt_rounds"])
    if role == Role.TEACHER:
        user.teacher = Teacher(**{name: values.get(name) for name in TEACHER_PROFILE_FIELDS})
    request.dbsession.add(user)
    flush_or_conflict(request, "An account with this e-mail address already exists.")
    emit_for(request, EntityChanged(action="create", entity_type="user", entity_id=user.id,
                                    new=snapshot(user, SNAPSHOT_FIELDS)))
    return user_json(request, user)


@user_service.get(schema=UserRequest(), validators=(validator,), permission="admin")
def get_user(request):
    return user_json(request, _get_user(request), with_classes=True)


@user_service.put(schema=UserUpdateRequest(), validators=(validator,), permission="admin")
def update_user(request):
    """``null`` or ``""`` clears an optional profile field. ``password`` sets a new password
    and, like deactivation, ends every session of the account."""
    user = _get_user(request)
    role = user.role
    nullable = TEACHER_PROFILE_FIELDS if role == Role.TEACHER else \
        ("date_of_birth", "parent_email", "parent_phone", "class_id")
    values = {**request.validated["body"], **cleared_fields(request, nullable)}
    if values.get("is_active") is False and user.is_active:
        _check_removal(request, user)
    if role != Role.TEACHER:
        _refuse_fields(values, TEACHER_PROFILE_FIELDS, role)
    if role != Role.STUDENT:
        _refuse_fields(values, ("registration_number", *STUDENT_PROFILE_FIELDS), role)

    secret_old, secret_new = {}, {}
    if "password" in values:
        check_password_policy(request, values["password"])
        login.set_password(user, values.pop("password"),
                           rounds=request.registry.settings["quizcore.bcrypt_rounds"])
        secret_old, secret_new = {"password": "***"}, {"password": "***"}
        if role == Role.STUDENT and user.student is not None and \
                not user.student.is_account_claimed:
            # A password given by an admin makes the account usable: nothing left to claim.
            user.student.is_account_claimed = True
            user.student.claimed_at = utcnow()
            secret_new["is_account_claimed"] = True
            secret_old["is_account_claimed"] = False

    if role == Role.STUDENT and user.student is not None:
        old, new = update_student_fields(request, user.student, values)
    else:
        if "email" in values and people.email_in_use(request.dbsession, values["email"],
                                                     exclude_user_id=user.id):
            raise conflict("An account with this e-mail address already exists.",
                           field="email")
        old, new = apply_changes(user, {k: v for k, v in values.items()
                                        if k in ("name", "email", "is_active")})
        if role == Role.TEACHER and user.teacher is not None:
            profile_old, profile_new = apply_changes(
                user.teacher, {k: v for k, v in values.items() if k in TEACHER_PROFILE_FIELDS})
            old.update(profile_old)
            new.update(profile_new)
        if new.get("is_active") is False:
            sessions.end_all_sessions(request.dbsession, user)
        flush_or_conflict(request, "An account with this e-mail address already exists.")
    if secret_new and new.get("is_active") is not False:
        sessions.end_all_sessions(request.dbsession, user)
    old.update(secret_old)
    new.update(secret_new)
    if new:
        emit_for(request, EntityChanged(action="update", entity_type="user", entity_id=user.id,
                                        old=old, new=new))
    return user_json(request, user, with_classes=True)


@user_service.delete(schema=UserRequest(), validators=(validator,), permission="admin")
def delete_user(request):
    user = _get_user(request)
    _check_removal(request, user)
    if user.role == Role.STUDENT and user.student is not None:
        delete_student_account(request, user.student, entity_type="user")
        return {"message": "User deleted."}
    lost = people.attempts_lost_by_deleting(request.dbsession, user)
    if lost:
        raise conflict(f"Deleting this teacher would erase {lost} quiz attempt(s) of students. "
                       "Deactivate the account instead.", reason="has_attempts")
    old = snapshot(user, SNAPSHOT_FIELDS)
    people.delete_account(request.dbsession, user)
    emit_for(request, EntityChanged(action="delete", entity_type="user", entity_id=user.id,
                                    old=old))
    return {"message": "User deleted."}


def includeme(config):
    config.add_cornice_service(users)
    config.add_cornice_service(user_service)
    # a student's class_id not found; a taken e-mail; removing the last admin, oneself, or
    # students' attempts
    config.add_operation_statuses(users, "POST", success=(201,), statuses=(404, 409))
    config.add_operation_statuses(user_service, "PUT", statuses=(404, 409))
    config.add_operation_statuses(user_service, "DELETE", statuses=(409,))
