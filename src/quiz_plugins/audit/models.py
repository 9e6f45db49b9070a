"""``audit_logs``, the trail of state-changing actions (created by the core's single alembic
history, like every plugin table, whether or not the plugin is enabled)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from quizcore.models.base import MYSQL_TABLE_ARGS, Base, CreatedAt, UUIDStr, fk


class AuditLog(Base):
    __tablename__ = "audit_logs"
    __table_args__ = (
        sa.Index("ix_audit_logs_user_id", "user_id"),
        sa.Index("ix_audit_logs_action", "action"),
        sa.Index("ix_audit_logs_created_at", "created_at"),
        # "What happened to this attempt / quiz / user?" is the audit view's commonest filter.
        sa.Index("ix_audit_logs_entity", "entity_type", "entity_id"),
        MYSQL_TABLE_ARGS,
    )

    id: Mapped[UUIDStr]
    user_id: Mapped[str | None] = fk("users.id", ondelete="SET NULL")
    action: Mapped[str] = mapped_column(sa.String(100))
    entity_type: Mapped[str | None] = mapped_column(sa.String(50))
    entity_id: Mapped[str | None] = mapped_column(sa.CHAR(36))
    old_value: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    new_value: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    ip_address: Mapped[str | None] = mapped_column(sa.String(45))
    user_agent: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[CreatedAt]
