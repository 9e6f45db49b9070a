"""``GET /api/audit-logs``: the audit trail, for admins, newest first."""

from __future__ import annotations

import sqlalchemy as sa

from quizcore.models import User
from quizcore.rest import Service, iso, page_params, paginate, validator

from .models import AuditLog
from .schemas import AuditLogListRequest, parse_bound, range_end, range_start

audit_logs = Service(name="audit_logs", path="/api/audit-logs",
                     description="The audit trail of state-changing actions (admins).")


def audit_json(row: AuditLog, user: User | None) -> dict:
    return {
        "id": row.id,
        "user_id": row.user_id,
        "user": {"id": user.id, "name": user.name, "email": user.email,
                 "role": str(user.role)} if user is not None else None,
        "action": row.action,
        "entity_type": row.entity_type,
        "entity_id": row.entity_id,
        "old_value": row.old_value,
        "new_value": row.new_value,
        "ip_address": row.ip_address,
        "user_agent": row.user_agent,
        "created_at": iso(row.created_at),
    }


def filter_audit_logs(statement: sa.Select, query: dict) -> sa.Select:
    """Apply the list filters: ``user_id``, ``action`` (``prefix*`` for a prefix),
    ``entity_type``, ``entity_id``, ``from`` and ``to``."""
    for name in ("user_id", "entity_type", "entity_id"):
        if name in query:
            statement = statement.where(getattr(AuditLog, name) == query[name])
    if "action" in query:
        action = query["action"]
        if action.endswith("*"):
            statement = statement.where(AuditLog.action.startswith(action.rstrip("*"),
                                                                   autoescape=True))
        else:
            statement = statement.where(AuditLog.action == action)
    if "from" in query:
        statement = statement.where(
            AuditLog.created_at >= range_start(parse_bound(query["from"])))
    if "to" in query:
        statement = statement.where(AuditLog.created_at < range_end(parse_bound(query["to"])))
    return statement


@audit_logs.get(schema=AuditLogListRequest(), validators=(validator,), permission="admin")
def list_audit_logs(request):
    """Filters: ``user_id`` (who acted), ``action``, ``entity_type``, ``entity_id``, ``from``
    and ``to`` (dates are whole days, inclusive; ISO 8601 instants are exact)."""
    query = request.validated["querystring"]
    statement = filter_audit_logs(
        sa.select(AuditLog, User).outerjoin(User, User.id == AuditLog.user_id), query,
    ).order_by(AuditLog.created_at.desc(), AuditLog.id.desc())
    page, limit = page_params(request.validated)
    return paginate(request.dbsession, statement, page, limit,
                    serialize=lambda row: audit_json(row[0], row[1]), scalars=False)
