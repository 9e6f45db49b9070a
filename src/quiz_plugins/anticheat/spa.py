"""The Quizmaster SPA's anti-cheat calls.

* ``POST /api/attempts/{id}/log-violation``: its violation report (below);
* ``POST /api/attempts/{id}/verify-access-code``: ``{accessCode, deviceInfo}``, the quiz's
  access code re-entered on the exam page; a wrong code counts as a failed login of the
  client address and of the attempt (``quizcore.ratelimit_login_per_ip`` and
  ``_per_account``: 429 with Retry-After past them) and answers 403, not 401 (the SPA takes
  any 401 for an expired session, refreshes, and signs the student out);
* ``GET /api/attempts/{id}/violation-report`` and ``GET /api/attempts/{id}/device-info``:
  ``{data: ...}`` for whoever may see the attempt (``quizcore.domain.visibility``).


That SPA's exam page (``AntiCheatSystem``) sends ``{violation_type, timestamp, details}``
(its own Flask backend read ``type``; both are accepted) with labels of its own. Each label
with a canonical counterpart is recorded exactly as ``POST /api/attempts/{id}/violations``
records it (same debounce, threshold, auto-submit and events); a label with none
(``DEVELOPER_TOOLS``, ``INVALID_ACCESS_CODE``, a ``KEYBOARD_SHORTCUT`` other than copy, cut or
paste) is answered 200 with ``recorded: false`` and stores nothing, since the seven violation
types are the whole record a teacher reads.
"""

from __future__ import annotations

import colander
from pyramid import httpexceptions as exc

from quizcore.errors import bad_request, committing_refusals, http_error
from quizcore.models import ViolationType
from quizcore.ratelimit import client_address, too_many_requests
from quizcore.rest import Service, iso, validator
from quizcore.schemas.common import optional

from .policy import Policy, metadata_problem, parse_type
from .schemas import AttemptPath
from .views import POLICY_KEY, record_and_answer
from .violations import (
    Report,
    access_code_matches,
    attempt_report,
    attempt_seen_by,
    device_info,
)

#: The SPA's labels, upper-cased, onto the canonical types (None: no counterpart).
SPA_LABELS: dict[str, ViolationType | None] = {
    "TAB_SWITCH": ViolationType.TAB_SWITCH,
    # fired by the same visibilitychange as TAB_SWITCH: the debounce keeps it uncounted
    "TAB_DETECTED": ViolationType.TAB_SWITCH,
    "WINDOW_FOCUS_LOST": ViolationType.FOCUS_LOST,
    "RIGHT_CLICK": ViolationType.RIGHT_CLICK,
    "FULLSCREEN_EXIT_ATTEMPT": ViolationType.FULLSCREEN_EXIT,
    "FULLSCREEN_EXIT_FINAL": ViolationType.FULLSCREEN_EXIT,
    "DEVELOPER_TOOLS": None,
    "INVALID_ACCESS_CODE": None,
}
#: ``KEYBOARD_SHORTCUT`` by ``details.key``; other keys have no counterpart.
SHORTCUT_KEYS = {"c": ViolationType.COPY_ATTEMPT, "x": ViolationType.COPY_ATTEMPT,
                 "v": ViolationType.PASTE_ATTEMPT}
MAX_LABEL = 64

verify_access_code = Service(
    name="anticheat_spa_verify_access_code", path="/api/attempts/{id}/verify-access-code",
    description="SPA compat: check the quiz's access code re-entered on the exam page "
                "(wrong codes are rate-limited like failed logins).")
violation_report = Service(
    name="anticheat_spa_violation_report", path="/api/attempts/{id}/violation-report",
    description="SPA compat: an attempt's violation reports and device information.")
attempt_device_info = Service(
    name="anticheat_spa_device_info", path="/api/attempts/{id}/device-info",
    description="SPA compat: the address and user agent that started an attempt.")
log_violation = Service(
    name="anticheat_spa_log_violation", path="/api/attempts/{id}/log-violation",
    description="SPA compat: the Quizmaster SPA's violation report (its labels mapped onto "
                "the violation types; one without a counterpart answers recorded=false).")


class SpaViolationBody(colander.MappingSchema):
    violation_type = optional(colander.String(), "the SPA's label (e.g. TAB_SWITCH)",
                              validator=colander.Length(1, MAX_LABEL))
    type = optional(colander.String(), "the same, as the SPA's Flask backend named it",
                    validator=colander.Length(1, MAX_LABEL))
    details = optional(colander.Mapping(unknown="preserve"),
                       "a JSON object of details (size-limited), stored as metadata")
    timestamp = optional(colander.String(), "the browser's time (not used: the server's "
                         "time is recorded)", validator=colander.Length(max=64))


