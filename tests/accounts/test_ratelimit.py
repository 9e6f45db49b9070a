"""Rate limits: shared counters in the real Redis, 429 with Retry-After, fail open."""

from __future__ import annotations

import logging

import redis as redis_lib

from quizcore.ratelimit import RateLimits
from tests import factories
from tests.helpers import assert_error

from .conftest import bearer, login_body

STRICT = {
    "quizcore.ratelimit_login_per_ip": "3/minute",
    "quizcore.ratelimit_login_per_account": "2/minute",
    "quizcore.ratelimit_reset_per_email": "2/minute",
    "quizcore.ratelimit_reset_per_ip": "3/minute",
    "quizcore.ratelimit_default_per_user": "5/minute",
}


def assert_429(response) -> int:
    body = assert_error(response, 429)
    retry_after = int(response.headers["Retry-After"])
    assert 1 <= retry_after <= 60
    assert body["retry_after"] == retry_after
    return retry_after


def test_failed_logins_per_account_are_limited(app_with, teacher, redis):
    client = app_with(**STRICT)
    for _ in range(2):
        client.post_json("/api/auth/login", login_body(teacher.email, "wrong"), status=401)
    # Over the limit even with the right password: no bcrypt check, no session.
    assert_429(client.post_json("/api/auth/login", login_body(teacher.email), status=429))


def test_the_account_limit_counts_email_and_registration_number_together(app_with,
                                                                         school_class, redis):
    client = app_with(**STRICT)
    user = factories.StudentFactory(school_class=school_class)
    client.post_json("/api/auth/login", login_body(user.email, "wrong"), status=401)
    client.post_json("/api/auth/login",
                     login_body(user.student.registration_number, "wrong"), status=401)
    client.post_json("/api/auth/login", login_body(user.email), status=429)


def test_failed_logins_per_address_are_limited(app_with, redis):
    client = app_with(**STRICT)
    for n in range(3):
        client.post_json("/api/auth/login", login_body(f"ghost{n}@school.example"), status=401)
    assert_429(client.post_json("/api/auth/login", login_body("ghost9@school.example"),
                                status=429))
    # Another address is not affected.
    client.post_json("/api/auth/login", login_body("ghost9@school.example"), status=401,
                     extra_environ={"REMOTE_ADDR": "10.0.0.2"})


def test_forwarded_for_header_cannot_dodge_the_address_limit(app_with, redis):
    client = app_with(**STRICT)
    for n in range(4):
        response = client.post_json("/api/auth/login", login_body("ghost@school.example"),
                                    headers={"X-Forwarded-For": f"192.0.2.{n}"},
                                    expect_errors=True)
    assert response.status_code == 429


def test_successful_logins_are_not_limited(app_with, school_class, redis):
    """A whole class signing in from one school address at the start of an exam."""
    client = app_with(**STRICT)
    for _ in range(6):
        user = factories.StudentFactory(school_class=school_class)
        client.post_json("/api/auth/login", login_body(user.email))


def test_success_clears_the_account_failures(app_with, teacher, redis):
    client = app_with(**STRICT)
    client.post_json("/api/auth/login", login_body(teacher.email, "wrong"), status=401)
    client.post_json("/api/auth/login", login_body(teacher.email))
    client.post_json("/api/auth/login", login_body(teacher.email, "wrong"), status=401)
    client.post_json("/api/auth/login", login_body(teacher.email))


def test_forgot_password_is_limited_per_email(app_with, teacher, redis):
    client = app_with(**STRICT)
    for _ in range(2):
        client.post_json("/api/auth/forgot-password", {"email": teacher.email})
    assert_429(client.post_json("/api/auth/forgot-password", {"email": teacher.email},
                                status=429))
    client.post_json("/api/auth/forgot-password", {"email": "other@school.example"},
                     extra_environ={"REMOTE_ADDR": "10.0.0.2"})


def test_verify_reset_code_is_limited_per_address(app_with, redis):
    client = app_with(**STRICT)
    for n in range(3):
        client.post_json("/api/auth/verify-reset-code",
                         {"email": f"a{n}@school.example", "code": "123456"}, status=400)
    assert_429(client.post_json("/api/auth/verify-reset-code",
                                {"email": "a9@school.example", "code": "123456"}, status=429))


def test_every_authenticated_endpoint_has_a_per_user_limit(app_with, teacher, other_teacher,
                                                           auth, redis):
    client = app_with(**STRICT)
    for _ in range(5):
        client.get("/api/auth/me", headers=auth(teacher))
    response = client.get("/api/classes", headers=auth(teacher), status=429)
    assert_429(response)
    # Counted per user, not per address.
    client.get("/api/auth/me", headers=auth(other_teacher))


def test_429_carries_cors_headers(app_with, teacher, auth, redis):
    client = app_with(**STRICT)
    origin = "https://spa.example.org"
    for _ in range(5):
        client.get("/api/auth/me", headers=auth(teacher))
    response = client.get("/api/auth/me", headers={**auth(teacher), "Origin": origin},
                          status=429)
    assert response.headers["Access-Control-Allow-Origin"] == origin
    assert "Retry-After" in response.headers["Access-Control-Expose-Headers"]


def test_the_default_limit_is_generous(testapp, student, auth, redis):
    """A student's autosave every second for a minute stays well inside the default."""
    headers = auth(student)
    for _ in range(120):
        testapp.get("/api/auth/me", headers=headers)


def test_counters_are_shared_through_redis(registry, redis):
    """Two processes = two RateLimits objects on the same Redis: one budget."""
    settings = {**registry.settings, **STRICT}
    first = RateLimits(redis_lib.Redis.from_url(registry.settings["quizcore.redis_url"]),
                       settings)
    second = RateLimits(redis_lib.Redis.from_url(registry.settings["quizcore.redis_url"]),
                        settings)
    assert first.hit("login_per_ip", "203.0.113.5") is None
    assert second.hit("login_per_ip", "203.0.113.5") is None
    assert first.hit("login_per_ip", "203.0.113.5") is None
    limited = second.hit("login_per_ip", "203.0.113.5")
    assert limited is not None and limited.rule == "login_per_ip"


def test_rate_limits_can_be_switched_off(app_with, teacher, redis):
    client = app_with(**STRICT, **{"quizcore.ratelimit_enabled": "false"})
    for _ in range(4):
        client.post_json("/api/auth/login", login_body(teacher.email, "wrong"), status=401)
    assert redis.keys("quizcore:ratelimit*") == []


def test_redis_down_fails_open_and_logs(app_with, teacher, caplog):
    dead = redis_lib.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2,
                                    decode_responses=True)
    client = app_with(dead, **STRICT, **{"quizcore.redis_url": "redis://127.0.0.1:1/0"})
    client.app.registry["quizcore.ratelimits"]._last_failure_log = float("-inf")
    with caplog.at_level(logging.WARNING, logger="quizcore.ratelimit"):
        for _ in range(4):
            client.post_json("/api/auth/login", login_body(teacher.email, "wrong"), status=401)
        tokens = client.post_json("/api/auth/login", login_body(teacher.email)).json
        for _ in range(7):
            client.get("/api/auth/me", headers=bearer(tokens["access_token"]))
    messages = [r.getMessage() for r in caplog.records if r.name == "quizcore.ratelimit"]
    assert len(messages) == 1  # one line per interval, not one per request
    assert "Redis unreachable" in messages[0]
