"""People: finding accounts, creating students, teacher profiles, removing accounts.

Everything here works on a SQLAlchemy session and knows nothing of HTTP.
"""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..db import is_mysql
from ..models import (
    UNUSABLE_PASSWORD,
    Question,
    Quiz,
    QuizAttempt,
    Role,
    Student,
    StudentAnswer,
    Teacher,
    User,
    new_uuid,
    utcnow,
)
from .errors import Forbidden


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

def lock_user(session: Session, user_id: str) -> None:
    """Take the user row's write lock now, before rows pointing at it are inserted.

    Inserting a refresh token takes a shared lock on the user row (the foreign key check);
    two logins of one account that then both update the row would deadlock. Locking first
    makes them wait for each other instead.
    """
    session.execute(sa.select(User.id).where(User.id == user_id).with_for_update())


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

# -- one's own profile ------------------------------------------------------------------------

#: Fields a signed-in user may change on their own account (``PUT /api/auth/profile``), by
#: role. The e-mail address is the sign-in and the password-reset channel, and a student's
#: name is the school register's: both change only through an administrator
#: (``PUT /api/users/{id}``).
SELF_EDITABLE: dict[Role, frozenset[str]] = {
    Role.ADMIN: frozenset({"name"}),
    Role.TEACHER: frozenset({"name", "phone", "bio"}),
    Role.STUDENT: frozenset(),
}


def _current_profile_value(user: User, field: str):
    if field == "email":
        return user.email
    if field == "name":
        return user.name
    return getattr(user.teacher, field, None) if user.teacher is not None else None


def _same(field: str, old, new) -> bool:
    if field == "email":
        return old is not None and new is not None and \
            normalize_email(old) == normalize_email(new)
    return old == new


def update_own_profile(user: User, changes: dict) -> dict[str, tuple]:
    """Apply ``changes`` (``name``, ``email``, ``phone``, ``bio``) to the user's own account.

    A value equal to the current one is no change (a profile form sends every field back),
    so it is always accepted. Any real change of a field the role may not edit
    (:data:`SELF_EDITABLE`) refuses the whole update with :class:`Forbidden`
    (``reason="managed_by_school"``, ``field`` the first such field) before anything is
    written. Returns ``{field: (old, new)}`` of what changed.
    """
    changed = {field: (_current_profile_value(user, field), value)
               for field, value in changes.items()
               if not _same(field, _current_profile_value(user, field), value)}
    allowed = SELF_EDITABLE[Role(user.role)]
    refused = [field for field in changed if field not in allowed]
    if refused:
        raise Forbidden(f"Your {refused[0].replace('_', ' ')} is kept by the school: ask an "
                        "administrator to change it.", reason="managed_by_school",
                        field=refused[0])
    for field, (_, value) in changed.items():
        if field == "name":
            user.name = value
        else:
            setattr(user.teacher, field, value)
    return changed


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

def new_student_password_hash() -> str:
    """The password hash of a student created by staff or an import: nothing matches it
    until the student claims the account (no bcrypt work per student)."""
    return UNUSABLE_PASSWORD
