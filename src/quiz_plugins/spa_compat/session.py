"""Keeping the SPA's session alive past its access token.

The SPA's ``refreshToken()`` posts ``/api/auth/refresh`` with no body and only its expired
*access* token as ``Authorization: Bearer``; it never sends the refresh token it stored. An
access token is not a refresh token, so quizcore refuses it (401, counted as a failed auth:
a looping client is rate-limited per address and per presented token). What keeps the
session is the HttpOnly refresh cookie, which this plugin turns on
(``quizcore.refresh_cookie``): login sets it, scoped to ``/api/auth`` and ``SameSite=Strict``,
and each refresh rotates it exactly like a refresh token sent in the body (reuse still revokes
the family; logout and password changes still end it).

The SPA then reads the new access token from ``data.access_token``: refresh answers gain a
``data`` object with the access token, its type and lifetime (additive: the canonical fields
are unchanged; the refresh token itself stays where it was, in the body and the cookie).
"""

from __future__ import annotations

from pyramid.events import NewResponse

#: The canonical refresh service (``quizcore.services.auth``).
REFRESH_ROUTE = "auth_refresh"
#: The fields of a refresh answer repeated under ``data``.
DATA_FIELDS = ("access_token", "token_type", "expires_in")


def add_data_to_refresh(event) -> None:
    """``NewResponse`` subscriber: a successful refresh answer gains ``data``."""
    request, response = event.request, event.response
    route = getattr(request, "matched_route", None)
    if route is None or route.name != REFRESH_ROUTE or response.status_code != 200 \
            or response.content_type != "application/json":
        return
    body = response.json_body
    body["data"] = {name: body[name] for name in DATA_FIELDS if name in body}
    response.json_body = body


def includeme(config):
    config.enable_refresh_cookie()
    config.add_subscriber(add_data_to_refresh, NewResponse)
