"""Account rules: login, sessions (refresh tokens), password reset codes, account claim.

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

Password reset codes
--------------------
Six digits from :mod:`secrets`, stored as HMAC-SHA256 keyed with the JWT secret (a plain
hash of a 6-digit number is reversed in a millisecond). Only the newest code of a user is
valid; wrong guesses are counted in ``failed_attempts`` and the code is burnt when they
reach the configured maximum. A correct code is exchanged for a short-lived signed reset
token that names the code's row; resetting the password marks the row used, so the token
works once.

Everything here works on a SQLAlchemy session and knows nothing of HTTP.
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

from .. import security
from ..db import is_mysql
from ..models import (
    UNUSABLE_PASSWORD,
    PasswordResetToken,
    Question,
    Quiz,
    QuizAttempt,
    RefreshToken,
    Role,
    SchoolClass,
    Student,
    StudentAnswer,
    Teacher,
    User,
    new_uuid,
    utcnow,
)

#: Entropy of a refresh token (bytes before URL-safe base64).
REFRESH_TOKEN_BYTES = 32
RESET_CODE_DIGITS = 6
RESET_TOKEN_TYPE = "password_reset"  # noqa: S105 - a claim value, not a secret
RESET_TOKEN_ALGORITHM = "HS256"  # noqa: S105 - an algorithm name


def _now(now: dt.datetime | None) -> dt.datetime:
    return now if now is not None else utcnow()


# -- finding people --------------------------------------------------------------------------


def normalize_email(email: str) -> str:
    """Emails are stored and compared lower-cased and without surrounding spaces."""
    return email.strip().lower()


def find_user_by_email(session: Session, email: str) -> User | None:
    """The user with this email (case-insensitive), or None."""
    return session.scalars(
        sa.select(User).where(User.email == normalize_email(email))
    ).one_or_none()


def find_student_by_registration_number(session: Session, number: str, *,
                                        for_update: bool = False) -> Student | None:
    """The student with this registration number, compared case-insensitively.

    Registration numbers keep the spelling they were created with (schools use many
    formats). MySQL's ``utf8mb4_unicode_ci`` collation already compares without case and
    keeps the unique index usable; SQLite needs ``lower()`` on both sides.
    """
    number = number.strip()
    if not number:
        return None
    if is_mysql(session):
        condition = Student.registration_number == number
    else:
        condition = sa.func.lower(Student.registration_number) == number.lower()
    statement = sa.select(Student).where(condition)
    if for_update:
        statement = statement.with_for_update()
    return session.scalars(statement).one_or_none()


def find_login_user(session: Session, identifier: str) -> User | None:
    """The user an ``email_or_reg_no`` names: by email first, then by registration number."""
    identifier = identifier.strip()
    if not identifier:
        return None
    if "@" in identifier:
        user = find_user_by_email(session, identifier)
        if user is not None:
            return user
    student = find_student_by_registration_number(session, identifier)
    return student.user if student is not None else None


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
        security.dummy_verify(password, rounds)
        return LoginResult(LoginOutcome.INVALID)
    if user.role == Role.STUDENT and (user.student is None or
                                      not user.student.is_account_claimed):
        security.dummy_verify(password, rounds)
        outcome = LoginOutcome.UNCLAIMED if user.is_active else LoginOutcome.INACTIVE
        return LoginResult(outcome, user)
    if not security.verify_password(password, user.password_hash):
        return LoginResult(LoginOutcome.INVALID, user)
    if not user.is_active:
        return LoginResult(LoginOutcome.INACTIVE, user)
    lock_user(sa.orm.object_session(user), user.id)
    user.last_login = _now(now)
    rehashed = security.hash_rounds(user.password_hash) != rounds
    if rehashed:
        user.password_hash = security.hash_password(password, rounds)
    return LoginResult(LoginOutcome.OK, user, rehashed)


def lock_user(session: Session, user_id: str) -> None:
    """Take the user row's write lock now, before rows pointing at it are inserted.

    Inserting a refresh token takes a shared lock on the user row (the foreign key check);
    two logins of one account that then both update the row would deadlock. Locking first
    makes them wait for each other instead.
    """
    session.execute(sa.select(User.id).where(User.id == user_id).with_for_update())


def authenticate(session: Session, identifier: str, password: str, *, rounds: int,
                 now: dt.datetime | None = None) -> LoginResult:
    """:func:`find_login_user` then :func:`check_login`."""
    return check_login(find_login_user(session, identifier), password, rounds=rounds, now=now)


def set_password(user: User, password: str, *, rounds: int) -> None:
    """Store a new bcrypt hash (callers check :func:`quizcore.security.password_problem`)."""
    user.password_hash = security.hash_password(password, rounds)


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


def new_student_password_hash() -> str:
    """The password hash of a student created by staff or an import: nothing matches it
    until the student claims the account (no bcrypt work per student)."""
    return UNUSABLE_PASSWORD


# -- guarding the administrators -------------------------------------------------------------


class RemovalProblem(enum.StrEnum):
    SELF = "self"
    LAST_ADMIN = "last_admin"
    HAS_ATTEMPTS = "has_attempts"


def admin_removal_problem(session: Session, actor: User, target: User) -> RemovalProblem | None:
    """Why ``actor`` may not delete or deactivate ``target`` (None when allowed).

    An admin cannot remove their own account, and the last active admin cannot be removed
    (nobody could administer the school afterwards). The active admins are locked, so two
    admins removing each other at the same moment cannot both succeed.
    """
    if target.id == actor.id:
        return RemovalProblem.SELF
    if target.role != Role.ADMIN or not target.is_active:
        return None
    active_admins = session.scalars(
        sa.select(User.id).where(User.role == Role.ADMIN, User.is_active.is_(True))
        .order_by(User.id).with_for_update()
    ).all()
    if len([admin_id for admin_id in active_admins if admin_id != target.id]) == 0:
        return RemovalProblem.LAST_ADMIN
    return None


def delete_account(session: Session, user: User) -> None:
    """Delete a user and their profile (the database cascades the rest: tokens, quizzes,
    attempts...). The profile goes first: its primary key is the user's id, which the ORM
    must not try to blank out."""
    for profile in (user.teacher, user.student):
        if profile is not None:
            session.delete(profile)
    session.delete(user)
    session.flush()


def attempts_lost_by_deleting(session: Session, user: User) -> int:
    """How many quiz attempts the database would delete or damage along with ``user``.

    Deleting a student deletes their attempts; deleting a teacher deletes their quizzes and
    questions, and with them students' attempts and answers (the foreign keys cascade).
    """
    if user.role == Role.STUDENT:
        condition = QuizAttempt.student_id == user.id
    elif user.role == Role.TEACHER:
        # Their quizzes go, and their questions, with the answers given to them in other
        # teachers' quizzes.
        condition = sa.or_(
            QuizAttempt.quiz_id.in_(sa.select(Quiz.id).where(Quiz.created_by == user.id)),
            QuizAttempt.id.in_(
                sa.select(StudentAnswer.attempt_id)
                .join(Question, Question.id == StudentAnswer.question_id)
                .where(Question.created_by == user.id)))
    else:
        return 0
    return session.scalar(sa.select(sa.func.count()).select_from(QuizAttempt).where(condition))


# -- creating people and classes -------------------------------------------------------------


def ensure_teacher_profile(session: Session, user: User) -> Teacher:
    """The teacher profile of ``user``, created for an admin who has none yet.

    Questions and quizzes belong to a teacher profile; admins may do everything a teacher
    can, so their own items hang on a profile of their own.
    """
    profile = session.get(Teacher, user.id)
    if profile is None:
        profile = Teacher(id=user.id)
        session.add(profile)
        session.flush()
    return profile


def email_in_use(session: Session, email: str, *, exclude_user_id: str | None = None) -> bool:
    """Is the address taken by another account (case-insensitively)?"""
    condition = User.email == normalize_email(email)
    if exclude_user_id is not None:
        condition = condition & (User.id != exclude_user_id)
    return bool(session.scalar(sa.select(sa.exists().where(condition))))


def registration_number_in_use(session: Session, number: str, *,
                               exclude_student_id: str | None = None) -> bool:
    """Is the registration number taken by another student (case-insensitively)?"""
    student = find_student_by_registration_number(session, number)
    return student is not None and student.id != exclude_student_id


def create_student(session: Session, *, name: str, email: str, registration_number: str,
                   class_id: str | None = None, date_of_birth: dt.date | None = None,
                   parent_email: str | None = None, parent_phone: str | None = None,
                   password_hash: str | None = None,
                   now: dt.datetime | None = None) -> User:
    """A student account (user row and profile). Without ``password_hash`` the account is
    unclaimed and has no usable password (no bcrypt work: imports create thousands).

    Callers check duplicates first (:func:`email_in_use`,
    :func:`registration_number_in_use`); the unique keys catch a race.
    """
    now = _now(now)
    user = User(id=new_uuid(), email=normalize_email(email), name=name.strip(),
                role=Role.STUDENT, password_hash=password_hash or new_student_password_hash())
    claimed = password_hash is not None
    user.student = Student(id=user.id, registration_number=registration_number.strip(),
                           class_id=class_id, date_of_birth=date_of_birth,
                           parent_email=normalize_email(parent_email) if parent_email else None,
                           parent_phone=parent_phone, is_account_claimed=claimed,
                           claimed_at=now if claimed else None)
    session.add(user)
    return user


# -- many students at once (bulk imports) ----------------------------------------------------

#: Values per ``IN (...)`` list and rows per multi-row INSERT: small enough for MySQL's
#: packet size, large enough that 10,000 students take a handful of round trips.
BULK_CHUNK = 1000


@dataclass(frozen=True)
class NewStudent:
    """One student account to create with :func:`insert_students` (values already checked)."""

    name: str
    email: str
    registration_number: str
    class_id: str | None = None
    date_of_birth: dt.date | None = None
    parent_email: str | None = None
    parent_phone: str | None = None


def _chunks(values: list):
    size = BULK_CHUNK
    for start in range(0, len(values), size):
        yield values[start:start + size]


def emails_in_use(session: Session, emails) -> set[str]:
    """Which of ``emails`` already belong to an account, as stored (lower-cased).

    One ``IN (...)`` query per :data:`BULK_CHUNK` addresses, instead of one per address.
    """
    wanted = sorted({normalize_email(email) for email in emails if email})
    found: set[str] = set()
    for chunk in _chunks(wanted):
        found.update(session.scalars(sa.select(User.email).where(User.email.in_(chunk))))
    return found


def registration_numbers_in_use(session: Session, numbers) -> set[str]:
    """Which of ``numbers`` are taken, as stored (their own spelling), in batched queries.

    Compared case-insensitively like :func:`find_student_by_registration_number`: MySQL's
    collation does it with the index; SQLite needs ``lower()``.
    """
    wanted = sorted({number.strip() for number in numbers if number and number.strip()})
    column = Student.registration_number
    if not is_mysql(session):
        wanted = sorted({number.lower() for number in wanted})
        column = sa.func.lower(Student.registration_number)
    found: set[str] = set()
    for chunk in _chunks(wanted):
        found.update(session.scalars(
            sa.select(Student.registration_number).where(column.in_(chunk))))
    return found


def insert_students(session: Session, students: list[NewStudent], *,
                    now: dt.datetime | None = None) -> list[str]:
    """Create many unclaimed student accounts; returns their ids in the order given.

    The bulk twin of :func:`create_student`: the same normalised values and the same
    unusable password (no bcrypt work), written with multi-row INSERTs of
    :data:`BULK_CHUNK` rows instead of one ORM object and round trip per student. Callers
    check duplicates first (:func:`emails_in_use`, :func:`registration_numbers_in_use`);
    the unique keys still refuse a concurrent duplicate with an ``IntegrityError``.
    """
    now = _now(now)
    ids: list[str] = []
    for chunk in _chunks(students):
        users, profiles = [], []
        for new in chunk:
            user_id = new_uuid()
            ids.append(user_id)
            users.append({
                "id": user_id, "email": normalize_email(new.email), "name": new.name.strip(),
                "role": Role.STUDENT, "password_hash": new_student_password_hash(),
                "is_active": True, "is_email_verified": False, "token_version": 0,
                "created_at": now, "updated_at": now,
            })
            profiles.append({
                "id": user_id, "registration_number": new.registration_number.strip(),
                "class_id": new.class_id, "date_of_birth": new.date_of_birth,
                "parent_email": normalize_email(new.parent_email) if new.parent_email
                else None,
                "parent_phone": new.parent_phone, "is_account_claimed": False,
                "claimed_at": None, "created_at": now,
            })
        session.execute(sa.insert(User), users)
        session.execute(sa.insert(Student), profiles)
    return ids


def find_duplicate_class(session: Session, name: str, section: str | None,
                         academic_year: str | None, *,
                         exclude_class_id: str | None = None) -> SchoolClass | None:
    """Another class with the same name, section and academic year.

    NULL counts as a value here: MySQL's unique key lets ``("Grade 9", NULL, NULL)`` in
    twice, the school would not.
    """
    def same(column, value):
        return column.is_(None) if value is None else column == value

    statement = sa.select(SchoolClass).where(
        SchoolClass.name == name, same(SchoolClass.section, section),
        same(SchoolClass.academic_year, academic_year))
    if exclude_class_id is not None:
        statement = statement.where(SchoolClass.id != exclude_class_id)
    return session.scalars(statement.limit(1)).first()
