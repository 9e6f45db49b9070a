"""Alembic migrations of the whole quizcore schema, plugin tables included."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent


def import_all_models() -> None:
    """Import the core models and every plugin's ``models`` module.

    The schema is the same whichever plugins a school enables, so autogenerate and
    ``alembic check`` must see every table.
    """
    importlib.import_module("quizcore.models")
    try:
        import quiz_plugins
    except ImportError:  # pragma: no cover
        return
    for info in pkgutil.iter_modules(quiz_plugins.__path__, "quiz_plugins."):
        try:
            importlib.import_module(f"{info.name}.models")
        except ModuleNotFoundError as exc:
            if exc.name != f"{info.name}.models":
                raise


def alembic_config(database_url: str) -> Config:
    """An Alembic config pointing at this package's migrations and ``database_url``."""
    config = Config()
    config.set_main_option("script_location", "quizcore:migrations")
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config
