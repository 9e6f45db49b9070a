"""The deadline rules the exam storm checks the server against (pure functions, no I/O).

quizcore's rules (``src/quizcore/domain/overrides.py``, ``gates.py``, ``timing.py``,
``exam_control.py``), restated here so the storm checks them rather than reuses them:

* a student's own time limit is the quiz's limit times their accommodation
  (``students.time_multiplier``, two decimals), **rounded up to whole minutes**
  (``overrides.resolve``): 3 minutes × 1.5 = 5 minutes, not 4.5;
* an attempt's deadline is ``started_at`` + that limit (capped by the quiz's close date,
  which the storm sets hours away);
* ``POST /quizzes/{id}/extend {"minutes": N}`` moves the deadline of every attempt *in
  progress at that instant* to ``max(deadline, now) + N`` minutes; ended attempts keep theirs;
* a save is accepted while ``now <= deadline + grace`` (``quizcore.answer_grace_seconds``)
  and refused with 409 ``time_over`` after.

All moments are POSIX seconds (floats) on the one clock the clients and servers share (one
machine). The client knows an action's server instant only within ``[sent, received]``, so
the functions return bounds, never a guess.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

#: Float rounding of microsecond timestamps: comparisons allow this much.
TOLERANCE_S = 0.001


def own_limit_minutes(base_minutes: int, multiplier: float | str | Decimal) -> int:
    """The student's time limit in whole minutes: ``ceil(base × multiplier)``, at least 1.
    The multiplier is taken as the two-decimal number the database stores (so 1.1 × 10 is
    11, not the float 11.000000000000002 rounded up to 12)."""
    factor = Decimal(str(multiplier)).quantize(Decimal("0.01"))
    return max(1, math.ceil(Decimal(base_minutes) * factor))


@dataclass(frozen=True)
class Extension:
    """A whole-quiz extension as the teacher's client saw it."""

    minutes: int
    sent: float  # the request left the client
    received: float  # its 2xx answer arrived: the extension had committed


def in_progress_at(extension: Extension | None, ended_at: float | None) -> bool | None:
    """Whether an attempt was in progress when ``extension`` ran, from the attempt's stored
    ``submitted_at`` (None: never ended). ``submitted_at`` is never later than the real end
    (a sweep stores the deadline), and an attempt in progress at the extension ends after it,
    so: ended before the request was sent -> False, after its answer -> True, in between ->
    None (either is possible)."""
    if extension is None:
        return False
    if ended_at is None or ended_at > extension.received + TOLERANCE_S:
        return True
    if ended_at < extension.sent - TOLERANCE_S:
        return False
    return None


def deadline_windows(started_at: float, limit_minutes: int, extension: Extension | None,
                     extended: bool | None) -> list[tuple[float, float]]:
    """The deadlines the rules allow for an attempt (each a ``(low, high)`` window):
    ``started_at + limit``; with the extension ``max(that, instant) + minutes`` for an
    instant within the extension's ``[sent, received]``; both when ``extended`` is None."""
    base = started_at + 60 * limit_minutes
    windows = []
    if extension is None or extended in (False, None):
        windows.append((base, base))
    if extension is not None and extended in (True, None):
        windows.append((max(base, extension.sent) + 60 * extension.minutes,
                        max(base, extension.received) + 60 * extension.minutes))
    return windows


def within(value: float, windows: list[tuple[float, float]]) -> bool:
    return any(low - TOLERANCE_S <= value <= high + TOLERANCE_S for low, high in windows)


def save_deadline_bounds(sent: float, received: float, started_at: float, limit_minutes: int,
                         extension: Extension | None,
                         extended: bool | None) -> tuple[float, float]:
    """The earliest and latest deadline that can have applied to a save the server handled
    at some instant within ``[sent, received]``: the attempt's own deadline, or its extended
    one for a save that may have come after the extension."""
    base = deadline_windows(started_at, limit_minutes, None, False)
    if extension is None or extended is False:
        candidates = base
    elif sent > extension.received:  # certainly after the extension
        candidates = deadline_windows(started_at, limit_minutes, extension, extended)
    elif received < extension.sent:  # certainly before it
        candidates = base
    else:
        candidates = base + deadline_windows(started_at, limit_minutes, extension, extended)
    return min(low for low, _ in candidates), max(high for _, high in candidates)


def save_problem(status: int, reason: str | None, sent: float, received: float,
                 bounds: tuple[float, float], grace_seconds: float) -> str | None:
    """Why a save's answer breaks the rules, or None. A 2xx must have been sent no later
    than the latest possible deadline + grace; a 409 ``time_over`` must have been answered
    no earlier than the earliest possible deadline + grace."""
    earliest, latest = bounds
    if 200 <= status < 300 and sent > latest + grace_seconds + TOLERANCE_S:
        return (f"acknowledged although sent {sent - latest - grace_seconds:.3f} s after "
                "deadline + grace")
    if status == 409 and reason == "time_over" and \
            received < earliest + grace_seconds - TOLERANCE_S:
        return (f"refused as time over although answered {earliest + grace_seconds - received:.3f}"
                " s before deadline + grace")
    return None
