"""Alembic environment for quizcore (see alembic.ini for where the URL comes from)."""

from __future__ import annotations

import os
from logging.config import fileConfig

from alembic import context
from plaster import get_settings
from sqlalchemy.pool import NullPool

from quizcore.db import make_engine
from quizcore.migrations import PLUGINS_OPTION, enabled_plugins, import_models, include_object
from quizcore.models import metadata
from quizcore.settings import DATABASE_URL_ENV

config = context.config
if config.config_file_name is not None and config.get_main_option("quizcore_ini"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def application_ini() -> str | None:
    """The application's ini file (``-x ini=...``, else ``quizcore_ini`` of alembic.ini);
    None when alembic runs from code (:func:`quizcore.migrations.alembic_config`)."""
    return context.get_x_argument(as_dictionary=True).get("ini") or \
        config.get_main_option("quizcore_ini")


def database_url() -> str:
    if os.environ.get(DATABASE_URL_ENV):
        return os.environ[DATABASE_URL_ENV]
    if config.get_main_option("sqlalchemy.url"):
        return config.get_main_option("sqlalchemy.url")
    return get_settings(application_ini() or "development.ini", "app:main")["sqlalchemy.url"]


def plugins() -> tuple[str, ...]:
    """The enabled plugins: named by the caller, else by the application's ini."""
    named = config.get_main_option(PLUGINS_OPTION)
    if named is not None:
        return enabled_plugins({"quizcore.plugins": named})
    ini = application_ini()
    return enabled_plugins(get_settings(ini, "app:main")) if ini else ()


import_models(plugins())


def run_migrations_offline() -> None:
    context.configure(url=database_url(), target_metadata=metadata, literal_binds=True,
                      render_as_batch=True, include_object=include_object)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(database_url(), poolclass=NullPool)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            include_object=include_object,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
