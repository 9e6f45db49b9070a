"""Health, the OpenAPI document, the offline docs page, CORS."""

import pytest
from pyramid.config import Configurator
from pyramid.exceptions import ConfigurationConflictError

from tests.helpers import assert_error

ORIGIN = "https://spa.example.org"


def test_health_reports_database_and_redis(testapp, redis):
    body = testapp.get("/api/health").json
    assert body["status"] == "ok"
    assert body["database"] == "ok" and body["redis"] == "ok"


def test_openapi_lists_enabled_services_only(testapp, plugin_testapp):
    core = testapp.get("/api/openapi.json").json
    assert core["swagger"] == "2.0"
    assert "/api/health" in core["paths"]
    assert "/api/testplugin/ping" not in core["paths"]
    with_plugin = plugin_testapp.get("/api/openapi.json").json
    assert "/api/testplugin/ping" in with_plugin["paths"]


def test_a_plugin_declares_the_statuses_of_its_own_operations(plugin_testapp):
    responses = plugin_testapp.get("/api/openapi.json").json["paths"][
        "/api/testplugin/conflict"]["post"]["responses"]
    assert sorted(responses) == ["200", "400", "409", "413"]  # 400 and 413: a POST body
    assert responses["409"]["schema"] == {"$ref": "#/definitions/Error"}


def test_one_operation_declared_twice_stops_the_start_up():
    config = Configurator()
    config.include("quizcore.services.statuses")
    config.add_operation_statuses("things", "POST", statuses=(409,))
    config.add_operation_statuses("things", "post", statuses=(404,))
    with pytest.raises(ConfigurationConflictError):
        config.commit()


def test_docs_page_is_served_without_internet(testapp):
    page = testapp.get("/api/docs")
    assert page.content_type == "text/html"
    script = page.html.find_all("script")[0]["src"]
    assert testapp.get(script).body.startswith(b"/*")  # the bundled swagger-ui, not a CDN


def test_preflight_from_an_allowed_origin(testapp):
    response = testapp.options("/api/health", headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Authorization, Content-Type"}, status=204)
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert "Authorization" in response.headers["Access-Control-Allow-Headers"]
    assert "PATCH" in response.headers["Access-Control-Allow-Methods"]


def test_preflight_from_another_origin_is_refused(testapp):
    response = testapp.options("/api/health", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}, status=403)
    assert_error(response, 403)
    assert "Access-Control-Allow-Origin" not in response.headers


def test_error_responses_carry_cors_headers_for_allowed_origins(testapp):
    response = testapp.get("/api/nothing-here", headers={"Origin": ORIGIN}, status=404)
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "Origin" in response.headers["Vary"]


def test_no_cors_headers_for_unknown_origins(testapp):
    response = testapp.get("/api/health", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in response.headers
