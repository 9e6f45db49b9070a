"""The administrator's user and class management screens of the SPA (``AdminUsers.tsx``,
``AdminClasses.tsx``).

Every route calls the canonical ``/api/users`` or ``/api/classes`` for the signed-in
administrator, so what may be created, changed or removed, and every refusal, is the canonical
API's. Two translations:

* the list answers ``users`` (the canonical items with the names the page also reads:
  ``registrationNumber``, ``classId``, ``className``), ``total``, ``pages``, ``current_page``;
* the page creates a teacher with no password field. The canonical API needs one, so the
  teacher gets a random one nobody knows and sets their own with "Forgot password" (the
  answer says so); a student is created unclaimed, as always, and claims the account;
* the class screen assigns one student at a time (``assign-student`` ``{student_id}``):
  the canonical ``assign-students`` with a list of one.
"""

from __future__ import annotations

import secrets
from urllib.parse import quote

import colander

from quizcore.models import Role
from quizcore.rest import PaginationQuery, Service, page_params, validator

from .core import TAGS, core_get, core_post, core_send, json_object, refused_as_is

admin_users = Service(name="spa_admin_users", path="/api/admin/users",
                      description="SPA: the school's accounts, a page at a time; create one.")
admin_user = Service(name="spa_admin_user", path="/api/admin/users/{id}",
                     description="SPA: change or delete an account.")
admin_user_toggle = Service(name="spa_admin_user_toggle_active",
                            path="/api/admin/users/{id}/toggle-active",
                            description="SPA: activate a deactivated account, or deactivate "
                                        "an active one.")
admin_classes = Service(name="spa_admin_classes", path="/api/admin/classes",
                        description="SPA: the school's classes, a page at a time; create one.")
admin_class = Service(name="spa_admin_class", path="/api/admin/classes/{id}",
                      description="SPA: rename or delete a class.")
admin_class_teacher = Service(name="spa_admin_class_assign_teacher",
                              path="/api/admin/classes/{id}/assign-teacher",
                              description="SPA: assign a teacher to the class.")
admin_class_student = Service(name="spa_admin_class_assign_student",
                              path="/api/admin/classes/{id}/assign-student",
                              description="SPA: move one student into the class.")

#: Length of the random password of a teacher created from the SPA (never shown).
RANDOM_PASSWORD_BYTES = 24


class UsersQuery(PaginationQuery):
    role = colander.SchemaNode(colander.String(), missing=colander.drop,
                               validator=colander.OneOf([r.value for r in Role]),
                               description="admin | teacher | student")
    search = colander.SchemaNode(colander.String(), missing=colander.drop,
                                 validator=colander.Length(max=200),
                                 description="words in the name or e-mail address")


class UsersRequest(colander.MappingSchema):
    querystring = UsersQuery()


class ClassesQuery(PaginationQuery):
    search = colander.SchemaNode(colander.String(), missing=colander.drop,
                                 validator=colander.Length(max=200),
                                 description="words in the class name")


class ClassesRequest(colander.MappingSchema):
    querystring = ClassesQuery()


def _user_path(request) -> str:
    return f"/api/users/{quote(request.matchdict['id'], safe='')}"


def spa_user(user: dict) -> dict:
    """A canonical user with the other names ``AdminUsers.tsx`` reads."""
    return {**user, "registrationNumber": user.get("registration_number"),
            "classId": user.get("class_id"), "className": user.get("class_name")}


@admin_users.get(permission="admin", schema=UsersRequest(), validators=(validator,),
                 tags=TAGS)
@refused_as_is
def list_users(request):
    """``users`` (``GET /api/users``'s page), ``total``, ``pages``, ``current_page``."""
    page, per_page = page_params(request.validated["querystring"])
    query = {key: value for key, value in request.validated["querystring"].items()
             if key in ("role", "search")}
    body = core_get(request, "/api/users", page=page, per_page=per_page, **query)
    return {"users": [spa_user(user) for user in body["items"]], "total": body["total"],
            "pages": body["pages"], "current_page": page}


