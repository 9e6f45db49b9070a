"""Trailing slashes on every route, and response extensions added by plugins."""

from __future__ import annotations

import pytest

from tests import factories
from tests.conftest import build_app


def test_trailing_slash_is_the_same_route_for_core_routes(testapp, teacher, auth):
    plain = testapp.get("/api/auth/me", headers=auth(teacher), status=200).json
    slashed = testapp.get("/api/auth/me/", headers=auth(teacher), status=200).json
    assert slashed == plain
    assert testapp.get("/api/quizzes/", headers=auth(teacher), status=200).json["items"] == []


def test_trailing_slash_keeps_the_query_string(testapp, teacher, auth):
    for n in range(3):
        factories.QuizFactory(owner=teacher, title=f"Quiz {n}")
    body = testapp.get("/api/quizzes/?page=2&per_page=2", headers=auth(teacher),
                       status=200).json
    assert body["page"] == 2
    assert body["limit"] == 2
    assert len(body["items"]) == 1


def test_post_with_a_trailing_slash_is_served_not_redirected(testapp, teacher):
    response = testapp.post_json("/api/auth/login/",
                                 {"email_or_reg_no": teacher.email,
                                  "password": factories.PASSWORD}, status=200)
    assert response.json["user"]["id"] == teacher.id
    assert "Location" not in response.headers


@pytest.mark.plugin("quiz_plugins.notifications")
def test_trailing_slash_on_a_plugin_route(testapp, student, auth):
    plain = testapp.get("/api/notifications", headers=auth(student), status=200).json
    assert testapp.get("/api/notifications/", headers=auth(student), status=200).json == plain
    testapp.post("/api/notifications/read-all/", headers=auth(student), status=200)


def test_unknown_paths_stay_404_with_or_without_the_slash(testapp):
    for path in ("/api/nothing-here", "/api/nothing-here/", "/api/nothing-here//"):
        assert testapp.get(path, status=404).json["code"] == 404


@pytest.fixture(scope="module")
def extended_app(app_settings, engine):
    plugins = app_settings["quizcore.plugins"] + "\ntests.core.extension_plugin"
    return build_app({**app_settings, "quizcore.plugins": plugins}, engine)


@pytest.fixture
def extended(extended_app, app, dbsession):
    import webtest

    extended_app.registry["dbsession_factory"] = app.registry["dbsession_factory"]
    return webtest.TestApp(extended_app, extra_environ={"REMOTE_ADDR": "127.0.0.1"})


def test_an_extension_adds_fields_and_never_replaces_one(extended, teacher, auth):
    body = extended.get("/api/auth/me", headers=auth(teacher), status=200).json
    assert body["greeting"] == f"Hello {teacher.name}"
    assert body["email"] == teacher.email


def test_an_extension_applies_per_item_of_a_list(extended, teacher, auth):
    factories.QuizFactory(owner=teacher, title="Fractions")
    items = extended.get("/api/quizzes", headers=auth(teacher), status=200).json["items"]
    assert [item["title_length"] for item in items] == [len("Fractions")]


def test_error_answers_are_not_extended(extended):
    body = extended.get("/api/auth/me", status=401).json
    assert "greeting" not in body


def test_without_the_plugin_the_answer_is_canonical(testapp, teacher, auth):
    assert "greeting" not in testapp.get("/api/auth/me", headers=auth(teacher)).json
