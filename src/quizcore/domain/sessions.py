"""Signed-in sessions: refresh tokens, logout, ending every session of a user.

How a signed-in session ends
----------------------------
A session is an access token (a JWT, one hour) plus an opaque refresh token (30 days).

* Access tokens carry ``tv``, the user's ``users.token_version``; the security policy
  compares it with the user row on every request (the row is read anyway, so the check costs
  nothing and keeps working while Redis is down). Bumping the version ends every access
  token of the user at once.
* Refresh tokens are random strings (:mod:`secrets`) stored as their SHA-256 in
  ``refresh_tokens.token``. Each use rotates the token: the presented row gets
  ``replaced_at`` and a new token of the same ``family_id`` is issued. Presenting a
  rotated-out token again means two parties hold it (one of them stole it): the whole
  family is revoked, so the thief's and the owner's copies die together.
* :func:`end_all_sessions` (password change, password reset, deactivation) bumps the token
  version and revokes every refresh token of the user.
* Logout (:func:`log_out`) revokes the presented refresh token's family (or all refresh
  tokens of the user when none is presented) and bumps the token version, so the access
  token used to log out stops working too; the user's other devices simply refresh with
  their own refresh tokens.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import (
    PasswordResetToken,
    RefreshToken,
    User,
    new_uuid,
    utcnow,
)
from .people import lock_user

#: Entropy of a refresh token (bytes before URL-safe base64).
REFRESH_TOKEN_BYTES = 32


def _now(now: dt.datetime | None) -> dt.datetime:
    return now if now is not None else utcnow()


# -- refresh tokens --------------------------------------------------------------------------


def hash_refresh_token(token: str) -> str:
    """What ``refresh_tokens.token`` holds for ``token`` (SHA-256, hex).

    A plain hash suffices: the token has 256 random bits, nothing to guess.
    """
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class IssuedRefreshToken:
    token: str  # given to the client once; only its hash is stored
    row: RefreshToken
    expires_in: int


def issue_refresh_token(session: Session, user: User, *, lifetime_seconds: int,
                        family_id: str | None = None,
                        now: dt.datetime | None = None) -> IssuedRefreshToken:
    """Create a refresh token for ``user``; a new login starts a new family."""
    now = _now(now)
    token = secrets.token_urlsafe(REFRESH_TOKEN_BYTES)
    row = RefreshToken(
        id=new_uuid(),
        user_id=user.id,
        token=hash_refresh_token(token),
        family_id=family_id or new_uuid(),
        created_at=now,
        expires_at=now + dt.timedelta(seconds=lifetime_seconds),
    )
    session.add(row)
    return IssuedRefreshToken(token, row, lifetime_seconds)


class RefreshOutcome(enum.StrEnum):
    ROTATED = "rotated"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    REVOKED = "revoked"
    REUSED = "reused"  # a rotated-out token came back: its family is now revoked
    INACTIVE = "inactive"


@dataclass(frozen=True)
class RefreshResult:
    outcome: RefreshOutcome
    user: User | None = None
    issued: IssuedRefreshToken | None = None

    @property
    def ok(self) -> bool:
        return self.outcome is RefreshOutcome.ROTATED


def find_refresh_token(session: Session, token: str, *,
                       for_update: bool = False) -> RefreshToken | None:
    """The stored row of a refresh token (whatever its state), or None."""
    statement = sa.select(RefreshToken).where(RefreshToken.token == hash_refresh_token(token))
    if for_update:
        statement = statement.with_for_update()
    return session.scalars(statement).one_or_none()


def rotate_refresh_token(session: Session, token: str, *, lifetime_seconds: int,
                         now: dt.datetime | None = None) -> RefreshResult:
    """Exchange a refresh token for a new one of the same family.

    The row is locked (``SELECT … FOR UPDATE``), so two concurrent uses of one token are
    serialised: the second sees the first's rotation and counts as reuse. A client must
    therefore not refresh the same token twice in parallel (the SPA refreshes once and
    shares the result between its requests).

    A ``REUSED`` result has revoked the family; the caller must commit that even though it
    answers with an error.
    """
    now = _now(now)
    row = find_refresh_token(session, token, for_update=True)
    if row is None:
        return RefreshResult(RefreshOutcome.UNKNOWN)
    user = session.get(User, row.user_id)
    if row.replaced_at is not None:
        revoke_family(session, row.family_id, now=now)
        return RefreshResult(RefreshOutcome.REUSED, user)
    if row.is_revoked:
        return RefreshResult(RefreshOutcome.REVOKED, user)
    if row.expires_at <= now:
        return RefreshResult(RefreshOutcome.EXPIRED, user)
    if user is None or not user.is_active:
        return RefreshResult(RefreshOutcome.INACTIVE, user)
    row.replaced_at = now
    row.is_revoked = True
    row.revoked_at = now
    issued = issue_refresh_token(session, user, lifetime_seconds=lifetime_seconds,
                                 family_id=row.family_id, now=now)
    return RefreshResult(RefreshOutcome.ROTATED, user, issued)


def _revoke(rows, now: dt.datetime) -> int:
    count = 0
    for row in rows:
        row.is_revoked = True
        row.revoked_at = now
        count += 1
    return count


def revoke_family(session: Session, family_id: str, *, now: dt.datetime | None = None) -> int:
    """Revoke every still-valid token of a family; returns how many were revoked."""
    rows = session.scalars(sa.select(RefreshToken).where(
        RefreshToken.family_id == family_id, RefreshToken.is_revoked.is_(False)))
    return _revoke(rows, _now(now))


def revoke_user_refresh_tokens(session: Session, user_id: str, *,
                               now: dt.datetime | None = None) -> int:
    """Revoke every still-valid refresh token of a user; returns how many were revoked."""
    rows = session.scalars(sa.select(RefreshToken).where(
        RefreshToken.user_id == user_id, RefreshToken.is_revoked.is_(False)))
    return _revoke(rows, _now(now))


def end_all_sessions(session: Session, user: User, *, now: dt.datetime | None = None) -> None:
    """Password change or reset, deactivation: every access and refresh token of the user
    stops working (the token version is bumped, all refresh tokens are revoked)."""
    lock_user(session, user.id)
    user.token_version += 1
    revoke_user_refresh_tokens(session, user.id, now=now)


def log_out(session: Session, user: User | None, refresh_token: str | None, *,
            now: dt.datetime | None = None) -> User | None:
    """End a session; returns the user it belonged to, or None when nothing matched.

    With a refresh token: that token's family is revoked (this device). Without one: every
    refresh token of ``user`` (the signed-in user) is revoked. Either way the user's token
    version is bumped, so the access token stops working as well; other devices get a new
    access token with their own refresh token.
    """
    now = _now(now)
    owner = user
    if refresh_token:
        row = find_refresh_token(session, refresh_token, for_update=True)
        if row is not None:
            revoke_family(session, row.family_id, now=now)
            owner = session.get(User, row.user_id)
        elif user is not None:
            revoke_user_refresh_tokens(session, user.id, now=now)
    elif user is not None:
        revoke_user_refresh_tokens(session, user.id, now=now)
    if owner is not None:
        owner.token_version += 1
    return owner


def prune_tokens(session: Session, *, now: dt.datetime | None = None) -> tuple[int, int]:
    """Delete expired refresh tokens and reset codes; returns (refresh tokens, codes).

    Rotated-out refresh tokens are kept until they expire: reuse detection needs them.
    """
    now = _now(now)
    refresh = session.execute(sa.delete(RefreshToken).where(RefreshToken.expires_at < now))
    codes = session.execute(sa.delete(PasswordResetToken).where(
        PasswordResetToken.expires_at < now - dt.timedelta(days=1)))
    return refresh.rowcount, codes.rowcount
