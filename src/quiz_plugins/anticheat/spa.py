"""``POST /api/attempts/{id}/log-violation``: the Quizmaster SPA's violation report.

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

from quizcore.errors import bad_request, committing_refusals
from quizcore.models import ViolationType
from quizcore.rest import Service, validator
from quizcore.schemas.common import optional

from .policy import Policy, metadata_problem, parse_type
from .schemas import AttemptPath
from .views import POLICY_KEY, record_and_answer
from .violations import Report

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
