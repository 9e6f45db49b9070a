"""Shared fixtures: a real MariaDB test database, a real Redis, the WSGI app under WebTest.

* The database named by ``QUIZCORE_TEST_DATABASE_URL`` (default: ``quizcore_test`` on the
  local MariaDB, user ``quiz``) is dropped, re-created and migrated with alembic once per run.
* Each test runs inside a transaction that is rolled back at the end; the application's
  sessions join it with savepoints, so requests commit "for real" from the app's point of
  view (after-commit hooks run) while the test leaves nothing behind.
* Tests that need truly committed data across threads use ``committed_app`` instead: its
  sessions commit to the database, and every table is emptied afterwards.
* Redis is the real server on a separate database number (``QUIZCORE_TEST_REDIS_URL``,
  default db 15), flushed before each test.

``make test`` creates the ``quiz`` user and makes sure both servers run (.ci/services.sh).

**Plugins.** A plugin's own tests live in ``tests/plugins/<name>/``, whose ``conftest.py``
starts with ``pytest.importorskip("quiz_plugins.<name>")``: with the plugin's folder deleted
the directory is reported skipped, and nothing in it is imported. Its test modules carry
``pytestmark = pytest.mark.plugin("quiz_plugins.<name>")``, so a run that leaves the
plugin out of ``QUIZCORE_TEST_PLUGINS`` (``make test-plugins-off``) skips them too. A test
elsewhere that needs a plugin is marked the same way and imports nothing from it at module
level (a plugin's table is reached without its model, e.g. ``sa.table("notifications")``:
the schema is the same whatever is installed).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import redis as redis_lib
import sqlalchemy as sa
import webtest
from plaster import get_settings
from sqlalchemy.orm import sessionmaker

from quizcore.app import make_config
from quizcore.db import get_session_factory, make_engine
from quizcore.migrations import alembic_config

from . import factories
from .helpers import auth_headers

# The suite configures the app itself: settings exported in the developer's shell
# (QUIZCORE_DATABASE_URL, QUIZCORE_PLUGINS...) must not leak into it.
for _name in [n for n in os.environ if n.startswith("QUIZCORE_") and
              not n.startswith("QUIZCORE_TEST_")]:
    del os.environ[_name]

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_DATABASE_URL = "mysql+mysqldb://quiz:quiz@127.0.0.1:3306/quizcore_test?charset=utf8mb4"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"


def _worker_suffix() -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return f"_{worker}" if worker else ""


@pytest.fixture(scope="session")
def database_url() -> str:
    url = sa.make_url(os.environ.get("QUIZCORE_TEST_DATABASE_URL", DEFAULT_DATABASE_URL))
    return url.set(database=url.database + _worker_suffix()).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def engine(database_url) -> Iterator[sa.Engine]:
    """The migrated test database (re-created from empty for each run)."""
    url = sa.make_url(database_url)
    server = make_engine(url.set(database="").render_as_string(hide_password=False),
                         poolclass=sa.pool.NullPool)
    with server.connect() as connection:
        connection.execute(sa.text(f"DROP DATABASE IF EXISTS `{url.database}`"))
        connection.execute(sa.text(
            f"CREATE DATABASE `{url.database}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"))
    server.dispose()

    from alembic import command

    command.upgrade(alembic_config(database_url), "head")
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def redis_url() -> str:
    return os.environ.get("QUIZCORE_TEST_REDIS_URL", DEFAULT_REDIS_URL)


@pytest.fixture(scope="session")
def redis_client(redis_url):
    client = redis_lib.Redis.from_url(redis_url, decode_responses=True, socket_timeout=5)
    client.ping()
    return client


@pytest.fixture
def redis(redis_client):
    redis_client.flushdb()
    yield redis_client


def base_settings(database_url: str, redis_url: str, **overrides) -> dict:
    """development.ini's settings pointed at the test services, with fast bcrypt."""
    settings = dict(get_settings(os.path.join(ROOT, "development.ini"), "app:main"))
    settings.update({
        "sqlalchemy.url": database_url,
        "quizcore.env": "test",
        "quizcore.redis_url": redis_url,
        "quizcore.bcrypt_rounds": "4",
        "quizcore.mailer": "null",
        "quizcore.cors_origins": "https://spa.example.org",
    })
    # make test-plugins-off runs the suite with one plugin removed from the list.
    if "QUIZCORE_TEST_PLUGINS" in os.environ:
        settings["quizcore.plugins"] = os.environ["QUIZCORE_TEST_PLUGINS"]
    settings.update(overrides)
    return settings


def pytest_collection_modifyitems(config, items):
    """Skip tests marked ``@pytest.mark.plugin(name)`` only when a run disables that plugin."""
    if "QUIZCORE_TEST_PLUGINS" not in os.environ:
        return
    from quizcore.settings import as_list

    enabled = set(as_list(os.environ["QUIZCORE_TEST_PLUGINS"]))
    for item in items:
        for marker in item.iter_markers("plugin"):
            if marker.args[0] not in enabled:
                item.add_marker(pytest.mark.skip(
                    reason=f"{marker.args[0]} is disabled in this run (make test-plugins-off)"))


@pytest.fixture(scope="session")
def app_settings(database_url, redis_url) -> dict:
    return base_settings(database_url, redis_url)


