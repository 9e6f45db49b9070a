"""Database wiring: one engine per application, a session per request joined to pyramid_tm.

``request.dbsession`` is the request's session; it commits or rolls back with the request
(pyramid_tm). Deadlocks and lock-wait timeouts are retried by pyramid_retry.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
import zope.sqlalchemy
from sqlalchemy.orm import Session, sessionmaker

from .transactions import bind_session

log = logging.getLogger(__name__)

#: MySQL/MariaDB error codes worth retrying the whole request for.
RETRYABLE_MYSQL_ERRORS = frozenset({1213, 1205})  # deadlock, lock wait timeout


def _register_mysqlclient_retryable_errors() -> None:
    """Tell zope.sqlalchemy that mysqlclient deadlocks are transient.

    zope.sqlalchemy 4.1 knows PyMySQL's deadlock error but not mysqlclient's. Its list of
    retryable errors is module state, not public API (hence the exact pin in pyproject).
    """
    try:
        import MySQLdb
    except ImportError:  # pragma: no cover - SQLite-only installs
        return
    from zope.sqlalchemy import datamanager

    entry = (MySQLdb.OperationalError, lambda exc: exc.args[0] in RETRYABLE_MYSQL_ERRORS)
    if not any(error_type is MySQLdb.OperationalError for error_type, _ in
               datamanager._retryable_errors):
        datamanager._retryable_errors.append(entry)


def is_mysql(engine_or_session) -> bool:
    bind = engine_or_session.get_bind() if isinstance(engine_or_session, Session) \
        else engine_or_session
    return bind.dialect.name in ("mysql", "mariadb")


def _on_sqlite_connect(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


#: ``connection_record.info`` key: True while the DBAPI connection has no transaction open
#: (SQLAlchemy just committed or rolled it back), False once a transaction begins.
_ENDED = "quizcore.transaction_ended"


def _checked_out(_dbapi_connection, record, _proxy) -> None:
    # Whatever a borrower does with the raw connection, it is reset unless SQLAlchemy is
    # seen ending its transaction.
    record.info[_ENDED] = False


def _transaction_began(connection) -> None:
    connection.connection.info[_ENDED] = False


def _transaction_ended(connection) -> None:
    connection.connection.info[_ENDED] = True


def _reset_on_return(dbapi_connection, record, _reset_state) -> None:
    """The pool's reset of a connection coming back: a ROLLBACK, unless SQLAlchemy ended
    the connection's last transaction itself and none began since. Every request's session
    commits or rolls back before it closes, so the pool's default ROLLBACK was one more
    round trip per request, for nothing. (SQLAlchemy's "Reset On Return" documentation
    describes replacing the reset with a ``reset`` event like this one.)"""
    if not record.info.get(_ENDED):
        dbapi_connection.rollback()
    record.info[_ENDED] = True


def make_engine(url: str, **overrides) -> sa.Engine:
    """Create the engine with the options quizcore relies on for each backend."""
    url_obj = sa.make_url(url)
    # Statement parameters (password hashes, token hashes) never appear in logged errors.
    kwargs: dict = {"future": True, "hide_parameters": True}
    if url_obj.get_backend_name() in ("mysql", "mariadb"):
        # Timestamps are stored as UTC; TIMESTAMP columns convert with the session time
        # zone, so pin it. Strict mode turns silent truncation into errors.
        kwargs.update(
            pool_pre_ping=True,
            pool_recycle=3600,
            pool_size=10,
            max_overflow=20,
            # See _reset_on_return: the pool rolls back only what SQLAlchemy did not.
            pool_reset_on_return=None,
            isolation_level="READ COMMITTED",
            connect_args={
                "charset": "utf8mb4",
                "init_command": "SET time_zone = '+00:00', "
                                "sql_mode = 'STRICT_TRANS_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,"
                                "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'",
            },
        )
    elif url_obj.get_backend_name() == "sqlite":
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 10}
    kwargs.update(overrides)
    if "poolclass" in overrides:
        kwargs.pop("pool_size", None)
        kwargs.pop("max_overflow", None)
    engine = sa.create_engine(url_obj, **kwargs)
    if kwargs.get("pool_reset_on_return", "rollback") is None:
        sa.event.listen(engine, "checkout", _checked_out)
        sa.event.listen(engine, "begin", _transaction_began)
        sa.event.listen(engine, "commit", _transaction_ended)
        sa.event.listen(engine, "rollback", _transaction_ended)
        sa.event.listen(engine, "reset", _reset_on_return)
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _on_sqlite_connect)
    return engine


def get_session_factory(engine: sa.Engine) -> sessionmaker:
    return sessionmaker(bind=engine, expire_on_commit=False)


def get_tm_session(session_factory, transaction_manager, registry, request=None) -> Session:
    """A session joined to ``transaction_manager``: it commits when the transaction does.
    It carries the registry for the domain (:mod:`quizcore.transactions`)."""
    dbsession = session_factory()
    bind_session(dbsession, registry=registry, transaction_manager=transaction_manager,
                 request=request)
    zope.sqlalchemy.register(dbsession, transaction_manager=transaction_manager)
    return dbsession


def includeme(config):
    """Engine, session factory, ``request.dbsession``, pyramid_tm and pyramid_retry."""
    settings = config.get_settings()
    settings["tm.manager_hook"] = "pyramid_tm.explicit_manager"
    # pyramid_tm's annotate_user reads request.authenticated_userid (a database query) in
    # its own tween, above the exception views: a database outage there escaped as a bare
    # HTML 500 instead of the JSON 503 of quizcore.errors. The user is not needed there.
    settings.setdefault("tm.annotate_user", False)
    settings.setdefault("retry.attempts", 3)
    _register_mysqlclient_retryable_errors()

    config.include("pyramid_tm")
    config.include("pyramid_retry")

    engine = config.registry.get("dbengine") or make_engine(settings["sqlalchemy.url"])
    session_factory = config.registry.get("dbsession_factory") or get_session_factory(engine)
    config.registry["dbengine"] = engine
    config.registry["dbsession_factory"] = session_factory

    def dbsession(request):
        # The factory is looked up per request so tests can bind it to a connection whose
        # outer transaction they roll back.
        return get_tm_session(request.registry["dbsession_factory"], request.tm,
                              request.registry, request=request)

    config.add_request_method(dbsession, reify=True)
