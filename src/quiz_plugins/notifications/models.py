"""In-app notifications: the plugin's one table."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from quizcore.models.base import MYSQL_TABLE_ARGS, Base, CreatedAt, UUIDStr, fk


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (
        sa.Index("ix_notifications_user_id", "user_id"),
        sa.Index("ix_notifications_is_read", "is_read"),
        MYSQL_TABLE_ARGS,
    )

    id: Mapped[UUIDStr]
    user_id: Mapped[str] = fk("users.id", ondelete="CASCADE")
    type: Mapped[str] = mapped_column(sa.String(50))
    title: Mapped[str] = mapped_column(sa.String(255))
    message: Mapped[str] = mapped_column(sa.Text)
    link: Mapped[str | None] = mapped_column(sa.String(500))
    is_read: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[CreatedAt]
    read_at: Mapped[dt.datetime | None]
