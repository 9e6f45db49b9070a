"""Calling the canonical API from a compat view: the SPA's screen is answered from the
canonical answer, so authorisation, visibility and every rule stay the core's."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import urlencode

from pyramid.request import Request

from quizcore.domain import timing
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


#: Request headers a compat call hands on to the canonical one.
FORWARDED_HEADERS = ("Authorization", "Idempotency-Key", "User-Agent")


def _release_outer_transaction(request) -> None:
    """End the compat request's own transaction (it has only read the identity) before the
    first canonical call, which runs in its own: the compat request then holds no database
    connection while the canonical one works, and what the canonical call commits never
    depends on how the compat request ends."""
    if not request.environ.get("quizcore.spa_compat.released"):
        request.environ["quizcore.spa_compat.released"] = True
        request.tm.abort()
        request.tm.begin()


def _call(request, path: str, method: str = "GET", body: Any = None, **query: Any):
    _release_outer_transaction(request)
    sub = Request.blank(path + (f"?{urlencode(query)}" if query else ""),
                        base_url=request.application_url, method=method)
    for name in FORWARDED_HEADERS:
        if name in request.headers:
            sub.headers[name] = request.headers[name]
    if body is not None:
        sub.content_type = "application/json"
        sub.body = json.dumps(body).encode("utf-8")
    sub.remote_addr = request.remote_addr
    response = request.invoke_subrequest(sub, use_tweens=True)
    if response.status_code >= 400:
        raise CoreRefused(response)
    return response


def core_get(request, path: str, **query: Any) -> Any:
    """The JSON answer of ``GET path?query`` for the signed-in user, through the whole
    application (its own transaction, tweens and views)."""
    return _call(request, path, **query).json


def core_post(request, path: str, body: Any = None) -> Any:
    """``POST path`` with the JSON ``body`` for the signed-in user (as :func:`core_get`);
    the compat answer takes the canonical status (201 for a new attempt...)."""
    response = _call(request, path, "POST", body if body is not None else {})
    request.response.status_code = response.status_code
    return response.json


def core_send(request, method: str, path: str, body: Any = None) -> Any:
    """``PUT`` or ``DELETE path`` (with the JSON ``body``) for the signed-in user, as
    :func:`core_post`."""
    response = _call(request, path, method, body)
    request.response.status_code = response.status_code
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


def instant(value: str | None) -> dt.datetime | None:
    """A canonical timestamp (ISO 8601, UTC) as the domain's naive UTC datetime."""
    if value is None:
        return None
    return timing.to_naive_utc(dt.datetime.fromisoformat(value))


def json_object(request) -> dict:
    """The JSON object the page sent; anything else goes on to the canonical route as {},
    whose validation answers for it."""
    try:
        body = request.json_body
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


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
