"""Every failure answers with the one JSON error body; no HTML error page is reachable."""

import pytest

from tests.helpers import assert_error


def test_unknown_route_is_a_json_404(testapp):
    body = assert_error(testapp.get("/api/no/such/thing", status=404), 404)
    assert body["code"] == 404


def test_unknown_route_outside_api_is_json_too(testapp):
    assert_error(testapp.get("/favicon.ico", status=404), 404)


def test_wrong_method_is_a_json_405(testapp):
    response = testapp.delete("/api/health", status=405)
    assert_error(response, 405)
    assert "GET" in response.headers["Allow"]


def test_validation_errors_carry_the_cornice_error_list(plugin_testapp):
    response = plugin_testapp.post_json("/api/testplugin/echo", {"name": "", "count": -1},
                                        status=400)
    body = assert_error(response, 400)
    names = {error["name"] for error in body["errors"]}
    assert names == {"name", "count"}
    assert all(error["location"] == "body" for error in body["errors"])


def test_invalid_json_is_a_400(plugin_testapp):
    response = plugin_testapp.post("/api/testplugin/echo", "{not json",
                                   content_type="application/json", status=400)
    assert_error(response, 400)


def test_conflict_is_a_json_409(plugin_testapp):
    body = assert_error(plugin_testapp.post("/api/testplugin/conflict", status=409), 409)
    assert body["message"] == "That already exists."


def test_unexpected_exception_is_a_500_that_hides_internals(plugin_testapp, caplog):
    response = plugin_testapp.get("/api/testplugin/boom", status=500)
    body = assert_error(response, 500)
    assert "secret internal detail" not in response.text
    assert "Traceback" not in response.text
    assert any("secret internal detail" in r.getMessage() or r.exc_info for r in caplog.records)
    assert body["code"] == 500


def test_missing_token_is_a_401_with_bearer_challenge(plugin_testapp):
    # A view without an explicit permission needs a signed-in user (default permission).
    response = plugin_testapp.get("/api/testplugin/private", status=401)
    assert_error(response, 401)
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_signed_in_user_without_the_role_gets_a_json_403(plugin_testapp, teacher, auth):
    assert_error(plugin_testapp.get("/api/testplugin/admin", headers=auth(teacher),
                                    status=403), 403)


def test_admin_passes_the_role_check(plugin_testapp, admin, auth):
    assert plugin_testapp.get("/api/testplugin/admin", headers=auth(admin)).json == {"ok": True}


def test_oversized_body_is_a_json_413(testapp, registry):
    limit = registry.settings["quizcore.max_body_bytes"]
    response = testapp.post("/api/health", b"x" * (limit + 1),
                            content_type="application/octet-stream", status=413)
    assert_error(response, 413)


@pytest.mark.parametrize("header", ["Bearer not-a-jwt", "Bearer", "Basic dXNlcjpwYXNz",
                                    "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0."])
def test_bad_tokens_on_a_protected_view_are_401(plugin_testapp, header):
    response = plugin_testapp.get("/api/testplugin/private",
                                  headers={"Authorization": header}, status=401)
    assert_error(response, 401)
    assert response.headers["WWW-Authenticate"] == "Bearer"
