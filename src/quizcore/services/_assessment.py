"""What the question, quiz and attempt services share: roles, ownership, raw request
bodies and the translation of domain refusals into the API's JSON errors."""

from __future__ import annotations

import datetime as dt
import enum
import functools
from decimal import Decimal
from typing import Any

from pyramid import httpexceptions as exc

from ..domain.errors import DomainError, NotFound
from ..domain.people import ensure_teacher_profile
from ..domain.timing import iso
from ..errors import bad_request, http_error
from ..models import Role, Teacher
from ..rest import Service

#: Endpoints that read a JSON body accept only that: anything else is a 415 before any
#: parsing (a malformed multipart body would otherwise fail inside the form parser).
JSON = ("application/json",)

_STATUS = {
    "invalid": exc.HTTPBadRequest,
    "forbidden": exc.HTTPForbidden,
    "not_found": exc.HTTPNotFound,
    "conflict": exc.HTTPConflict,
}
_TITLES = {"invalid": "Invalid request", "forbidden": "Forbidden", "not_found": "Not found",
           "conflict": "Conflict"}


def service(**kwargs) -> Service:
    """A quizcore Service (kept as the one place these services are created)."""
    return Service(**kwargs)


def jsonable(value: Any) -> Any:
    """Datetimes as ISO strings, enums as their values, decimals as floats (recursively)."""
    if isinstance(value, dt.datetime):
        return iso(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(item) for item in value]
    return value


def domain_error_response(error: DomainError) -> exc.HTTPException:
    """The API's JSON error for a domain refusal; ``reason`` and details join the body."""
    extra: dict[str, Any] = {key: jsonable(value) for key, value in error.details.items()}
    if error.reason:
        extra["reason"] = error.reason
    errors = None
    if error.kind == "invalid":
        location = "header" if error.field and error.field[:1].isupper() else "body"
        errors = [{"location": location, "name": error.field or "",
                   "description": error.message}]
    return http_error(_STATUS[error.kind], error.message, _TITLES[error.kind], errors=errors,
                      **extra)


def domain_errors(commit: bool = False):
    """Decorator: domain refusals become JSON errors.

    By default the error is raised, so the request's transaction rolls back. With
    ``commit=True`` it is returned, so what the view did before the refusal (the lazy
    auto-submission of an expired attempt) is committed.
    """
    def decorate(view):
        @functools.wraps(view)
        def wrapper(request):
            try:
                return view(request)
            except DomainError as error:
                response = domain_error_response(error)
                if commit:
                    return response
                raise response from None
        return wrapper
    return decorate


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


def is_admin(user) -> bool:
    return user.role == Role.ADMIN


def is_student(user) -> bool:
    return user.role == Role.STUDENT


def owned_or_404(request, model, what: str):
    """The object of ``model`` named by the path's ``id`` when the user may manage it: its
    owner (``created_by``) or an admin. Anyone else gets the same 404 as for a missing id."""
    item = request.dbsession.get(model, request.matchdict["id"])
    if item is None or (not is_admin(request.user) and item.created_by != request.user.id):
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
