"""Races with real threads and real commits; CORS on the account endpoints."""

from __future__ import annotations

import pytest
import webtest

from quizcore.models import RefreshToken, Role, User
from tests import factories
from tests.helpers import run_together

from .conftest import login_body

ORIGIN = "https://spa.example.org"


def run_calls(*calls):
    """Run the calls in threads released at the same moment; return their results."""
    return run_together(len(calls), lambda index: calls[index]())


@pytest.mark.slow
def test_two_admins_removing_each_other_leave_one_admin(app, committed_session, auth):
    first, second = factories.AdminFactory(), factories.AdminFactory()
    committed_session.commit()
    clients = [webtest.TestApp(app), webtest.TestApp(app)]
    results = run_calls(
        lambda: clients[0].put_json(f"/api/users/{second.id}", {"is_active": False},
                                    headers=auth(first), expect_errors=True).status_code,
        lambda: clients[1].put_json(f"/api/users/{first.id}", {"is_active": False},
                                    headers=auth(second), expect_errors=True).status_code,
    )
    assert sorted(results)[0] == 200 and sorted(results)[1] in (401, 409), results
    committed_session.expire_all()
    active = committed_session.query(User).filter_by(role=Role.ADMIN, is_active=True).count()
    assert active == 1


@pytest.mark.slow
def test_one_refresh_token_used_twice_at_once_rotates_once(app, committed_session):
    teacher = factories.TeacherFactory()
    committed_session.commit()
    client = webtest.TestApp(app, extra_environ={"REMOTE_ADDR": "127.0.0.1"})
    token = client.post_json("/api/auth/login", login_body(teacher.email)).json["refresh_token"]
    results = run_calls(*[
        (lambda: webtest.TestApp(app).post_json("/api/auth/refresh", {"refresh_token": token},
                                                expect_errors=True))
        for _ in range(2)])
    statuses = sorted(r.status_code for r in results)
    assert statuses == [200, 401], statuses
    # The second use counted as reuse: nothing of the family is left alive.
    committed_session.expire_all()
    live = committed_session.query(RefreshToken).filter_by(user_id=teacher.id,
                                                           is_revoked=False).count()
    assert live == 0


def test_preflight_for_login_allows_credentials(testapp):
    response = testapp.options("/api/auth/login", headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Content-Type, Authorization"}, status=204)
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert "Content-Type" in response.headers["Access-Control-Allow-Headers"]


def test_login_error_is_readable_cross_origin(testapp):
    response = testapp.post_json("/api/auth/login", login_body("ghost@school.example"),
                                 headers={"Origin": ORIGIN}, status=401)
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert response.headers["Access-Control-Allow-Credentials"] == "true"


@pytest.mark.slow
def test_simultaneous_logins_of_one_account_all_succeed(app, committed_session):
    """One account signed in on several devices at once (or a double-clicked button)."""
    teacher = factories.TeacherFactory()
    committed_session.commit()
    results = run_calls(*[
        (lambda: webtest.TestApp(app, extra_environ={"REMOTE_ADDR": "127.0.0.1"}).post_json(
            "/api/auth/login", login_body(teacher.email), expect_errors=True).status_code)
        for _ in range(8)])
    assert results == [200] * 8
    committed_session.expire_all()
    assert committed_session.query(RefreshToken).filter_by(user_id=teacher.id).count() == 8
