"""One JSON error body for every failure.

Refusals of the domain (:class:`~quizcore.domain.errors.DomainError`) become these errors in
one place, :func:`domain_error_view`, for core services and plugins alike.

Every non-2xx response carries ``{"error": <short human message>, "message": <detail>,
"code": <status>}``; validation errors add ``"errors": [{location, name, description}]``
(Cornice's list). No HTML error page is reachable.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy.exc as sa_exc
from pyramid import httpexceptions as exc
from pyramid.httpexceptions import HTTPException
from pyramid.view import exception_view_config, forbidden_view_config, notfound_view_config

from .domain.changes import jsonable
from .domain.errors import DomainError

log = logging.getLogger(__name__)

JSON_CONTENT_TYPE = "application/json"


def error_body(status: int, error: str, message: str,
               errors: Iterable[Mapping[str, Any]] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": status, "error": error, "message": message}
    if errors is not None:
        body["errors"] = [dict(e) for e in errors]
    return body


def http_error(exc_class: type[HTTPException], message: str, error: str | None = None, *,
               errors: Iterable[Mapping[str, Any]] | None = None,
               headers: Mapping[str, str] | None = None, **extra: Any) -> HTTPException:
    """Build an HTTP exception whose body is the quizcore JSON error.

    ``raise http_error(HTTPConflict, "A class with this name already exists.")``.
    Extra keyword arguments are added to the body (for example ``reason="deadline_passed"``).
    """
    response = exc_class(headers=dict(headers or {}))
    body = error_body(response.status_code, error or response.title, message, errors)
    body.update(extra)
    response.json_body = body
    response.content_type = JSON_CONTENT_TYPE
    return response


def bad_request(message: str, name: str | None = None, location: str = "body",
                **extra: Any) -> HTTPException:
    """A 400 for a rule colander cannot express, shaped like a validation error."""
    errors = [{"location": location, "name": name or "", "description": message}]
    return http_error(exc.HTTPBadRequest, message, "Invalid request", errors=errors, **extra)


def not_found(what: str = "Resource") -> HTTPException:
    return http_error(exc.HTTPNotFound, f"{what} not found.", "Not found")


def conflict(message: str, **extra: Any) -> HTTPException:
    return http_error(exc.HTTPConflict, message, "Conflict", **extra)


def forbidden(message: str = "You are not allowed to do this.") -> HTTPException:
    return http_error(exc.HTTPForbidden, message, "Forbidden")


_DOMAIN_STATUS = {
    "invalid": exc.HTTPBadRequest,
    "forbidden": exc.HTTPForbidden,
    "not_found": exc.HTTPNotFound,
    "conflict": exc.HTTPConflict,
}
_DOMAIN_TITLES = {"invalid": "Invalid request", "forbidden": "Forbidden",
                  "not_found": "Not found", "conflict": "Conflict"}


def domain_error_response(error: DomainError) -> HTTPException:
    """The API's JSON error for a refusal of the domain: 400 (with the offending field in
    ``errors``), 403, 404 or 409; ``reason`` and the error's details join the body."""
    extra: dict[str, Any] = {key: jsonable(value) for key, value in error.details.items()}
    if error.reason:
        extra["reason"] = error.reason
    errors = None
    if error.kind == "invalid":
        # Header names are capitalised (Idempotency-Key); body fields are not.
        location = "header" if error.field and error.field[:1].isupper() else "body"
        errors = [{"location": location, "name": error.field or "",
                   "description": error.message}]
    return http_error(_DOMAIN_STATUS[error.kind], error.message, _DOMAIN_TITLES[error.kind],
                      errors=errors, **extra)


def committing_refusals(view):
    """Decorator for the views whose refusals must still commit what they did before
    refusing (the lazy submission of an attempt whose time is over): the refusal is
    returned as the response instead of raised, so the transaction commits. Any other
    view simply lets :class:`DomainError` propagate to :func:`domain_error_view`, and the
    transaction rolls back."""
    @functools.wraps(view)
    def wrapper(request):
        try:
            return view(request)
        except DomainError as error:
            return domain_error_response(error)
    return wrapper


def cornice_error_handler(request):
    """Cornice calls this when validation left errors on ``request.errors``."""
    errors = list(request.errors)
    for error in errors:
        # Cornice words its 406/415 refusals as bytes, which no JSON encoder takes.
        if isinstance(error.get("description"), bytes):
            error["description"] = error["description"].decode("utf-8", "replace")
    status = getattr(request.errors, "status", 400) or 400
    first = errors[0] if errors else {}
    message = first.get("description") or "The request is invalid."
    if first.get("name"):
        message = f"{first['name']}: {message}"
    response = exc.status_map[status]()
    response.json_body = error_body(status, "Invalid request" if status == 400 else
                                    response.title, message, errors)
    response.content_type = JSON_CONTENT_TYPE
    return response


# -- views -----------------------------------------------------------------------------------


def _has_json_error(response) -> bool:
    return response.content_type == JSON_CONTENT_TYPE and response.body.startswith(b"{")


@notfound_view_config()
def notfound_view(context, request):
    if _has_json_error(context):
        request.response = context
        return context
    return http_error(exc.HTTPNotFound, f"No resource at {request.path}.", "Not found")


@forbidden_view_config()
def forbidden_view(context, request):
    if _has_json_error(context):
        return context
    if request.authenticated_userid is None:
        return http_error(exc.HTTPUnauthorized,
                          "Authentication required: send a valid access token "
                          "(Authorization: Bearer <token>).",
                          "Not authenticated", headers={"WWW-Authenticate": "Bearer"})
    return http_error(exc.HTTPForbidden, "Your account is not allowed to do this.", "Forbidden")


@exception_view_config(DomainError)
def domain_error_view(context, request):
    """Every refusal of the domain, from core services and plugins alike."""
    return domain_error_response(context)


@exception_view_config(HTTPException)
def http_exception_view(context, request):
    """Any other HTTP exception (405, 413, a plain ``raise HTTPBadRequest()``...)."""
    if context.status_code < 400 or _has_json_error(context):
        return context
    message = context.detail or context.explanation or context.title
    response = http_error(type(context), str(message), context.title)
    for name in ("Allow", "Retry-After", "WWW-Authenticate", "Location"):
        if name in context.headers:
            response.headers[name] = context.headers[name]
    return response


def _is_database_unavailable(error: BaseException) -> bool:
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, sa_exc.OperationalError | sa_exc.TimeoutError):
        return True
    return False


@exception_view_config(Exception)
def unexpected_error_view(context, request):
    """Log the failure; tell the client nothing about the internals."""
    if _is_database_unavailable(context):
        log.error("Database unavailable for %s %s: %s", request.method, request.path, context)
        return http_error(exc.HTTPServiceUnavailable,
                          "The database is busy or unavailable; please retry in a moment.",
                          "Service unavailable", headers={"Retry-After": "2"})
    log.exception("Unexpected error on %s %s", request.method, request.path)
    return http_error(exc.HTTPInternalServerError,
                      "An unexpected error occurred. It has been logged.",
                      "Internal server error")