class SpaViolationRequest(colander.MappingSchema):
    path = AttemptPath()
    body = SpaViolationBody()


def canonical_type(label: str, details: dict | None) -> ViolationType | None:
    """The violation type an SPA label means, or None when it has no counterpart.
    Raises ``KeyError`` for a label that is neither the SPA's nor a canonical one."""
    text = label.strip().upper()
    if text == "KEYBOARD_SHORTCUT":
        key = (details or {}).get("key")
        return SHORTCUT_KEYS.get(key.lower()) if isinstance(key, str) else None
    if text in SPA_LABELS:
        return SPA_LABELS[text]
    kind = parse_type(label)
    if kind is None:
        raise KeyError(label)
    return kind


@log_violation.post(permission="study", schema=SpaViolationRequest(),
                    validators=(validator,), content_type=("application/json",),
                    tags=["spa-compat"])
@committing_refusals
def log_violation_for_spa(request):
    """The canonical report's answer plus ``recorded`` (true), or ``{recorded: false,
    violation_type: null, message}`` for a label without a counterpart."""
    body = request.validated["body"]
    label = body.get("violation_type", body.get("type"))
    if label is None:
        raise bad_request("violation_type (or type) is required.", name="violation_type")
    details = body.get("details")
    policy: Policy = request.registry[POLICY_KEY]
    problem = metadata_problem(details, policy.max_metadata_bytes)
    if problem:
        raise bad_request(problem, name="details")
    try:
        kind = canonical_type(label, details)
    except KeyError:
        raise bad_request(f"Unknown violation type {label!r}.", name="violation_type") \
            from None
    if kind is None:
        return {"recorded": False, "violation_type": None, "counted": False,
                "message": f"{label} is not one of the violation types; not recorded."}
    answer = record_and_answer(request, Report(kind, None, None, details))
    return {**answer, "recorded": True}


class AccessCodeBody(colander.MappingSchema):
    accessCode = colander.SchemaNode(colander.String(), validator=colander.Length(1, 64),
                                     description="the code the student typed")
    deviceInfo = optional(colander.Mapping(unknown="preserve"),
                          "the browser's own description (not stored: the server records "
                          "the address and user agent that started the attempt)")


class AccessCodeRequest(colander.MappingSchema):
    path = AttemptPath()
    body = AccessCodeBody()


class AttemptRequest(colander.MappingSchema):
    path = AttemptPath()


@verify_access_code.post(permission="study", schema=AccessCodeRequest(),
                         validators=(validator,), content_type=("application/json",),
                         tags=["spa-compat"])
def verify_access_code_for_spa(request):
    """``{message, verified: true}``; 403 (reason ``invalid_access_code``) for a wrong code."""
    attempt_id = request.validated["path"]["id"]
    keys = (("login_per_ip", client_address(request)),
            ("login_per_account", "attempt-code:" + attempt_id))
    for rule, key in keys:
        limited = request.ratelimits.test(rule, key)
        if limited is not None:
            raise too_many_requests(limited)
    if access_code_matches(request.dbsession, request.identity, attempt_id,
                           request.validated["body"]["accessCode"]):
        return {"message": "Access verified successfully", "verified": True}
    for rule, key in keys:
        request.ratelimits.hit(rule, key)
    raise http_error(exc.HTTPForbidden, "Invalid access code.", "Invalid access code",
                     reason="invalid_access_code")


@violation_report.get(permission="view", schema=AttemptRequest(), validators=(validator,),
                      tags=["spa-compat"])
def get_violation_report(request):
    """``data``: ``attempt_id``, ``student_id``, ``quiz_id``, ``total_violations``,
    ``auto_submitted``, ``violations`` (``type``, ``timestamp``, ``counted``...) and
    ``device_info``."""
    session = request.dbsession
    report = attempt_report(session, attempt_seen_by(session, request.user,
                                                     request.validated["path"]["id"]))
    for row in report["violations"]:
        row["timestamp"] = iso(row["timestamp"])
    report["device_info"] = _iso_times(report["device_info"])
    return {"data": report}


@attempt_device_info.get(permission="view", schema=AttemptRequest(), validators=(validator,),
                         tags=["spa-compat"])
def get_device_info(request):
    """``data``: ``ip_address``, ``user_agent``, ``started_at``, ``submitted_at``."""
    attempt = attempt_seen_by(request.dbsession, request.user, request.validated["path"]["id"])
    return {"data": _iso_times(device_info(attempt))}


def _iso_times(info: dict) -> dict:
    return {**info, "started_at": iso(info["started_at"]),
            "submitted_at": iso(info["submitted_at"])}


SPA_SERVICES = (log_violation, verify_access_code, violation_report, attempt_device_info)
