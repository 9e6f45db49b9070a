"""Exceptions the domain raises when a rule refuses an action.

They carry an HTTP-neutral ``kind`` and an optional machine-readable ``reason``; the REST
services turn them into the API's JSON error (``invalid`` -> 400, ``forbidden`` -> 403,
``not_found`` -> 404, ``conflict`` -> 409), ``quizctl`` prints them.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A business rule refused the action. ``message`` is meant for people."""

    kind = "invalid"

    def __init__(self, message: str, *, reason: str | None = None, field: str | None = None,
                 **details: Any):
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.field = field
        self.details = details


class Invalid(DomainError):
    """The input breaks a rule (400). ``field`` names the offending field."""

    kind = "invalid"


class Forbidden(DomainError):
    """The user may see the object but may not do this with it now (403)."""

    kind = "forbidden"


class NotFound(DomainError):
    """The object does not exist or is not visible to this user (404)."""

    kind = "not_found"

    def __init__(self, what: str = "Resource", **kwargs: Any):
        super().__init__(f"{what} not found.", **kwargs)


class Conflict(DomainError):
    """The action conflicts with the object's state (409)."""

    kind = "conflict"
