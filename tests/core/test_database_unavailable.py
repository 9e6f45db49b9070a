"""With the database unreachable, every request gets the JSON 503 with Retry-After.

The app here is built on an engine that points at a closed port, so every connection fails
at once (as during a MariaDB restart). Signed-in requests matter most: the security policy
loads the user from the database, and pyramid_tm used to do that in its tween, outside the
JSON error views (``tm.annotate_user``), which answered a bare HTML 500.
"""

from __future__ import annotations

import socket
import types
import uuid

import pytest
import sqlalchemy as sa
import webtest

from quizcore.app import make_config
from quizcore.db import make_engine
from tests.conftest import base_settings
from tests.helpers import assert_error


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens once the probe is closed


@pytest.fixture(scope="module")
def dead_database_app(redis_url):
    url = f"mysql+mysqldb://quiz:quiz@127.0.0.1:{closed_port()}/quizcore_gone?charset=utf8mb4"
    engine = make_engine(url, poolclass=sa.pool.NullPool)
    settings = base_settings(url, redis_url)
    settings.pop("tm.annotate_user", None)  # the code's default, not the ini's, is under test
    config = make_config(settings, registry_overrides={"dbengine": engine})
    yield config.make_wsgi_app()
    engine.dispose()


def bearer(app, role: str = "student") -> dict[str, str]:
    user = types.SimpleNamespace(id=str(uuid.uuid4()), role=role, token_version=0)
    policy = app.registry["quizcore.security_policy"]
    return {"Authorization": f"Bearer {policy.create_access_token(user, 600).token}"}


@pytest.mark.parametrize(("method", "path", "body"), [
    ("GET", "/api/auth/me", None),
    ("POST", f"/api/attempts/{uuid.uuid4()}/answer",
     {"question_id": str(uuid.uuid4()), "answer_option": 1, "client_seq": 1}),
    ("POST", f"/api/quizzes/{uuid.uuid4()}/start", {}),
    ("GET", "/api/quizzes", None),
])
def test_signed_in_request_gets_json_503(dead_database_app, method, path, body):
    client = webtest.TestApp(dead_database_app, extra_environ={"REMOTE_ADDR": "127.0.0.1"})
    response = client.request(path, method=method, headers=bearer(dead_database_app),
                              json=body, expect_errors=True)
    error = assert_error(response, 503)
    assert response.headers["Retry-After"] == "2"
    assert "retry" in error["message"]


def test_login_gets_json_503(dead_database_app):
    client = webtest.TestApp(dead_database_app, extra_environ={"REMOTE_ADDR": "127.0.0.1"})
    response = client.post_json("/api/auth/login", {"email_or_reg_no": "a@b.example",
                                                    "password": "whatever1"},
                                expect_errors=True)
    assert_error(response, 503)
    assert response.headers["Retry-After"] == "2"


def test_annotate_user_is_off_by_default(dead_database_app):
    from pyramid.settings import asbool

    assert not asbool(dead_database_app.registry.settings["tm.annotate_user"])
