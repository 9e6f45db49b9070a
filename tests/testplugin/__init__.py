"""A tiny plugin that proves the plugin machinery and the error/event paths.

Enabled by the tests that need it (``quizcore.plugins = tests.testplugin``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import colander
from pyramid import httpexceptions as exc

from quizcore.errors import http_error
from quizcore.events import AfterCommit, AttemptStarted, emit
from quizcore.rest import NO_PERMISSION_REQUIRED, Service, body_validator
from quizcore.settings import Setting, as_int
from quizcore.transactions import registry_of

ping = Service(name="testplugin_ping", path="/api/testplugin/ping", description="Plugin ping")
echo = Service(name="testplugin_echo", path="/api/testplugin/echo", description="Validated echo")
boom = Service(name="testplugin_boom", path="/api/testplugin/boom", description="Raises")
event = Service(name="testplugin_event", path="/api/testplugin/event/{outcome}",
                description="Emits a monitor event, then commits or fails")
conflict = Service(name="testplugin_conflict", path="/api/testplugin/conflict",
                   description="Answers 409")
private = Service(name="testplugin_private", path="/api/testplugin/private",
                  description="Needs a signed-in user (the default permission)")
admin_only = Service(name="testplugin_admin", path="/api/testplugin/admin",
                     description="Needs an admin")


class EchoBody(colander.MappingSchema):
    name = colander.SchemaNode(colander.String(), validator=colander.Length(min=1, max=20))
    count = colander.SchemaNode(colander.Integer(), validator=colander.Range(min=0))


@ping.get(permission=NO_PERMISSION_REQUIRED)
def get_ping(request):
    return {"pong": True, "answer": request.registry.settings["quizcore.testplugin.answer"],
            "at": dt.datetime(2026, 1, 2, 3, 4, 5), "score": Decimal("66.67")}


@echo.post(schema=EchoBody(), validators=(body_validator,), permission=NO_PERMISSION_REQUIRED)
def post_echo(request):
    return request.validated


@boom.get(permission=NO_PERMISSION_REQUIRED)
def get_boom(request):
    raise RuntimeError("secret internal detail")


@private.get()
def get_private(request):
    return {"user_id": request.user.id, "role": request.user.role}


@admin_only.get(permission="admin")
def get_admin_only(request):
    return {"ok": True}


@conflict.post(permission=NO_PERMISSION_REQUIRED)
def post_conflict(request):
    raise http_error(exc.HTTPConflict, "That already exists.", "Conflict")


@event.post(permission=NO_PERMISSION_REQUIRED)
def post_event(request):
    emit(request.dbsession, AttemptStarted(
        attempt_id="a1", quiz_id=request.params.get("quiz", "q1"), student_id="s1",
        student_name="Test Student", attempt_number=1, total_questions=3))
    if request.matchdict["outcome"] == "fail":
        raise RuntimeError("failure after the event was emitted")
    return {"emitted": True}


def veto_quiz(event):
    """An in-transaction subscriber may veto the change: the request rolls back."""
    if event.quiz_id == "veto":
        raise http_error(exc.HTTPConflict, "Vetoed by a subscriber.", "Conflict")


def count_after_commit(after):
    registry_of(after.event.session)["testplugin.after_commit"].append(after.event.name)


def includeme(config):
    config.add_settings_spec([Setting("quizcore.testplugin.answer", 42, as_int(0))])
    config.registry["testplugin.after_commit"] = []
    config.add_subscriber(veto_quiz, AttemptStarted)
    config.add_subscriber(count_after_commit, AfterCommit, for_event=AttemptStarted)
    for service in (ping, echo, boom, event, conflict, private, admin_only):
        config.add_cornice_service(service)
    config.add_operation_statuses(conflict, "POST", statuses=(409,))
