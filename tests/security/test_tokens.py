"""Access tokens that must not authenticate anyone: each gets 401 in the JSON error format,
on an endpoint any signed-in user may use and on an admin-only one."""

from __future__ import annotations

import pytest

from quizcore import models
from tests import factories
from tests.helpers import assert_error

from .tokens import forged_tokens

#: Any signed-in user may read it; an admin-only one (a token claiming more changes nothing).
ENDPOINTS = ("/api/auth/me", "/api/users")


@pytest.fixture
def secret(registry) -> str:
    return registry.settings["quizcore.jwt_secret"]


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def assert_unauthenticated(testapp, headers: dict, path: str = "/api/auth/me") -> None:
    response = testapp.get(path, headers=headers, status=401)
    assert_error(response, 401)
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_a_valid_token_works(testapp, admin, auth):
    """The control: the tokens below differ from this one only in what they break."""
    for path in ENDPOINTS:
        testapp.get(path, headers=auth(admin), status=200)


CRAFTED = ["expired", "not_yet_valid", "forged_signature", "claims_swapped", "alg_none",
           "alg_none_uppercase", "other_secret", "other_algorithm", "no_type", "refresh_type",
           "no_subject", "unknown_subject", "subject_not_a_string", "stale_token_version",
           "no_token_version", "no_expiry", "expiry_not_a_number"]


@pytest.mark.parametrize("name", CRAFTED)
def test_crafted_token_is_refused(testapp, admin, auth, secret, name):
    valid = auth(admin)["Authorization"].split(" ", 1)[1]
    token = forged_tokens(admin, secret, valid)[name]
    for path in ENDPOINTS:
        assert_unauthenticated(testapp, bearer(token), path)


def test_every_crafted_token_is_tested(admin, auth, secret):
    valid = auth(admin)["Authorization"].split(" ", 1)[1]
    assert sorted(forged_tokens(admin, secret, valid)) == sorted(CRAFTED)


def test_a_refresh_token_is_not_an_access_token(testapp, dbsession):
    student = factories.StudentFactory(school_class=factories.ClassFactory())
    tokens = testapp.post_json("/api/auth/login", {"email_or_reg_no": student.email,
                                                   "password": factories.PASSWORD}).json
    testapp.get("/api/auth/me", headers=bearer(tokens["access_token"]), status=200)
    assert_unauthenticated(testapp, bearer(tokens["refresh_token"]))


def test_a_deactivated_users_token_stops_working(testapp, admin, teacher, auth, dbsession):
    headers = auth(teacher)
    testapp.get("/api/auth/me", headers=headers, status=200)
    testapp.put_json(f"/api/users/{teacher.id}", {"is_active": False}, headers=auth(admin))
    assert_unauthenticated(testapp, headers)


def test_a_deleted_users_token_stops_working(testapp, admin, other_teacher, auth, dbsession):
    headers = auth(other_teacher)
    testapp.delete(f"/api/users/{other_teacher.id}", headers=auth(admin))
    assert_unauthenticated(testapp, headers)


def test_a_token_issued_before_logout_stops_working(testapp, dbsession):
    teacher = factories.TeacherFactory()
    tokens = testapp.post_json("/api/auth/login", {"email_or_reg_no": teacher.email,
                                                   "password": factories.PASSWORD}).json
    headers = bearer(tokens["access_token"])
    testapp.post_json("/api/auth/logout", {}, headers=headers)
    assert_unauthenticated(testapp, headers)


def test_a_token_issued_before_a_password_change_stops_working(testapp, teacher, auth,
                                                               dbsession):
    headers = auth(teacher)
    testapp.post_json("/api/auth/change-password", {
        "current_password": factories.PASSWORD, "new_password": "a brand new password"},
        headers=headers)
    assert_unauthenticated(testapp, headers)


@pytest.mark.parametrize("value", [
    "", "Bearer", "Bearer ", "Bearer  ", "bearer", "Basic dXNlcjpwYXNz", "Token abc",
    "Bearer not-a-jwt", "Bearer a.b", "Bearer a.b.c", "Bearer ...", "Bearer a.b.c.d",
    "Bearer e30.e30.", "Bearer %%%.%%%.%%%", "Bearer \u00e9t\u00e9.\u00e9t\u00e9.x",
    "Bearer " + "A" * 8000, "Bearer one two", "Bearer\tabc",
])
def test_malformed_authorization_header_is_401(testapp, value):
    # WebTest sends header values as latin-1 (as a WSGI server would hand them over).
    headers = {"Authorization": value.encode("utf-8").decode("latin-1")}
    assert_unauthenticated(testapp, headers)


def test_a_valid_token_in_a_malformed_header_is_401(testapp, teacher, auth):
    token = auth(teacher)["Authorization"].split(" ", 1)[1]
    for value in (f"Basic {token}", f"Bearer {token} extra", f"{token}", f"Bearer{token}",
                  f"Bearer {token}."):
        assert_unauthenticated(testapp, {"Authorization": value})


def test_a_users_row_is_checked_not_just_the_role_claim(testapp, dbsession, auth):
    """A teacher demoted to student keeps a token saying teacher: the row decides."""
    teacher = factories.TeacherFactory()
    headers = auth(teacher)
    teacher.role = models.Role.STUDENT
    dbsession.flush()
    assert_error(testapp.get("/api/questions", headers=headers, status=403), 403)
