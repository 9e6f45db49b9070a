"""The attempt clock: deadlines, the grace period, remaining time, storable timestamps.

The server is the clock. An attempt's deadline is fixed when it starts,
``min(started_at + time limit, quiz end_date)``, and stored in ``quiz_attempts.deadline_at``
so that a later edit of the quiz cannot move it. Saves are accepted until the deadline plus a
short grace period (``quizcore.answer_grace_seconds``) because a save the browser sent just
before the deadline may arrive just after it; an attempt is expired (and auto-submitted) only
once the grace period is over too, so no such save is refused by an early sweep.

All datetimes are naive UTC, the form stored in the TIMESTAMP columns.
"""

from __future__ import annotations

import datetime as dt
import math

from ..models import AttemptStatus
from ..wire import iso  # noqa: F401 - re-exported: the domain formats its timestamps with it

#: MySQL TIMESTAMP columns hold 1970-01-01 00:00:01 .. 2038-01-19 03:14:07 UTC.
TIMESTAMP_MIN = dt.datetime(1970, 1, 1, 0, 0, 1)
TIMESTAMP_MAX = dt.datetime(2038, 1, 19, 3, 14, 7)
#: Dates accepted from users end with 2037, leaving room for deadlines computed from them.
INPUT_MAX = dt.datetime(2037, 12, 31, 23, 59, 59, 999999)

#: Where ``now`` lies in a quiz's window (:func:`window_state`).
UPCOMING, OPEN, CLOSED = "upcoming", "open", "closed"

#: Why a save is refused (the ``reason`` of the 409).
SUBMITTED = "submitted"
TIME_OVER = "time_over"


def to_naive_utc(value: dt.datetime) -> dt.datetime:
    """Aware datetimes are converted to UTC; naive ones are taken as UTC already."""
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def storable(value: dt.datetime) -> bool:
    """True when a date given by a user (naive UTC) may be stored: from 1970 (the first
    second TIMESTAMP holds) to the end of 2037."""
    return TIMESTAMP_MIN <= value <= INPUT_MAX


def window_state(start: dt.datetime | None, end: dt.datetime | None,
                 now: dt.datetime) -> str:
    """``upcoming`` before ``start``, ``closed`` from ``end`` on, else ``open`` (a missing
    bound is no bound). The window opens at ``start`` and closes at ``end``."""
    if start is not None and now < start:
        return UPCOMING
    if end is not None and now >= end:
        return CLOSED
    return OPEN


def compute_deadline(started_at: dt.datetime, time_limit_minutes: int,
                     end_date: dt.datetime | None) -> dt.datetime:
    """``min(started_at + time limit, end_date)``: when an attempt started now must end."""
    deadline = started_at + dt.timedelta(minutes=time_limit_minutes)
    if end_date is not None and end_date < deadline:
        deadline = end_date
    return min(deadline, TIMESTAMP_MAX)


def seconds_remaining(deadline: dt.datetime | None, now: dt.datetime) -> int:
    """Whole seconds left before ``deadline`` (never negative; rounded up so a client never
    shows 0 while time remains)."""
    if deadline is None:
        return 0
    return max(0, math.ceil((deadline - now).total_seconds()))


def accepts_saves_until(deadline: dt.datetime, grace_seconds: int) -> dt.datetime:
    """The last moment a save is accepted: the deadline plus the grace period."""
    return deadline + dt.timedelta(seconds=grace_seconds)


def save_refusal(status: AttemptStatus | str, deadline: dt.datetime | None,
                 now: dt.datetime, grace_seconds: int) -> str | None:
    """Why an answer may not be saved now (:data:`SUBMITTED`, :data:`TIME_OVER`), or None."""
    if status != AttemptStatus.IN_PROGRESS:
        return SUBMITTED
    if deadline is not None and now > accepts_saves_until(deadline, grace_seconds):
        return TIME_OVER
    return None


def is_expired(status: AttemptStatus | str, deadline: dt.datetime | None, now: dt.datetime,
               grace_seconds: int) -> bool:
    """An in-progress attempt whose deadline and grace period are both over: it must be
    auto-submitted (lazily when touched, or by the sweeper)."""
    return (status == AttemptStatus.IN_PROGRESS and deadline is not None
            and now > accepts_saves_until(deadline, grace_seconds))


def expiry_cutoff(now: dt.datetime, grace_seconds: int) -> dt.datetime:
    """Attempts whose deadline is before this moment are expired (see :func:`is_expired`)."""
    return now - dt.timedelta(seconds=grace_seconds)


def auto_submitted_at(deadline: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    """``submitted_at`` of an attempt ended by its deadline: the deadline, not the moment the
    server noticed (never later than now)."""
    if deadline is None:
        return now
    return min(deadline, now)
