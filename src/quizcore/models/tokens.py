"""Password reset codes and refresh tokens. Neither is ever stored in clear."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .base import MYSQL_TABLE_ARGS, Base, CreatedAt, UUIDStr, fk


class PasswordResetToken(Base):
    __tablename__ = "password_reset_tokens"
    __table_args__ = (
        sa.Index("ix_password_reset_tokens_user_id", "user_id"),
        sa.Index("ix_password_reset_tokens_token", "token"),
        MYSQL_TABLE_ARGS,
    )

    id: Mapped[UUIDStr]
    user_id: Mapped[str] = fk("users.id", ondelete="CASCADE")
    # Widened from VARCHAR(6): the column holds a keyed hash of the 6-digit code, not the
    # code itself.
    token: Mapped[str] = mapped_column(sa.String(128))
    expires_at: Mapped[dt.datetime]
    is_used: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[CreatedAt]
    # Added for correctness: wrong guesses against this code; at the limit it is burnt.
    failed_attempts: Mapped[int] = mapped_column(default=0, server_default="0")


class RefreshToken(Base):
    __tablename__ = "refresh_tokens"
    __table_args__ = (
        sa.Index("ix_refresh_tokens_user_id", "user_id"),
        sa.Index("ix_refresh_tokens_token", "token"),
        sa.Index("ix_refresh_tokens_family_id", "family_id"),
        MYSQL_TABLE_ARGS,
    )

    id: Mapped[UUIDStr]
    user_id: Mapped[str] = fk("users.id", ondelete="CASCADE")
    #: SHA-256 of the token handed to the client.
    token: Mapped[str] = mapped_column(sa.String(500), unique=True)
    expires_at: Mapped[dt.datetime]
    created_at: Mapped[CreatedAt]
    revoked_at: Mapped[dt.datetime | None]
    is_revoked: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Added for correctness: every token issued by rotating one login shares a family, so
    # presenting a rotated-out token (a sign it was stolen) revokes the whole family.
    family_id: Mapped[str] = mapped_column(sa.CHAR(36))
    #: Set when the token was rotated (as opposed to revoked by logout or reset).
    replaced_at: Mapped[dt.datetime | None]
