"""Failed authentication is rate-limited per client address and per presented token.

Failed refreshes and requests presenting an expired or forged bearer token are counted in
the real Redis; past the limit the answer is 429 with Retry-After, decided before the view.
"""

from __future__ import annotations

import time

from tests.security.tokens import OTHER_SECRET, claims_for, signed

from .conftest import bearer, login_body
from .test_ratelimit import assert_429

PER_TOKEN = {
    "quizcore.ratelimit_auth_failure_per_ip": "100/minute",
    "quizcore.ratelimit_auth_failure_per_token": "3/minute",
}
PER_IP = {
    "quizcore.ratelimit_auth_failure_per_ip": "3/minute",
    "quizcore.ratelimit_auth_failure_per_token": "100/minute",
}


def expired_token(registry, user) -> str:
    past = int(time.time()) - 7200
    return signed(claims_for(user, iat=past, exp=past + 60),
                  registry.settings["quizcore.jwt_secret"])


def test_failed_refreshes_are_limited_per_presented_token(app_with, redis):
    client = app_with(**PER_TOKEN)
    for _ in range(3):
        client.post_json("/api/auth/refresh", {"refresh_token": "dead-token"}, status=401)
    assert_429(client.post_json("/api/auth/refresh", {"refresh_token": "dead-token"},
                                status=429))
    # Another token from the same address is not limited by that token's failures.
    client.post_json("/api/auth/refresh", {"refresh_token": "other-dead-token"}, status=401)
    # Counted by digest: Redis never holds the token itself.
    keys = " ".join(redis.keys("quizcore:ratelimit*"))
    assert "dead-token" not in keys
    assert "auth_failure_per_token" in keys


def test_failed_refreshes_are_limited_per_client_address(app_with, redis):
    client = app_with(**PER_IP)
    for n in range(3):
        client.post_json("/api/auth/refresh", {"refresh_token": f"dead-{n}"}, status=401)
    assert_429(client.post_json("/api/auth/refresh", {"refresh_token": "dead-9"}, status=429))
    client.post_json("/api/auth/refresh", {"refresh_token": "dead-9"}, status=401,
                     extra_environ={"REMOTE_ADDR": "10.0.0.7"})


def test_a_client_looping_on_an_expired_access_token_gets_429(app_with, registry, student,
                                                              redis):
    """The SPA's refresh: no body, the expired access token as bearer, again and again."""
    client = app_with(**PER_TOKEN)
    headers = {**bearer(expired_token(registry, student)), "Content-Type": "application/json"}
    for _ in range(3):
        client.post("/api/auth/refresh", headers=headers, status=401)
    response = client.post("/api/auth/refresh", headers=headers, status=429)
    assert_429(response)
    assert response.headers["Content-Type"].startswith("application/json")
    # Any route presenting that token is answered 429 before its view.
    assert_429(client.get("/api/auth/me", headers=headers, status=429))


def test_forged_bearer_tokens_count_per_address_but_valid_ones_pass(app_with, registry,
                                                                    student, auth, redis):
    client = app_with(**PER_IP)
    for n in range(3):
        forged = signed(claims_for(student, jti=f"{n:016x}"), OTHER_SECRET)
        client.get("/api/auth/me", headers=bearer(forged), status=401)
    forged = signed(claims_for(student, jti="f" * 16), OTHER_SECRET)
    assert_429(client.get("/api/auth/me", headers=bearer(forged), status=429))
    # Signed-in users behind the same address (a classroom) are not locked out.
    client.get("/api/auth/me", headers=auth(student), status=200)
    client.post_json("/api/auth/login", login_body(student.email), status=200)


def test_successful_refreshes_are_not_counted(app_with, student, redis):
    client = app_with(**{**PER_TOKEN, **PER_IP, "quizcore.ratelimit_auth_failure_per_ip":
                         "3/minute", "quizcore.ratelimit_auth_failure_per_token": "3/minute"})
    tokens = client.post_json("/api/auth/login", login_body(student.email)).json
    for _ in range(6):
        tokens = client.post_json("/api/auth/refresh",
                                  {"refresh_token": tokens["refresh_token"]}).json
    client.get("/api/auth/me", headers=bearer(tokens["access_token"]), status=200)


def test_a_reused_refresh_token_still_revokes_and_is_counted(app_with, student, redis):
    client = app_with(**PER_TOKEN)
    first = client.post_json("/api/auth/login", login_body(student.email)).json
    second = client.post_json("/api/auth/refresh",
                              {"refresh_token": first["refresh_token"]}).json
    body = client.post_json("/api/auth/refresh", {"refresh_token": first["refresh_token"]},
                            status=401).json
    assert body["reason"] == "reused"
    # The family is revoked: the rotated token is dead too.
    client.post_json("/api/auth/refresh", {"refresh_token": second["refresh_token"]},
                     status=401)
    for _ in range(2):
        client.post_json("/api/auth/refresh", {"refresh_token": first["refresh_token"]},
                         status=401)
    client.post_json("/api/auth/refresh", {"refresh_token": first["refresh_token"]},
                     status=429)


def test_the_address_limit_is_checked_before_the_login_is_looked_up(app_with, teacher,
                                                                      redis):
    client = app_with(**{"quizcore.ratelimit_login_per_ip": "2/minute"})
    for _ in range(2):
        client.post_json("/api/auth/login", login_body(teacher.email, "wrong"), status=401)
    assert_429(client.post_json("/api/auth/login", login_body("nobody@school.example"),
                                status=429))
