"""Load the plugins a school lists in ``quizcore.plugins``.

A plugin is an importable package with an ``includeme(config)``; it is included after the
core configuration is committed, so it can use every core directive (``add_settings_spec``,
``add_cornice_service``, the ``for_event`` subscriber predicate...).
"""

from __future__ import annotations

import importlib
import logging

from pyramid.exceptions import ConfigurationError

log = logging.getLogger(__name__)


class PluginError(ConfigurationError):
    """A listed plugin cannot be loaded."""


def load_plugins(config, names) -> list[str]:
    loaded: list[str] = []
    for name in names:
        if name in loaded:
            continue
        try:
            module = importlib.import_module(name)
        except ImportError as exc:
            raise PluginError(
                f"Plugin {name!r} is listed in quizcore.plugins but cannot be imported "
                f"({exc}). Check the spelling or remove the line from the ini file."
            ) from exc
        if not callable(getattr(module, "includeme", None)):
            raise PluginError(f"Plugin {name!r} has no includeme(config) function.")
        config.include(module)
        loaded.append(name)
        log.debug("Plugin %s enabled", name)
    config.registry["quizcore.plugins"] = tuple(loaded)
    return loaded
