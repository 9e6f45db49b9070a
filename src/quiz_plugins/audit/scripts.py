"""``quizctl -c INI prune-audit``: delete audit rows older than the retention period.

Rows go in batches (``quizcore.audit.prune_batch_size``), each batch in its own
transaction, so a first run on a years-old table never holds long locks on ``audit_logs``
while the school is using the application. Run it daily (cron or a systemd timer).
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
import zope.sqlalchemy
from sqlalchemy.orm import Session

from quizcore.models import utcnow

from .listener import audit_row
from .models import AuditLog
from .records import AuditEntry


def retention_cutoff(days: int, now: dt.datetime | None = None) -> dt.datetime:
    """Rows created before this instant are older than ``days`` days."""
    return (now or utcnow()) - dt.timedelta(days=days)


def delete_batch(session: Session, before: dt.datetime, limit: int) -> int:
    """Delete up to ``limit`` of the oldest rows created before ``before``; returns how many.

    The ids are selected first: ``DELETE ... ORDER BY ... LIMIT`` is MySQL-only and the
    application also runs on SQLite.
    """
    ids = list(session.scalars(
        sa.select(AuditLog.id).where(AuditLog.created_at < before)
        .order_by(AuditLog.created_at, AuditLog.id).limit(limit)))
    if not ids:
        return 0
    session.execute(sa.delete(AuditLog).where(AuditLog.id.in_(ids)))
    return len(ids)


def prune_audit(env, args) -> int:
    request = env["request"]
    settings = env["registry"].settings
    days = settings["quizcore.audit.retention_days"] if args.days is None else args.days
    batch_size = args.batch_size or settings["quizcore.audit.prune_batch_size"]
    if days <= 0:
        print("Audit rows are kept forever (retention 0 days): nothing deleted.")
        return 0
    before = retention_cutoff(days)
    deleted = 0
    while True:
        with request.tm:
            session = request.dbsession
            count = delete_batch(session, before, batch_size)
            # A bulk DELETE bypasses the ORM: tell the transaction there is work to commit.
            zope.sqlalchemy.mark_changed(session, transaction_manager=request.tm)
        deleted += count
        if count < batch_size:
            break
    if deleted:
        # The trail says it was shortened, and by whom (the server, on schedule).
        with request.tm:
            request.dbsession.add(audit_row(
                AuditEntry("audit.pruned", new_value={
                    "deleted": deleted, "retention_days": days,
                    "before": before.isoformat() + "Z"}),
                ip_address=None, user_agent="quizctl prune-audit"))
    print(f"Deleted {deleted} audit row(s) older than {days} day(s) "
          f"(created before {before:%Y-%m-%d %H:%M} UTC).")
    return 0


def _count(minimum: int):
    def parse(text: str) -> int:
        value = int(text)
        if value < minimum:
            raise ValueError(text)
        return value
    parse.__name__ = f"integer of at least {minimum}"  # argparse names the type in errors
    return parse


def arguments(parser) -> None:
    parser.add_argument("--days", type=_count(0), default=None,
                        help="keep this many days instead of quizcore.audit.retention_days")
    parser.add_argument("--batch-size", type=_count(1), default=None,
                        help="rows deleted per transaction "
                             "(default quizcore.audit.prune_batch_size)")
