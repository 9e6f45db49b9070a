"""Write an ``audit_logs`` row for every recorded domain event, inside its transaction.

The row is added to the event's own session, so it commits together with the change it
describes and disappears with it when the request rolls back (an error, a veto, a retried
deadlock). Failures that must still be recorded (a failed login) are answered by the core
without raising, so their transaction commits.
"""

from __future__ import annotations

from quizcore.events import DomainEvent
from quizcore.models import new_uuid, utcnow
from quizcore.transactions import origin_of, settings_of

from .models import AuditLog
from .records import AuditEntry, describe

#: Column sizes of ``audit_logs`` (a longer value would make MySQL refuse the whole request).
MAX_ACTION = 100
MAX_ENTITY_TYPE = 50
MAX_ENTITY_ID = 36
MAX_IP = 45
#: Enough of a user agent to recognise the browser; some send kilobytes.
MAX_USER_AGENT = 500


def _fit(value: str | None, size: int) -> str | None:
    return value[:size] if value else value


def audit_row(entry: AuditEntry, *, ip_address: str | None,
              user_agent: str | None) -> AuditLog:
    """The ``AuditLog`` row of ``entry`` (values already scrubbed by :func:`describe`)."""
    entity_id = entry.entity_id if entry.entity_id and len(entry.entity_id) <= MAX_ENTITY_ID \
        else None
    return AuditLog(
        id=new_uuid(),
        user_id=entry.user_id,
        action=_fit(entry.action, MAX_ACTION),
        entity_type=_fit(entry.entity_type, MAX_ENTITY_TYPE),
        entity_id=entity_id,
        old_value=entry.old_value,
        new_value=entry.new_value,
        ip_address=_fit(ip_address, MAX_IP),
        user_agent=_fit(user_agent, MAX_USER_AGENT),
        created_at=utcnow(),
    )


def record_event(event: DomainEvent) -> None:
    """In-transaction subscriber of every :class:`DomainEvent`."""
    session = event.session
    if session is None:
        return
    skip = frozenset(settings_of(session)["quizcore.audit.skip_events"])
    entry = describe(event, skip)
    if entry is None:
        return
    # The row joins the event's own transaction: it commits with the change it describes.
    origin = origin_of(session)
    session.add(audit_row(entry, ip_address=getattr(origin, "remote_addr", None),
                          user_agent=getattr(origin, "user_agent", None)))