@admin_users.post(permission="admin", tags=TAGS)
@refused_as_is
def create_user(request):
    """``POST /api/users`` with the page's body; a teacher without a password gets a random
    one and sets their own through "Forgot password". Answers ``user`` and ``message``."""
    body = dict(json_object(request))
    message = "Account created."
    if body.get("role") == Role.TEACHER and "password" not in body:
        body["password"] = secrets.token_urlsafe(RANDOM_PASSWORD_BYTES)
        message = ("Teacher created. They set their password with 'Forgot password' on the "
                   "sign-in page.")
    elif body.get("role") == Role.STUDENT:
        message = "Student created. They claim the account with their registration number."
    user = core_post(request, "/api/users", body)
    return {"user": spa_user(user), "message": message}


@admin_user.put(permission="admin", tags=TAGS)
@refused_as_is
def update_user(request):
    """``PUT /api/users/{id}`` with the page's body; answers ``user`` and ``message``."""
    user = core_send(request, "PUT", _user_path(request), json_object(request))
    return {"user": spa_user(user), "message": "Account updated."}


@admin_user.delete(permission="admin", tags=TAGS)
@refused_as_is
def delete_user(request):
    """``DELETE /api/users/{id}`` (409 for the last administrator, one's own account, or a
    teacher whose deletion would erase students' attempts)."""
    return core_send(request, "DELETE", _user_path(request))


@admin_user_toggle.post(permission="admin", tags=TAGS)
@refused_as_is
def toggle_user(request):
    """Flip ``is_active`` through ``PUT /api/users/{id}`` (deactivating ends the account's
    sessions; one's own account and the last administrator are refused)."""
    path = _user_path(request)
    current = core_get(request, path)
    user = core_send(request, "PUT", path, {"is_active": not current["is_active"]})
    return {"user": spa_user(user), "is_active": user["is_active"],
            "message": "Account activated." if user["is_active"] else "Account deactivated."}


@admin_classes.get(permission="admin", schema=ClassesRequest(), validators=(validator,),
                   tags=TAGS)
@refused_as_is
def list_classes(request):
    """``classes`` (``GET /api/classes``'s page), ``total``, ``pages``, ``current_page``."""
    page, per_page = page_params(request.validated["querystring"])
    query = {"search": request.validated["querystring"]["search"]} \
        if "search" in request.validated["querystring"] else {}
    body = core_get(request, "/api/classes", page=page, per_page=per_page, **query)
    return {"classes": body["items"], "total": body["total"], "pages": body["pages"],
            "current_page": page}


def _class_path(request, action: str = "") -> str:
    return f"/api/classes/{quote(request.matchdict['id'], safe='')}{action}"


@admin_classes.post(permission="admin", tags=TAGS)
@refused_as_is
def create_class(request):
    """``POST /api/classes`` with the page's ``name`` and ``section``; answers ``class``."""
    return {"class": core_post(request, "/api/classes", json_object(request)),
            "message": "Class created."}


@admin_class.put(permission="admin", tags=TAGS)
@refused_as_is
def update_class(request):
    """``PUT /api/classes/{id}`` (the page renames); answers ``class``."""
    return {"class": core_send(request, "PUT", _class_path(request), json_object(request)),
            "message": "Class updated."}


@admin_class.delete(permission="admin", tags=TAGS)
@refused_as_is
def delete_class(request):
    """``DELETE /api/classes/{id}``."""
    return core_send(request, "DELETE", _class_path(request))


@admin_class_teacher.post(permission="admin", tags=TAGS)
@refused_as_is
def assign_teacher(request):
    """``POST /api/classes/{id}/assign-teacher`` ``{teacher_id}``, as the page sends it."""
    return core_post(request, _class_path(request, "/assign-teacher"), json_object(request))


@admin_class_student.post(permission="admin", tags=TAGS)
@refused_as_is
def assign_student(request):
    """``{student_id}``: ``POST /api/classes/{id}/assign-students`` with that one student."""
    student_id = json_object(request).get("student_id")
    body = {"student_ids": [student_id]} if student_id is not None else {}
    return core_post(request, _class_path(request, "/assign-students"), body)


def includeme(config):
    """Register this module's compat services."""
    for service in (admin_users, admin_user, admin_user_toggle, admin_classes, admin_class,
                    admin_class_teacher, admin_class_student):
        config.add_cornice_service(service)
