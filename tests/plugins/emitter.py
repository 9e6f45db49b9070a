"""A test-only plugin that emits domain events on request, then commits or fails.

``POST /api/test-emitter/{outcome}`` with ``{"events": [{"event": "QuizPublished",
"fields": {...}}, ...]}`` emits each event in the request's transaction (the signed-in user,
if any, is the actor), then:

* ``commit`` answers 200 and the transaction commits;
* ``fail`` raises after the events were emitted (500: everything rolls back);
* ``veto`` lets an in-transaction subscriber of this plugin refuse the change (409).

It stands in for core endpoints where the behaviour under test is the plugins' reaction to
an event, and it is how the tests prove that a failed transaction leaves neither
notifications nor audit rows.
"""

from __future__ import annotations

import datetime as dt

from pyramid import httpexceptions as exc

from quizcore import events
from quizcore.errors import http_error
from quizcore.models import utcnow
from quizcore.rest import NO_PERMISSION_REQUIRED, Service

EMITTER_PLUGIN = "tests.plugins.emitter"

emitter = Service(name="testemitter", path="/api/test-emitter/{outcome}",
                  description="Emit domain events, then commit, fail or be vetoed")


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
    request.environ["testemitter.veto"] = outcome == "veto"
    for item in request.json_body["events"]:
        events.emit(request, _event(item))
    if outcome == "fail":
        raise RuntimeError("failure after the events were emitted")
    return {"emitted": len(request.json_body["events"])}


def veto(event):
    """Runs in the transaction like the plugins' subscribers; raising undoes everything."""
    if event.request is not None and event.request.environ.get("testemitter.veto"):
        raise http_error(exc.HTTPConflict, "Vetoed by a subscriber.", "Conflict")


def includeme(config):
    config.add_subscriber(veto, events.DomainEvent)
    config.add_cornice_service(emitter)
