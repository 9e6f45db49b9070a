"""Anti-cheat: violation reports from the exam page, the threshold that ends an attempt.

The exam page reports what it notices (tab switches, leaving full screen, copy/paste...)
with ``POST /api/attempts/{id}/violations``. Repeats of one type within the debounce window
are kept but not counted; the report that brings the attempt's count to the threshold
auto-submits it through the core (``auto_submit_attempt``, reason "violations"), which
grades it through the grading hook whether or not a grading plugin is enabled. Teachers read
``GET /api/quizzes/{id}/violations``; the core's attempt detail lists each report.
The Quizmaster SPA's ``POST /api/attempts/{id}/log-violation`` (its labels) is :mod:`.spa`.
The rules are in :mod:`.policy`, the recording in :mod:`.violations`.

Without this plugin both endpoints answer 404 and nothing else changes.
"""

from __future__ import annotations

from quizcore.models import Severity, ViolationType
from quizcore.settings import Setting, SettingsError, as_float, as_int, one_of

from .policy import DEFAULT_SEVERITIES, SEVERITIES, Policy
from .spa import SPA_SERVICES, log_violation, verify_access_code
from .views import POLICY_KEY, SERVICES, attempt_violations

PREFIX = "quizcore.anticheat."

SETTINGS = (
    Setting(PREFIX + "threshold", 3, as_int(1, 1000),
            "counted violations that auto-submit an attempt"),
    Setting(PREFIX + "debounce_seconds", 2.0, as_float(0),
            "a report of the same type this soon after a counted one is stored, not counted"),
    Setting(PREFIX + "max_metadata_bytes", 4096, as_int(0, 65_535),
            "largest metadata object accepted with a report (compact JSON)"),
) + tuple(
    Setting(f"{PREFIX}severity.{kind.value}", DEFAULT_SEVERITIES[kind].value,
            one_of(*SEVERITIES), f"severity of {kind.value} reports that send none")
    for kind in ViolationType
)


def includeme(config):
    """Registers ``POST /api/attempts/{id}/violations`` and ``GET /api/quizzes/{id}/violations``.

    Settings (environment overrides as everywhere, e.g. ``QUIZCORE_ANTICHEAT_THRESHOLD``):
    ``quizcore.anticheat.threshold`` (3), ``quizcore.anticheat.debounce_seconds`` (2),
    ``quizcore.anticheat.max_metadata_bytes`` (4096) and one
    ``quizcore.anticheat.severity.<type>`` per violation type (low | medium | high).
    """
    values = config.add_settings_spec(SETTINGS)
    if not values[PREFIX + "debounce_seconds"] < 24 * 3600:
        # A window of days is a mistake, and a huge one would overflow the date arithmetic.
        raise SettingsError(f"Setting {PREFIX}debounce_seconds must be under a day.")
    config.registry[POLICY_KEY] = Policy(
        threshold=values[PREFIX + "threshold"],
        debounce_seconds=values[PREFIX + "debounce_seconds"],
        max_metadata_bytes=values[PREFIX + "max_metadata_bytes"],
        severities={kind: Severity(values[f"{PREFIX}severity.{kind.value}"])
                    for kind in ViolationType})
    for service in (*SERVICES, *SPA_SERVICES):
        config.add_cornice_service(service)
    # a report after the attempt was submitted
    for service in (attempt_violations, log_violation):
        config.add_operation_statuses(service, "POST", statuses=(409,))
    # a wrong code; too many wrong codes
    config.add_operation_statuses(verify_access_code, "POST", statuses=(403, 429))
