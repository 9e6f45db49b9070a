"""A test-only plugin that emits domain events on request, vetoes them, or breaks the commit.

* ``POST /api/test-emitter/{outcome}`` with ``{"events": [{"event": "QuizPublished",
  "fields": {...}}, ...]}`` emits each event in the request's transaction (the signed-in
  user, if any, is the actor), then: ``commit`` answers 200; ``fail`` raises after the events
  were emitted (500, everything rolls back); ``veto`` lets this plugin's in-transaction
  subscriber refuse the change (409).
* On any endpoint, the header ``X-Test-Veto: <event name>`` makes the same subscriber refuse
  that event (409), and ``X-Test-Fail-Commit: 1`` makes the commit itself fail (500) after
  every subscriber has run, the way a database refusing the commit does; as the commit
  starts, the rows in ``notifications`` and ``audit_logs`` are counted into
  ``registry["testemitter.written"]``, so a test can show they existed in the transaction
  and were rolled back.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from pyramid import httpexceptions as exc

from quizcore import events
from quizcore.errors import http_error
from quizcore.models import utcnow
from quizcore.rest import NO_PERMISSION_REQUIRED, Service, emit_for
from quizcore.transactions import origin_of

EMITTER_PLUGIN = "tests.plugins.emitter"

#: The plugins' tables, counted without their models: they exist whichever plugins are
#: installed (one schema), and this test plugin must not depend on either.
WRITTEN_TABLES = ("notifications", "audit_logs")

emitter = Service(name="testemitter", path="/api/test-emitter/{outcome}",
                  description="Emit domain events, then commit, fail or be vetoed")


class CommitRefused(Exception):
    """Raised while the transaction commits when ``X-Test-Fail-Commit`` is sent."""


class RefusingDataManager:
    """A transaction participant that votes no, as a database refusing the commit would.

    Its sort key puts it before the SQLAlchemy session's data manager, so the session has
    flushed but not committed when the vote fails; the transaction then aborts every
    participant (the session rolls back).
    """

    def __init__(self, transaction_manager):
        self.transaction_manager = transaction_manager

    def sortKey(self):  # noqa: N802 - the transaction package's name
        return "!testemitter"

    def tpc_vote(self, txn):
        raise CommitRefused("the commit was refused after the events were handled")

    def abort(self, txn):
        pass

    tpc_begin = commit = tpc_finish = tpc_abort = abort


def _event(item: dict) -> events.DomainEvent:
    cls = getattr(events, item["event"])
    fields = dict(item.get("fields", {}))
    if cls is events.AttemptSubmitted:
        fields.setdefault("submitted_at", utcnow())
    for name, value in fields.items():
        if name.endswith("_at") and isinstance(value, str):
            fields[name] = dt.datetime.fromisoformat(value)
    return cls(**fields)


@emitter.post(permission=NO_PERMISSION_REQUIRED)
def post_emit(request):
    outcome = request.matchdict["outcome"]
    request.environ["testemitter.veto_all"] = outcome == "veto"
    for item in request.json_body["events"]:
        emit_for(request, _event(item))
    if outcome == "fail":
        raise RuntimeError("failure after the events were emitted")
    return {"emitted": len(request.json_body["events"])}


def _count_written(request):
    session = request.dbsession
    session.flush()
    request.registry["testemitter.written"].append({
        name: session.scalar(sa.select(sa.func.count()).select_from(sa.table(name)))
        for name in WRITTEN_TABLES})


def veto(event):
    """Runs in the transaction like the plugins' subscribers; raising undoes everything."""
    request = origin_of(event.session)
    if request is None or not hasattr(request, "environ"):
        return
    if request.environ.get("testemitter.veto_all") or \
            request.headers.get("X-Test-Veto") == event.name:
        raise http_error(exc.HTTPConflict, "Vetoed by a subscriber.", "Conflict")
    if request.headers.get("X-Test-Fail-Commit") and \
            not request.environ.get("testemitter.hooked"):
        request.environ["testemitter.hooked"] = True
        txn = request.tm.get()
        txn.addBeforeCommitHook(_count_written, args=(request,))
        txn.join(RefusingDataManager(request.tm))


def includeme(config):
    config.registry["testemitter.written"] = []
    config.add_subscriber(veto, events.DomainEvent)
    config.add_cornice_service(emitter)
