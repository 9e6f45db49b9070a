"""Password reset by e-mailed code.

Six digits from :mod:`secrets`, stored as HMAC-SHA256 keyed with the JWT secret (a plain
hash of a 6-digit number is reversed in a millisecond). Only the newest code of a user is
valid; wrong guesses are counted in ``failed_attempts`` and the code is burnt when they
reach the configured maximum. A correct code is exchanged for a short-lived signed reset
token that names the code's row; resetting the password marks the row used, so the token
works once.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import hmac
import secrets
from dataclasses import dataclass

import jwt
import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import (
    PasswordResetToken,
    User,
    new_uuid,
    utcnow,
)
from .login import set_password
from .sessions import end_all_sessions

RESET_CODE_DIGITS = 6
RESET_TOKEN_TYPE = "password_reset"  # noqa: S105 - a claim value, not a secret
RESET_TOKEN_ALGORITHM = "HS256"  # noqa: S105 - an algorithm name


def _now(now: dt.datetime | None) -> dt.datetime:
    return now if now is not None else utcnow()


# -- password reset codes --------------------------------------------------------------------


def new_reset_code() -> str:
    """Six random digits (leading zeros kept)."""
    return f"{secrets.randbelow(10 ** RESET_CODE_DIGITS):0{RESET_CODE_DIGITS}d}"


def hash_reset_code(secret: str, user_id: str, code: str) -> str:
    """HMAC-SHA256 of the code, keyed with the server secret and bound to the user."""
    message = f"{user_id}:{code}".encode()
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def create_reset_code(session: Session, user: User, *, secret: str, lifetime_seconds: int,
                      now: dt.datetime | None = None) -> tuple[str, PasswordResetToken]:
    """A new code for ``user``; every older code of the user stops working."""
    now = _now(now)
    for older in session.scalars(sa.select(PasswordResetToken).where(
            PasswordResetToken.user_id == user.id, PasswordResetToken.is_used.is_(False))):
        older.is_used = True
    code = new_reset_code()
    row = PasswordResetToken(
        id=new_uuid(),
        user_id=user.id,
        token=hash_reset_code(secret, user.id, code),
        created_at=now,
        expires_at=now + dt.timedelta(seconds=lifetime_seconds),
    )
    session.add(row)
    return code, row


class CodeOutcome(enum.StrEnum):
    OK = "ok"
    WRONG = "wrong"
    BURNT = "burnt"  # this guess used up the last try
    EXPIRED = "expired"
    MISSING = "missing"  # no usable code (never asked, already used, burnt or replaced)


@dataclass(frozen=True)
class CodeResult:
    outcome: CodeOutcome
    row: PasswordResetToken | None = None
    remaining_tries: int = 0

    @property
    def ok(self) -> bool:
        return self.outcome is CodeOutcome.OK


def check_reset_code(session: Session, user: User, code: str, *, secret: str, max_tries: int,
                     now: dt.datetime | None = None) -> CodeResult:
    """Check a code against the user's newest usable code.

    A wrong guess increments ``failed_attempts``; the guess that reaches ``max_tries`` burns
    the code (marks it used), so even the right code fails afterwards. The row is locked so
    parallel guesses are all counted. The caller must commit a failed check.
    """
    now = _now(now)
    row = session.scalars(
        sa.select(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.is_used.is_(False))
        .order_by(PasswordResetToken.created_at.desc())
        .limit(1)
        .with_for_update()
    ).one_or_none()
    if row is None or row.failed_attempts >= max_tries:
        return CodeResult(CodeOutcome.MISSING)
    if row.expires_at <= now:
        return CodeResult(CodeOutcome.EXPIRED, row)
    if hmac.compare_digest(row.token, hash_reset_code(secret, user.id, code.strip())):
        return CodeResult(CodeOutcome.OK, row, max_tries - row.failed_attempts)
    row.failed_attempts += 1
    remaining = max_tries - row.failed_attempts
    if remaining <= 0:
        row.is_used = True
        return CodeResult(CodeOutcome.BURNT, row, 0)
    return CodeResult(CodeOutcome.WRONG, row, remaining)


def make_reset_token(row: PasswordResetToken, *, secret: str, lifetime_seconds: int,
                     now: dt.datetime | None = None) -> str:
    """A signed, short-lived token that allows one password reset with code ``row``.

    Its ``typ`` is not ``access``, so the security policy never accepts it as a login.
    """
    now = _now(now).replace(tzinfo=dt.UTC)
    claims = {
        "typ": RESET_TOKEN_TYPE,
        "sub": row.user_id,
        "rid": row.id,
        "iat": now,
        "exp": now + dt.timedelta(seconds=lifetime_seconds),
    }
    return jwt.encode(claims, secret, algorithm=RESET_TOKEN_ALGORITHM)


def redeem_reset_token(session: Session, token: str, *,
                       secret: str) -> PasswordResetToken | None:
    """The unused code row a reset token names (locked), or None if the token is not valid.

    Invalid means: bad signature, expired, another token type, or a code row that was
    used, burnt or replaced by a newer code since.
    """
    try:
        claims = jwt.decode(token, secret, algorithms=[RESET_TOKEN_ALGORITHM],
                            options={"require": ["exp", "sub", "rid", "typ"]})
    except jwt.InvalidTokenError:
        return None
    if claims.get("typ") != RESET_TOKEN_TYPE:
        return None
    row = session.scalars(sa.select(PasswordResetToken).where(
        PasswordResetToken.id == str(claims["rid"])).with_for_update()).one_or_none()
    if row is None or row.is_used or row.user_id != claims["sub"]:
        return None
    return row


def complete_password_reset(session: Session, row: PasswordResetToken, new_password: str, *,
                            rounds: int, now: dt.datetime | None = None) -> User:
    """Set the new password, use up the code and end every session of the user."""
    user = session.get(User, row.user_id)
    row.is_used = True
    set_password(user, new_password, rounds=rounds)
    end_all_sessions(session, user, now=now)
    return user
