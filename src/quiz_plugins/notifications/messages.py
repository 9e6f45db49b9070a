"""What each notification says (no HTTP, no database).

A :class:`Notice` is one notification before it has a recipient: its type, the title and
text shown in the app (and used as the e-mail subject and summary), the link the app opens,
and the values the e-mail templates may use. The listener looks the facts up and turns a
notice into one row per recipient.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

QUIZ_PUBLISHED = "quiz_published"
ATTEMPT_GRADED = "attempt_graded"
GRADING_PENDING = "grading_pending"
ATTEMPT_AUTO_SUBMITTED = "attempt_auto_submitted"

ATTEMPT_EXTENDED = "attempt_extended"
ATTEMPT_FORCE_SUBMITTED = "attempt_force_submitted"
ATTEMPT_REOPENED = "attempt_reopened"
ATTEMPTS_GRANTED = "attempts_granted"

#: Every notification type that may also be e-mailed, in the order the documentation lists
#: them.
TYPES = (QUIZ_PUBLISHED, ATTEMPT_GRADED, GRADING_PENDING, ATTEMPT_AUTO_SUBMITTED)
#: Told in the app only: the student is on the exam page (or was a moment ago), and a mail
#: about a few more minutes would arrive after they are over.
IN_APP_TYPES = (ATTEMPT_EXTENDED, ATTEMPT_FORCE_SUBMITTED, ATTEMPT_REOPENED,
                ATTEMPTS_GRANTED)

#: ``notifications.title`` is VARCHAR(255); quiz titles alone may be that long.
MAX_TITLE = 255


@dataclass(frozen=True)
class Notice:
    type: str
    title: str
    message: str
    link: str | None = None
    #: Extra values for the e-mail templates (quiz title, score...).
    context: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        if len(self.title) > MAX_TITLE:
            object.__setattr__(self, "title", self.title[:MAX_TITLE - 1] + "…")


def when(value: dt.datetime | None) -> str | None:
    """A stored (naive UTC) timestamp as people read it in a message."""
    return f"{value:%Y-%m-%d %H:%M} UTC" if value is not None else None


def _number(value: float | int | None) -> str:
    if value is None:
        return "-"
    return f"{value:g}" if isinstance(value, float) else str(value)


def quiz_published(*, quiz_id: str, title: str, subject: str | None,
                   start_date: dt.datetime | None, end_date: dt.datetime | None,
                   time_limit_minutes: int | None) -> Notice:
    """To each student of the quiz's classes."""
    parts = [f'The quiz "{title}"' + (f" ({subject})" if subject else "") +
             " has been published for your class."]
    if start_date and end_date:
        parts.append(f"It is open from {when(start_date)} until {when(end_date)}.")
    elif end_date:
        parts.append(f"It is open until {when(end_date)}.")
    elif start_date:
        parts.append(f"It opens on {when(start_date)}.")
    if time_limit_minutes:
        parts.append(f"Time limit: {time_limit_minutes} minutes.")
    return Notice(QUIZ_PUBLISHED, f"New quiz: {title}", " ".join(parts), f"/quizzes/{quiz_id}",
                  {"quiz_title": title, "subject": subject, "opens": when(start_date),
                   "closes": when(end_date), "time_limit_minutes": time_limit_minutes})


def attempt_graded(*, attempt_id: str, quiz_title: str, score: float | None,
                   total_marks: int | None, percentage: float | None, passed: bool | None,
                   regraded: bool = False) -> Notice:
    """To the student whose attempt was graded (automatically or by a teacher)."""
    result = f"You scored {_number(score)} out of {_number(total_marks)}"
    if percentage is not None:
        result += f" ({_number(percentage)}%)"
    result += "."
    if passed is not None:
        result += " You passed." if passed else " You did not reach the pass mark."
    if regraded:
        title = f"Result updated: {quiz_title}"
        message = f'Your result for "{quiz_title}" was updated. {result}'
    else:
        title = f"Result: {quiz_title}"
        message = f'Your attempt at "{quiz_title}" has been graded. {result}'
    return Notice(ATTEMPT_GRADED, title, message, f"/attempts/{attempt_id}",
                  {"quiz_title": quiz_title, "score": _number(score),
                   "total_marks": _number(total_marks),
                   "percentage": _number(percentage) if percentage is not None else None,
                   "passed": passed, "regraded": regraded})


def grading_pending(*, attempt_id: str, quiz_title: str, student_name: str) -> Notice:
    """To the quiz's teacher: descriptive answers wait for marks."""
    return Notice(
        GRADING_PENDING, f"Answers to grade: {quiz_title}",
        f'{student_name} submitted "{quiz_title}". Their descriptive answers are waiting '
        "for your marks.",
        f"/grading/attempts/{attempt_id}",
        {"quiz_title": quiz_title, "student_name": student_name})


def attempt_auto_submitted(*, attempt_id: str, quiz_title: str, student_name: str,
                           total_violations: int | None) -> Notice:
    """To the quiz's teacher: an attempt was ended for anti-cheat violations."""
    count = f" after {total_violations} violations" if total_violations else ""
    return Notice(
        ATTEMPT_AUTO_SUBMITTED, f"Auto-submitted: {student_name} in {quiz_title}",
        f'{student_name}\'s attempt at "{quiz_title}" was submitted automatically{count} '
        "(tab switches, leaving full screen, copy or paste...).",
        f"/attempts/{attempt_id}",
        {"quiz_title": quiz_title, "student_name": student_name,
         "total_violations": total_violations})


def attempt_extended(*, attempt_id: str, quiz_title: str,
                     deadline_at: dt.datetime) -> Notice:
    """To the student: their teacher gave them more time."""
    return Notice(
        ATTEMPT_EXTENDED, f"More time: {quiz_title}",
        f'Your teacher extended your attempt at "{quiz_title}": it now ends at '
        f"{when(deadline_at)}.", f"/attempts/{attempt_id}",
        {"quiz_title": quiz_title, "deadline_at": when(deadline_at)})


def attempt_force_submitted(*, attempt_id: str, quiz_title: str, reason: str) -> Notice:
    """To the student: their teacher ended their attempt."""
    return Notice(
        ATTEMPT_FORCE_SUBMITTED, f"Attempt ended by your teacher: {quiz_title}",
        f'Your teacher submitted your attempt at "{quiz_title}" with the answers you had '
        f"saved. Reason: {reason}", f"/attempts/{attempt_id}",
        {"quiz_title": quiz_title, "reason": reason})


def attempt_reopened(*, quiz_id: str, quiz_title: str, attempts_allowed: int) -> Notice:
    """To the student: their teacher granted them another attempt."""
    return Notice(
        ATTEMPT_REOPENED, f"Another attempt: {quiz_title}",
        f'Your teacher granted you another attempt at "{quiz_title}" '
        f"({attempts_allowed} in all).", f"/quizzes/{quiz_id}",
        {"quiz_title": quiz_title, "attempts_allowed": attempts_allowed})


def attempts_granted(*, quiz_id: str, quiz_title: str, additional_attempts: int,
                     attempts_allowed: int) -> Notice:
    """To a student: their teacher granted them more attempts (the teacher's reason is for
    the audit trail, not told)."""
    return Notice(
        ATTEMPTS_GRANTED, f"More attempts: {quiz_title}",
        f'Your teacher granted you {additional_attempts} more attempt(s) at "{quiz_title}" '
        f"({attempts_allowed} in all).", f"/quizzes/{quiz_id}",
        {"quiz_title": quiz_title, "additional_attempts": additional_attempts,
         "attempts_allowed": attempts_allowed})
