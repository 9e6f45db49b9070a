"""The OpenAPI document, pinned.

* The application with every plugin the project ships (:data:`PINNED_PLUGINS`, the list of
  development.ini) serves exactly ``tests/security/openapi.json``.
* Without one plugin, it serves that document without the plugin's operations, and nothing
  else changes: each service, core or plugin, declares what the document says of it.

After an intended change of the API, rewrite the pinned document with
``.venv/bin/python -m tests.security.test_openapi_document`` and review its diff.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
from pathlib import Path

import pytest
from plaster import get_settings

from quizcore.app import make_config
from quizcore.services.docs import build_spec
from quizcore.settings import as_list
from tests.conftest import DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL, ROOT, base_settings

from .routes import exposed_operations, plugin_of, route

PINNED = Path(__file__).with_name("openapi.json")
#: The plugins the pinned document was generated with.
PINNED_PLUGINS = ("quiz_plugins.grading", "quiz_plugins.anticheat", "quiz_plugins.notifications",
                  "quiz_plugins.audit", "quiz_plugins.csv_import", "quiz_plugins.exports",
                  "quiz_plugins.analytics", "quiz_plugins.spa_compat")
INI_PLUGINS = as_list(get_settings(os.path.join(ROOT, "development.ini"),
                                   "app:main")["quizcore.plugins"])


def installed(plugin: str) -> bool:
    return importlib.util.find_spec(plugin) is not None


@functools.cache
def application(plugins: tuple[str, ...]):
    """The application with ``plugins``; configuring it touches neither the database nor
    Redis."""
    settings = base_settings(os.environ.get("QUIZCORE_TEST_DATABASE_URL", DEFAULT_DATABASE_URL),
                             os.environ.get("QUIZCORE_TEST_REDIS_URL", DEFAULT_REDIS_URL),
                             **{"quizcore.plugins": "\n".join(plugins)})
    return make_config(settings).make_wsgi_app()


def document(plugins: tuple[str, ...]) -> dict:
    """``/api/openapi.json`` of the application with ``plugins``, as a client reads it."""
    return json.loads(json.dumps(build_spec(application(plugins).registry)))


def test_the_full_application_serves_the_pinned_document():
    assert set(INI_PLUGINS) <= set(PINNED_PLUGINS), "a new plugin: add it and re-pin"
    missing = [plugin for plugin in PINNED_PLUGINS if not installed(plugin)]
    if missing:
        pytest.skip(f"the pinned document has every plugin; {', '.join(missing)} is not "
                    "installed")
    assert document(PINNED_PLUGINS) == json.loads(PINNED.read_text(encoding="utf-8"))


@pytest.mark.parametrize("plugin", INI_PLUGINS)
def test_without_a_plugin_the_document_loses_its_operations_only(plugin):
    if not installed(plugin):
        pytest.skip(f"{plugin} is not installed")
    everything = tuple(name for name in INI_PLUGINS if installed(name))
    registry = application(everything).registry
    own_paths = {route(registry, name).pattern
                 for (name, _method), module in exposed_operations(registry).items()
                 if plugin_of(module) == plugin}
    assert own_paths, f"{plugin} serves no operation"
    expected = document(everything)
    expected["paths"] = {path: item for path, item in expected["paths"].items()
                         if path not in own_paths}
    # A tag only the plugin's operations carried (spa-compat) leaves with them.
    used = {tag for item in expected["paths"].values() for operation in item.values()
            if isinstance(operation, dict) for tag in operation.get("tags", ())}
    tags = [tag for tag in expected.get("tags", ()) if tag["name"] in used]
    expected.pop("tags", None)
    if tags:
        expected["tags"] = tags
    assert document(tuple(name for name in everything if name != plugin)) == expected


if __name__ == "__main__":
    PINNED.write_text(json.dumps(document(PINNED_PLUGINS), indent=1, ensure_ascii=False) + "\n",
                      encoding="utf-8")
    print(f"wrote {PINNED}")
