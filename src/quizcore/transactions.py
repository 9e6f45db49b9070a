"""What a database session carries for the domain, and work that waits for its commit.

Every session quizcore hands out (``request.dbsession``, the session of a ``quizctl``
command) is joined to a transaction manager and knows the application's registry. Domain
functions take only the session; through it they reach the settings, the shared Redis
client and the event bus, without knowing whether an HTTP request, a script or a test made
it. Nothing here imports Pyramid.

:func:`after_commit` is the one way to defer a side effect (publishing to Redis, sending
mail, remembering an idempotency key, dropping a cache entry) until the data it describes
is committed: it runs only if the transaction commits, never after a rollback or for a
retried try, and its errors are logged, never raised into the response.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

import zope.sqlalchemy
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

REGISTRY_KEY = "quizcore.registry"
TRANSACTION_MANAGER_KEY = "quizcore.transaction_manager"
REQUEST_KEY = "request"


def bind_session(session: Session, *, registry, transaction_manager, request=None) -> Session:
    """Record on ``session`` the registry and transaction manager it works for."""
    session.info[REGISTRY_KEY] = registry
    session.info[TRANSACTION_MANAGER_KEY] = transaction_manager
    session.info[REQUEST_KEY] = request
    return session


def registry_of(session: Session):
    """The application registry (settings, ``notify``, shared clients) of ``session``."""
    return session.info[REGISTRY_KEY]


def settings_of(session: Session) -> Mapping[str, Any]:
    return registry_of(session).settings


def redis_of(session: Session):
    """The application's Redis client (``registry["redis"]``)."""
    return registry_of(session)["redis"]


def origin_of(session: Session):
    """The HTTP request the session serves, or None (a script, the sweeper). For audit
    records (client address, user agent) only; domain rules never depend on it."""
    return session.info.get(REQUEST_KEY)


def transaction_of(session: Session):
    """The transaction the session's work belongs to now."""
    return session.info[TRANSACTION_MANAGER_KEY].get()


def mark_changed(session: Session) -> None:
    """Tell the transaction that a Core statement (``session.execute(insert(...))``) wrote:
    zope.sqlalchemy cannot see those and would otherwise roll the transaction back as
    read-only."""
    zope.sqlalchemy.mark_changed(session, transaction_manager=session.info[
        TRANSACTION_MANAGER_KEY])


def _run_if_committed(committed: bool, callback: Callable[..., Any], args: tuple) -> None:
    if not committed:
        return
    try:
        callback(*args)
    except Exception:  # noqa: BLE001 - after-commit work must never break the response
        log.exception("After-commit work %s failed", getattr(callback, "__qualname__", callback))


def after_commit(session: Session, callback: Callable[..., Any], *args: Any) -> None:
    """Call ``callback(*args)`` once the session's current transaction has committed."""
    transaction_of(session).addAfterCommitHook(_run_if_committed, args=(callback, args))


def pending_until_commit(session: Session, key: object,
                         flush: Callable[[list], Any]) -> list:
    """A list kept on the current transaction under ``key`` (a module-level object); after a
    commit ``flush(items)`` runs once with everything appended to it.

    The list lives on the transaction itself: pyramid_retry runs a retried request in a new
    transaction, and the sweeper runs many one after another on one session, so the items
    of a failed try are dropped with it and a new transaction never sees an old one's list.
    """
    txn = transaction_of(session)
    try:
        return txn.data(key)
    except KeyError:
        items: list = []
        txn.set_data(key, items)
        txn.addAfterCommitHook(_run_if_committed, args=(flush, (items,)))
        return items