#: Every app built in this run; the ``connection`` fixture binds all of them to the test's
#: rolled-back connection.
BUILT_APPS: list = []


def build_app(settings: dict, engine: sa.Engine, redis_client=None):
    """Build the WSGI app around a shared engine (and optionally a Redis client)."""
    overrides = {"dbengine": engine}
    if redis_client is not None:
        overrides["redis"] = redis_client
    config = make_config(settings, registry_overrides=overrides)
    app = config.make_wsgi_app()
    BUILT_APPS.append(app)
    return app


@pytest.fixture(scope="session")
def app(app_settings, engine):
    return build_app(app_settings, engine)


@pytest.fixture(scope="session")
def registry(app):
    return app.registry


@pytest.fixture
def connection(engine, app) -> Iterator[sa.Connection]:
    """A connection in an outer transaction that is rolled back after the test."""
    connection = engine.connect()
    outer = connection.begin()
    bound = sessionmaker(bind=connection, join_transaction_mode="create_savepoint",
                         expire_on_commit=False)
    originals = [(built, built.registry["dbsession_factory"]) for built in BUILT_APPS]
    for built, _ in originals:
        built.registry["dbsession_factory"] = bound
    yield connection
    for built, factory in originals:
        built.registry["dbsession_factory"] = factory
    outer.rollback()
    connection.close()


@pytest.fixture
def dbsession(connection, redis):
    """The test's own session, seeing the same (uncommitted) data as the app's requests."""
    session = sessionmaker(bind=connection, join_transaction_mode="create_savepoint",
                           expire_on_commit=False)()
    factories.bind(session)
    yield session
    factories.bind(None)
    session.close()


@pytest.fixture
def testapp(app, dbsession) -> webtest.TestApp:
    return webtest.TestApp(app, extra_environ={"REMOTE_ADDR": "127.0.0.1"})


# -- committed data (for concurrency tests with real threads) --------------------------------


def empty_all_tables(engine: sa.Engine) -> None:
    """Delete every row of every table of the test database (MariaDB), plugin tables
    included whether or not their plugin is installed."""
    with engine.begin() as connection:
        tables = [name for name in sa.inspect(connection).get_table_names()
                  if name != "alembic_version"]
        connection.execute(sa.text("SET FOREIGN_KEY_CHECKS = 0"))
        for name in tables:
            connection.execute(sa.delete(sa.table(name)))
        connection.execute(sa.text("SET FOREIGN_KEY_CHECKS = 1"))


@pytest.fixture
def committed_session(engine, app, redis):
    """A normal session on the engine: what it commits, every thread sees.

    The app's requests use ordinary committing sessions too; all tables are emptied after.
    """
    session = get_session_factory(engine)()
    factories.bind(session)
    yield session
    factories.bind(None)
    session.close()
    empty_all_tables(engine)


@pytest.fixture(scope="session")
def plugin_app(app_settings, engine):
    """The app with only the test plugin enabled (tests/testplugin)."""
    return build_app({**app_settings, "quizcore.plugins": "tests.testplugin"}, engine)


@pytest.fixture
def plugin_testapp(plugin_app, dbsession) -> webtest.TestApp:
    return webtest.TestApp(plugin_app, extra_environ={"REMOTE_ADDR": "127.0.0.1"})


_VARIANTS: dict = {}


@pytest.fixture
def app_with(app_settings, engine, app, dbsession):
    """``app_with(**settings)`` -> a TestApp of the app built with those settings (built once
    per run), bound to this test's rolled-back connection like ``testapp``. Values are
    given as the ini would (anything is turned into a string); ``redis_client`` hands in a
    Redis client of its own."""
    def make(redis_client=None, **overrides):
        overrides = {key: str(value) for key, value in overrides.items()}
        key = (tuple(sorted(overrides.items())), id(redis_client))
        if key not in _VARIANTS:
            _VARIANTS[key] = build_app({**app_settings, **overrides}, engine, redis_client)
        variant = _VARIANTS[key]
        variant.registry["dbsession_factory"] = app.registry["dbsession_factory"]
        return webtest.TestApp(variant, extra_environ={"REMOTE_ADDR": "127.0.0.1"})
    return make


@pytest.fixture
def committed_app(app, committed_session) -> webtest.TestApp:
    return webtest.TestApp(app, extra_environ={"REMOTE_ADDR": "127.0.0.1"})


# -- people ----------------------------------------------------------------------------------


@pytest.fixture
def admin(dbsession):
    return factories.AdminFactory()


@pytest.fixture
def teacher(dbsession):
    return factories.TeacherFactory()


@pytest.fixture
def other_teacher(dbsession):
    return factories.TeacherFactory()


@pytest.fixture
def school_class(dbsession, teacher):
    school_class = factories.ClassFactory()
    factories.TeacherClassFactory(teacher=teacher, school_class=school_class)
    return school_class


@pytest.fixture
def student(dbsession, school_class):
    return factories.StudentFactory(school_class=school_class)


@pytest.fixture
def other_student(dbsession):
    return factories.StudentFactory(school_class=factories.ClassFactory())


@pytest.fixture
def auth(registry):
    """``auth(user)`` -> headers with a valid access token for that user."""
    return lambda user: auth_headers(registry, user)
