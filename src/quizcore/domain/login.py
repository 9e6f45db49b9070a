"""Signing in and claiming a student account: checking passwords, recording the login.

Unknown accounts and wrong passwords get the same outcome after the same bcrypt work, so
nobody learns which accounts exist. Everything here works on a SQLAlchemy session.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import (
    Role,
    Student,
    User,
    utcnow,
)
from . import passwords
from .people import find_login_user, find_student_by_registration_number, lock_user


def _now(now: dt.datetime | None) -> dt.datetime:
    return now if now is not None else utcnow()


# -- login -----------------------------------------------------------------------------------


class LoginOutcome(enum.StrEnum):
    OK = "ok"
    INVALID = "invalid_credentials"  # unknown user or wrong password: one answer for both
    INACTIVE = "inactive"
    UNCLAIMED = "unclaimed"


@dataclass(frozen=True)
class LoginResult:
    outcome: LoginOutcome
    #: The user the identifier named (None when unknown). Set for failures too, so the
    #: caller can count failures per account and record them.
    user: User | None = None
    #: True when the stored hash was re-computed with the configured cost.
    rehashed: bool = False

    @property
    def ok(self) -> bool:
        return self.outcome is LoginOutcome.OK


def check_login(user: User | None, password: str, *, rounds: int,
                now: dt.datetime | None = None) -> LoginResult:
    """Check a password for the user an identifier named (see :func:`find_login_user`)
    and, when it is right, record the login.

    * Unknown user (None): a bcrypt check against a dummy hash still runs, so the answer
      takes as long as for a real account (nobody learns which accounts exist).
    * Unclaimed student accounts have no password: the result is ``UNCLAIMED`` (or
      ``INACTIVE`` when the account is also deactivated), whatever was typed.
    * Wrong password: ``INVALID``, the same outcome as an unknown user.
    * Right password on a deactivated account: ``INACTIVE``. The state is only revealed to
      someone who knows the password.
    * Success sets ``last_login`` and re-hashes the password when its bcrypt cost differs
      from ``rounds`` (the setting was changed since the hash was made).
    """
    if user is None:
        passwords.dummy_verify(password, rounds)
        return LoginResult(LoginOutcome.INVALID)
    if user.role == Role.STUDENT and (user.student is None or
                                      not user.student.is_account_claimed):
        passwords.dummy_verify(password, rounds)
        outcome = LoginOutcome.UNCLAIMED if user.is_active else LoginOutcome.INACTIVE
        return LoginResult(outcome, user)
    if not passwords.verify_password(password, user.password_hash):
        return LoginResult(LoginOutcome.INVALID, user)
    if not user.is_active:
        return LoginResult(LoginOutcome.INACTIVE, user)
    lock_user(sa.orm.object_session(user), user.id)
    user.last_login = _now(now)
    rehashed = passwords.hash_rounds(user.password_hash) != rounds
    if rehashed:
        user.password_hash = passwords.hash_password(password, rounds)
    return LoginResult(LoginOutcome.OK, user, rehashed)


def authenticate(session: Session, identifier: str, password: str, *, rounds: int,
                 now: dt.datetime | None = None) -> LoginResult:
    """:func:`find_login_user` then :func:`check_login`."""
    return check_login(find_login_user(session, identifier), password, rounds=rounds, now=now)


def set_password(user: User, password: str, *, rounds: int) -> None:
    """Store a new bcrypt hash (callers check
    :func:`quizcore.domain.passwords.password_problem`)."""
    user.password_hash = passwords.hash_password(password, rounds)

# -- claiming a student account --------------------------------------------------------------


class ClaimOutcome(enum.StrEnum):
    OK = "ok"
    UNKNOWN = "unknown"
    ALREADY_CLAIMED = "already_claimed"
    INACTIVE = "inactive"


def claim_account(session: Session, registration_number: str, password: str, *, rounds: int,
                  now: dt.datetime | None = None) -> tuple[ClaimOutcome, Student | None]:
    """A student sets the first password of an account created for them.

    The student row is locked, so two people claiming one number at once cannot both win.
    """
    student = find_student_by_registration_number(session, registration_number,
                                                  for_update=True)
    if student is None:
        return ClaimOutcome.UNKNOWN, None
    if student.is_account_claimed:
        return ClaimOutcome.ALREADY_CLAIMED, student
    if not student.user.is_active:
        return ClaimOutcome.INACTIVE, student
    set_password(student.user, password, rounds=rounds)
    student.is_account_claimed = True
    student.claimed_at = _now(now)
    return ClaimOutcome.OK, student
