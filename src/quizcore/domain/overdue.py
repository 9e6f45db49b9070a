"""When time runs out: a quiz's overdue handling (as Moodle's "when time expires").

Each quiz says what happens to an attempt still open at its deadline (``overdue_handling``):

* ``autosubmit`` (the default): the attempt is submitted with every saved answer and graded,
  as soon as the deadline and the network grace (``quizcore.answer_grace_seconds``) are over.
* ``graceperiod``: for ``grace_period_minutes`` after the deadline the student may still
  *submit* (answers can no longer change: saves are refused from the deadline plus the
  network grace on, as in every mode). At the end of the grace period (plus the network
  grace) the server submits the attempt as in ``autosubmit``.
* ``notcounted``: an attempt not submitted by its deadline (plus the network grace) is closed
  ungraded with status ``not_counted``: no score, it does not count, and its views say so.

The network grace is transport slack (a save sent just before the deadline may arrive just
after it) and applies in every mode; ``grace_period_minutes`` is the teacher's. All the
functions here are pure: they take the moments they compare, ``now`` included.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ..models import AttemptStatus
from .errors import Invalid

AUTOSUBMIT = "autosubmit"
GRACEPERIOD = "graceperiod"
NOTCOUNTED = "notcounted"
MODES = (AUTOSUBMIT, GRACEPERIOD, NOTCOUNTED)
DEFAULT_MODE = AUTOSUBMIT
#: The longest grace period a quiz may give (one day).
MAX_GRACE_MINUTES = 24 * 60


def grace_minutes(mode: str | None, minutes: int | None) -> int:
    """The teacher's grace period that applies: ``minutes`` in ``graceperiod`` mode, else 0."""
    return (minutes or 0) if mode == GRACEPERIOD else 0


def submit_until(deadline: dt.datetime, mode: str | None, minutes: int | None,
                 network_grace_seconds: int) -> dt.datetime:
    """The last moment the student's own submit counts as theirs; after it the attempt is
    expired (the server ends it: auto-submitted, or closed as not counted)."""
    return deadline + dt.timedelta(minutes=grace_minutes(mode, minutes),
                                   seconds=network_grace_seconds)


def is_expired(status: AttemptStatus | str, deadline: dt.datetime | None, now: dt.datetime, *,
               mode: str | None, minutes: int | None, network_grace_seconds: int) -> bool:
    """An in-progress attempt past :func:`submit_until`: the server must end it now."""
    return (status == AttemptStatus.IN_PROGRESS and deadline is not None
            and now > submit_until(deadline, mode, minutes, network_grace_seconds))


def in_grace_period(status: AttemptStatus | str, deadline: dt.datetime | None,
                    now: dt.datetime, *, mode: str | None, minutes: int | None,
                    network_grace_seconds: int) -> bool:
    """In progress, answers closed, yet the student may still submit (``graceperiod``)."""
    if status != AttemptStatus.IN_PROGRESS or deadline is None or mode != GRACEPERIOD:
        return False
    answers_close = deadline + dt.timedelta(seconds=network_grace_seconds)
    return answers_close < now <= submit_until(deadline, mode, minutes,
                                               network_grace_seconds)


def expired_status(mode: str | None) -> AttemptStatus:
    """The status of an attempt the server ended at its deadline under ``mode``."""
    return AttemptStatus.NOT_COUNTED if mode == NOTCOUNTED else AttemptStatus.AUTO_SUBMITTED


def clean(values: Mapping[str, Any], current_mode: str | None = None,
          current_minutes: int | None = None) -> dict[str, Any]:
    """Check ``overdue_handling`` / ``grace_period_minutes`` of a quiz create or update
    (absent keys keep ``current_*``); return both, cleaned.

    A grace period is only meaningful in ``graceperiod`` mode: giving minutes with another
    mode is refused, and that mode needs minutes (1..:data:`MAX_GRACE_MINUTES`). Leaving
    ``graceperiod`` clears the minutes.
    """
    mode = values.get("overdue_handling", current_mode) or DEFAULT_MODE
    if mode not in MODES:
        raise Invalid(f"overdue_handling must be one of {', '.join(MODES)}.",
                      field="overdue_handling")
    given = "grace_period_minutes" in values and values["grace_period_minutes"] is not None
    minutes = values["grace_period_minutes"] if given else (
        None if "grace_period_minutes" in values else current_minutes)
    if given:
        if isinstance(minutes, bool) or not isinstance(minutes, int):
            raise Invalid("grace_period_minutes must be a whole number of minutes.",
                          field="grace_period_minutes")
        if mode != GRACEPERIOD:
            raise Invalid("grace_period_minutes needs overdue_handling 'graceperiod'.",
                          field="grace_period_minutes")
        if not 1 <= minutes <= MAX_GRACE_MINUTES:
            raise Invalid(f"grace_period_minutes must be between 1 and {MAX_GRACE_MINUTES}.",
                          field="grace_period_minutes")
    if mode != GRACEPERIOD:
        return {"overdue_handling": mode, "grace_period_minutes": None}
    if minutes is None:
        raise Invalid("overdue_handling 'graceperiod' needs grace_period_minutes.",
                      field="grace_period_minutes")
    return {"overdue_handling": mode, "grace_period_minutes": minutes}
