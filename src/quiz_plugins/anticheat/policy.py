"""The anti-cheat rules: which reports count, and when an attempt ends. Pure functions.

* **Types.** The seven violation types of the schema (``tab_switch``, ``fullscreen_exit``,
  ``copy_attempt``, ``paste_attempt``, ``right_click``, ``focus_lost``,
  ``multiple_windows``), case-insensitive, plus the spellings older exam pages send:
  ``WINDOW_FOCUS_LOST`` (focus_lost), ``FULLSCREEN_EXIT_ATTEMPT`` and
  ``FULLSCREEN_EXIT_FINAL`` (fullscreen_exit).
* **Debounce.** Browsers often fire two listeners for one event (``blur`` and
  ``visibilitychange`` for one tab switch). A report of the same type as a *counted* report
  of the same attempt less than ``debounce_seconds`` before it is stored for the record but
  does not count. Measuring from the last counted report (not the last report) means a
  browser that keeps firing still counts once per window, instead of never again.
* **Threshold.** When the counted reports of an attempt reach ``threshold``, the attempt is
  auto-submitted (and graded) in the same transaction.
* **Severity** is the client's when it sends one, else the default of the type (settings).
* **Metadata** is a JSON object of at most ``max_metadata_bytes`` (serialised compactly).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from quizcore.models import Severity, ViolationType

TYPES = tuple(kind.value for kind in ViolationType)
#: Other spellings accepted (compared case-insensitively), never the canonical form.
ALIASES = {
    "window_focus_lost": ViolationType.FOCUS_LOST,
    "fullscreen_exit_attempt": ViolationType.FULLSCREEN_EXIT,
    "fullscreen_exit_final": ViolationType.FULLSCREEN_EXIT,
}
SEVERITIES = tuple(level.value for level in Severity)

#: Defaults of ``quizcore.anticheat.severity.<type>``.
DEFAULT_SEVERITIES = {
    ViolationType.TAB_SWITCH: Severity.MEDIUM,
    ViolationType.FULLSCREEN_EXIT: Severity.MEDIUM,
    ViolationType.COPY_ATTEMPT: Severity.HIGH,
    ViolationType.PASTE_ATTEMPT: Severity.HIGH,
    ViolationType.RIGHT_CLICK: Severity.LOW,
    ViolationType.FOCUS_LOST: Severity.LOW,
    ViolationType.MULTIPLE_WINDOWS: Severity.HIGH,
}


def accepted_types_text() -> str:
    return (", ".join(TYPES) + " (also accepted: "
            + ", ".join(alias.upper() for alias in ALIASES) + "; any case)")


def parse_type(value: str) -> ViolationType | None:
    """The violation type a client meant, or None when it is not one."""
    text = value.strip().lower()
    if text in ALIASES:
        return ALIASES[text]
    try:
        return ViolationType(text)
    except ValueError:
        return None


@dataclass(frozen=True)
class Policy:
    """The anti-cheat settings of the running application."""

    threshold: int = 3
    debounce_seconds: float = 2.0
    max_metadata_bytes: int = 4096
    severities: Mapping[ViolationType, Severity] = field(
        default_factory=lambda: dict(DEFAULT_SEVERITIES))

    def severity_of(self, kind: ViolationType, sent: Severity | None = None) -> Severity:
        """The client's severity when it sent one, else the type's default."""
        return sent if sent is not None else self.severities[kind]

    @property
    def debounce(self) -> dt.timedelta:
        return dt.timedelta(seconds=self.debounce_seconds)


def is_debounced(last_counted_at: dt.datetime | None, now: dt.datetime,
                 window: dt.timedelta) -> bool:
    """Is a report at ``now`` a repeat of the counted one at ``last_counted_at``? A window of
    zero switches the debounce off."""
    return bool(window) and last_counted_at is not None and now - last_counted_at < window


@dataclass(frozen=True)
class Decision:
    counted: bool
    #: The attempt's counted reports after this one.
    total_violations: int
    auto_submit: bool


def decide(total_before: int, last_counted_at: dt.datetime | None, now: dt.datetime,
           policy: Policy) -> Decision:
    """What a new report does: count (or not, when debounced) and maybe end the attempt."""
    counted = not is_debounced(last_counted_at, now, policy.debounce)
    total = total_before + (1 if counted else 0)
    return Decision(counted, total, counted and total >= policy.threshold)


def metadata_problem(metadata: Any, limit: int) -> str | None:
    """Why ``metadata`` cannot be stored, or None. Its size is that of its compact JSON."""
    if metadata is None:
        return None
    if not isinstance(metadata, dict):
        return "metadata must be a JSON object."
    try:
        stored = json.dumps(metadata, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError):
        return "metadata must be plain JSON (no NaN or Infinity)."
    if len(stored.encode()) > limit:
        return f"metadata is larger than {limit} bytes."
    return None
