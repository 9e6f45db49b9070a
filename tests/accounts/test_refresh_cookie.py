"""The optional HttpOnly refresh cookie (``quizcore.refresh_cookie``): a browser client
that sends no refresh token in its body (the Quizmaster SPA posts an empty refresh with its
expired access token) keeps its session, with rotation and revocation unchanged."""

from __future__ import annotations

import time

from tests.security.tokens import claims_for, signed

from .conftest import bearer, login_body

COOKIE = {"quizcore.refresh_cookie": "true", "quizcore.refresh_cookie_secure": "false"}
NAME = "quizcore_refresh"


def set_cookie_header(response) -> str:
    [header] = [value for name, value in response.headerlist
                if name == "Set-Cookie" and value.startswith(NAME + "=")]
    return header


def spa_refresh_headers(registry, user) -> dict:
    """What the SPA sends: JSON content type, the expired access token, no body."""
    past = int(time.time()) - 7200
    expired = signed(claims_for(user, iat=past, exp=past + 60),
                     registry.settings["quizcore.jwt_secret"])
    return {**bearer(expired), "Content-Type": "application/json"}


def test_login_sets_an_httponly_strict_cookie_scoped_to_auth(app_with, student, redis):
    client = app_with(**COOKIE)
    response = client.post_json("/api/auth/login", login_body(student.email))
    header = set_cookie_header(response)
    assert f"{NAME}={response.json['refresh_token']}" in header
    lowered = header.lower()
    assert "httponly" in lowered
    assert "samesite=strict" in lowered
    assert "path=/api/auth" in lowered


def test_the_cookie_refreshes_an_expired_session_and_rotates(app_with, registry, student,
                                                             redis):
    client = app_with(**COOKIE)
    first = client.post_json("/api/auth/login", login_body(student.email)).json
    response = client.post("/api/auth/refresh", headers=spa_refresh_headers(registry, student),
                           status=200)
    assert response.json["refresh_token"] != first["refresh_token"]
    assert client.cookies[NAME] == response.json["refresh_token"]
    me = client.get("/api/auth/me", headers=bearer(response.json["access_token"]),
                    status=200).json
    assert me["user"]["id"] == student.id
    # The first token was rotated away: replaying it is reuse and revokes the family.
    client.cookies.clear()
    client.set_cookie(NAME, first["refresh_token"])
    assert client.post("/api/auth/refresh", status=401).json["reason"] == "reused"
    client.set_cookie(NAME, response.json["refresh_token"])
    client.post("/api/auth/refresh", status=401)


def test_logout_revokes_the_cookie_session_and_clears_it(app_with, registry, student, redis):
    client = app_with(**COOKIE)
    tokens = client.post_json("/api/auth/login", login_body(student.email)).json
    response = client.post("/api/auth/logout", headers=bearer(tokens["access_token"]),
                           status=200)
    assert "Max-Age=0" in set_cookie_header(response)
    client.set_cookie(NAME, tokens["refresh_token"])
    client.post("/api/auth/refresh", status=401)


def test_without_the_setting_no_cookie_is_set_or_read(app_with, registry, student, redis):
    # The core alone (the spa_compat plugin turns the cookie on for its browser client).
    client = app_with(**{"quizcore.plugins": ""})
    tokens = client.post_json("/api/auth/login", login_body(student.email))
    assert all(name != "Set-Cookie" for name, _ in tokens.headerlist)
    client.set_cookie(NAME, tokens.json["refresh_token"])
    client.post("/api/auth/refresh", headers=spa_refresh_headers(registry, student),
                status=401)
