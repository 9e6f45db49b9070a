"""Alembic migrations of the whole quizcore schema, plugin tables included.

There is one history, whatever plugins a school enables: ``alembic upgrade head`` always
yields the same schema. The models of a plugin's tables live in the plugin
(``<plugin>/models.py``); for autogenerate and ``alembic check`` the environment imports
the models of the plugins the settings enable (:func:`import_models`), by the names listed
in ``quizcore.plugins``, and leaves alone the tables of plugins that are not enabled
(:func:`include_object`).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from typing import Any

from alembic.config import Config

from ..settings import CORE_SETTINGS, parse_settings

#: The main option of the alembic config that names the enabled plugins (set by
#: :func:`alembic_config`; without it, the environment reads the application's ini).
PLUGINS_OPTION = "quizcore_plugins"

_PLUGINS_SETTING = next(spec for spec in CORE_SETTINGS if spec.key == "quizcore.plugins")


def enabled_plugins(raw_settings: Mapping[str, Any]) -> tuple[str, ...]:
    """``quizcore.plugins`` of raw ini settings, ``QUIZCORE_PLUGINS`` overriding it as it
    does for the application."""
    return parse_settings(raw_settings, (_PLUGINS_SETTING,))["quizcore.plugins"]


def import_models(plugins: Iterable[str] = ()) -> None:
    """Import the core models and the ``models`` module of each plugin in ``plugins``
    (dotted names) that has one, so that ``quizcore.models.metadata`` holds their tables.

    A plugin without tables has no ``models`` module; a listed plugin that cannot be
    imported at all is an error, as it is when the application starts.
    """
    importlib.import_module("quizcore.models")
    for name in plugins:
        try:
            importlib.import_module(f"{name}.models")
        except ModuleNotFoundError as exc:
            if exc.name != f"{name}.models":
                raise


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Autogenerate's filter: a table in the database without a model is not dropped. It
    belongs to a plugin that is not enabled (its migration created it all the same), or to
    another application sharing the database."""
    if type_ == "table" and reflected and compare_to is None:
        return False
    return True


def alembic_config(database_url: str, plugins: Iterable[str] | None = None) -> Config:
    """An Alembic config pointing at this package's migrations and ``database_url``.

    ``plugins``: the enabled plugins, whose models autogenerate and ``check`` compare too
    (``upgrade`` needs none: the history is the same for everyone).
    """
    config = Config()
    config.set_main_option("script_location", "quizcore:migrations")
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    if plugins is not None:
        config.set_main_option(PLUGINS_OPTION, " ".join(plugins))
    return config
