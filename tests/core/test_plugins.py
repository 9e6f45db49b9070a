"""The plugin loader: listed plugins are included, unlisted ones leave no trace."""

import importlib
import pkgutil
import uuid

import pytest
import webtest
from pyramid.interfaces import IRoutesMapper

import quiz_plugins
from quizcore.plugins import PluginError
from tests.conftest import build_app


def all_plugins() -> list[str]:
    names = [info.name for info in pkgutil.iter_modules(quiz_plugins.__path__, "quiz_plugins.")]
    return sorted(names) + ["tests.testplugin"]


def route_patterns(app) -> dict[str, str]:
    mapper = app.registry.getUtility(IRoutesMapper)
    return {route.name: route.pattern for route in mapper.get_routes()}


def concrete(pattern: str) -> str:
    """/api/quizzes/{id}/start -> /api/quizzes/<uuid>/start"""
    import re

    return re.sub(r"\{[^}]+\}", str(uuid.uuid4()), pattern)


def test_listed_plugin_answers(plugin_testapp):
    assert plugin_testapp.get("/api/testplugin/ping").json == {
        "pong": True, "answer": 42, "at": "2026-01-02T03:04:05Z", "score": 66.67}


def test_unlisted_plugin_route_is_404(testapp, app):
    if "tests.testplugin" in app.registry["quizcore.plugins"]:
        pytest.fail("the default test app must not enable the test plugin")
    testapp.get("/api/testplugin/ping", status=404)


def test_plugin_settings_get_defaults_and_environment_overrides(app_settings, engine,
                                                                monkeypatch):
    monkeypatch.setenv("QUIZCORE_TESTPLUGIN_ANSWER", "7")
    app = build_app({**app_settings, "quizcore.plugins": "tests.testplugin"}, engine)
    assert app.registry.settings["quizcore.testplugin.answer"] == 7


def test_plugin_that_cannot_be_imported_fails_start_up_clearly(app_settings, engine):
    with pytest.raises(PluginError, match="quiz_plugins.does_not_exist.*cannot be imported"):
        build_app({**app_settings, "quizcore.plugins": "quiz_plugins.does_not_exist"}, engine)


def test_module_without_includeme_is_refused(app_settings, engine):
    with pytest.raises(PluginError, match="no includeme"):
        build_app({**app_settings, "quizcore.plugins": "tests.helpers"}, engine)


@pytest.fixture(scope="module")
def core_only_app(app_settings, engine):
    return build_app({**app_settings, "quizcore.plugins": ""}, engine)


@pytest.mark.parametrize("plugin", all_plugins())
def test_removing_a_plugin_leaves_a_working_app_without_its_routes(plugin, app_settings,
                                                                   engine, core_only_app,
                                                                   dbsession):
    everything = all_plugins()
    with_it = build_app({**app_settings, "quizcore.plugins": "\n".join(everything)}, engine)
    without_it = build_app(
        {**app_settings, "quizcore.plugins": "\n".join(p for p in everything if p != plugin)},
        engine)
    only_it = build_app({**app_settings, "quizcore.plugins": plugin}, engine)

    own_routes = set(route_patterns(only_it).items()) - set(route_patterns(core_only_app).items())
    assert set(route_patterns(with_it).items()) >= own_routes
    client = webtest.TestApp(without_it)
    assert client.get("/api/health").json["database"] == "ok"
    for _name, pattern in sorted(own_routes):
        if any(pattern == other for other in route_patterns(without_it).values()):
            continue  # the same path is also served by another enabled plugin
        client.get(concrete(pattern), status=404)
        client.post(concrete(pattern), status=404)
    assert plugin not in without_it.registry["quizcore.plugins"]


def test_every_plugin_package_has_an_includeme():
    for name in all_plugins():
        assert callable(importlib.import_module(name).includeme), name
