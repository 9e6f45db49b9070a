"""Calling the canonical API from a compat view: the SPA's screen is answered from the
canonical answer, so authorisation, visibility and every rule stay the core's."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from pyramid.request import Request

from quizcore.domain.errors import Forbidden
from quizcore.models import Role

#: Items per page of a canonical list call (the canonical API's own maximum), and the most
#: pages a compat screen reads (its lists are one student's or one teacher's).
PAGE = 100
MAX_PAGES = 10
#: OpenAPI tag of every compat operation.
TAGS = ["spa-compat"]


class CoreRefused(Exception):
    """The canonical API refused the call; ``response`` is its error answer, which the compat
    view returns as it is."""

    def __init__(self, response):
        super().__init__(response.status)
        self.response = response


def core_get(request, path: str, **query: Any) -> Any:
    """The JSON answer of ``GET path?query`` for the signed-in user, through the whole
    application (its own transaction, tweens and views)."""
    sub = Request.blank(path + (f"?{urlencode(query)}" if query else ""),
                        base_url=request.application_url)
    authorization = request.headers.get("Authorization")
    if authorization:
        sub.headers["Authorization"] = authorization
    sub.remote_addr = request.remote_addr
    response = request.invoke_subrequest(sub, use_tweens=True)
    if response.status_code >= 400:
        raise CoreRefused(response)
    return response.json


def core_items(request, path: str, **query: Any) -> list[dict]:
    """Every item of a canonical paginated list (``items``), page after page."""
    items: list[dict] = []
    page = 1
    while True:
        body = core_get(request, path, page=page, per_page=PAGE, **query)
        items.extend(body["items"])
        if page >= min(body.get("pages", 1), MAX_PAGES):
            return items
        page += 1


def refused_as_is(view):
    """A compat view answers the canonical API's refusal unchanged."""
    def wrapper(request):
        try:
            return view(request)
        except CoreRefused as refused:
            return refused.response
    wrapper.__doc__ = view.__doc__
    wrapper.__name__ = view.__name__
    return wrapper


def students_only(view):
    """The student screens are a student's own: other roles (administrators hold every
    permission) get a 403 instead of an empty student dashboard."""
    def wrapper(request):
        if request.identity is None or request.identity.role != Role.STUDENT:
            raise Forbidden("This screen is for students.")
        return view(request)
    wrapper.__doc__ = view.__doc__
    wrapper.__name__ = view.__name__
    return wrapper
