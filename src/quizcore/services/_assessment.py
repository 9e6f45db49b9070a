"""What the question, quiz and attempt services share: roles, ownership, raw request
bodies."""

from __future__ import annotations

from typing import Any

from pyramid import httpexceptions as exc

from ..domain import visibility
from ..domain.changes import jsonable  # noqa: F401 - the services' one JSON converter
from ..domain.errors import NotFound
from ..domain.people import ensure_teacher_profile
from ..domain.visibility import is_admin  # noqa: F401 - used here and by the services
from ..errors import bad_request, http_error
from ..models import Role, Teacher
from ..rest import Service

#: Endpoints that read a JSON body accept only that: anything else is a 415 before any
#: parsing (a malformed multipart body would otherwise fail inside the form parser).
JSON = ("application/json",)

def service(**kwargs) -> Service:
    """A quizcore Service (kept as the one place these services are created)."""
    return Service(**kwargs)


def raw_body(request) -> dict[str, Any]:
    """The JSON body as sent (for booleans and nulls colander does not keep), or {}."""
    try:
        body = request.json_body
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def nulls_sent(request, fields) -> dict[str, None]:
    """Fields the client explicitly set to null or "" (to clear them) in a partial update."""
    body = raw_body(request)
    return {field: None for field in fields if field in body and body[field] in (None, "")}


def is_student(user) -> bool:
    return user.role == Role.STUDENT


def owned_or_404(request, model, what: str):
    """The object of ``model`` named by the path's ``id`` when the user may manage it: its
    owner (``created_by``) or an admin. Anyone else gets the same 404 as for a missing id."""
    item = request.dbsession.get(model, request.matchdict["id"])
    if item is None or not visibility.manages(request.user, item):
        raise NotFound(what)
    return item


def owner_for_new(request, teacher_id: str | None) -> str:
    """Whose bank/quiz a new object joins: the teacher themself, or the teacher an admin
    names with ``teacher_id``, or the admin themself (question and quiz rows belong to a
    teacher profile, which an admin gets on first use)."""
    user = request.user
    if not is_admin(user):
        if teacher_id not in (None, user.id):
            raise http_error(exc.HTTPForbidden, "Only admins create items for another "
                             "teacher.", "Forbidden")
        return user.id
    if not teacher_id or teacher_id == user.id:
        # An admin can do what a teacher can: their own items hang on a teacher profile,
        # created the first time they need one.
        return ensure_teacher_profile(request.dbsession, user).id
    if request.dbsession.get(Teacher, teacher_id) is None:
        raise bad_request("teacher_id is not a teacher.", name="teacher_id")
    return teacher_id
