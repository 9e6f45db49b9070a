"""How an attempt may begin: released start and access gates (password, networks).

**Start mode.** A quiz starts by ``window`` (today's rule: any time inside its open/close
dates) or by ``teacher_release``: students who open it before the release wait (409
``waiting_for_release``; the monitor lists them as waiting) and poll
``GET /quizzes/{id}/release-state``; ``release`` stamps ``released_at`` once, and that one
server instant starts everyone's clock:

* each deadline is ``released_at`` + the student's own effective time limit (their
  accommodation and overrides), capped by the quiz's (or their own) close date;
* **late arrivals** start whenever they come, on the same clock: their deadline is still
  ``released_at`` + their limit, so they get what is left of it. Once that has passed they
  are refused (403 ``release_over``);
* a **second release** changes nothing: it answers the first instant
  (``already_released: true``), so a double click or two teachers cannot restart the clock;
* a **make-up sitting** is an override with its own ``start_date``: that student is no
  longer bound by the release and starts by their own window, with a full time limit;
* the quiz's ``start_date`` is not used for a released start (the teacher decides when);
  its ``end_date`` still closes it.

**Gates.** An optional quiz password (stored as a bcrypt hash, checked at start with
bcrypt's constant-time comparison; wrong or missing: 403 ``quiz_password``; the service
rate-limits failures per address and per student) and an optional list of allowed client
networks (CIDR; outside them: 403 ``network``, at start and at resume). The address is
``remote_addr``: behind the shipped nginx, waitress's ``trusted_proxy`` settings make it the
address nginx saw, and a client's own ``X-Forwarded-For`` counts for nothing.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..events import QuizReleased, StudentWaiting, emit
from ..models import Quiz, QuizClass, QuizStatus, QuizWaiting, Role, Student, User, utcnow
from . import timing
from .errors import Conflict, Forbidden, Invalid, NotFound
from .passwords import MAX_PASSWORD_BYTES, hash_password, verify_password
from .visibility import manages

WINDOW = "window"
TEACHER_RELEASE = "teacher_release"
START_MODES = (WINDOW, TEACHER_RELEASE)
MAX_NETWORKS = 50


# -- settings --------------------------------------------------------------------------------


def clean_start_mode(value: Any) -> str:
    if value is None:
        return WINDOW
    if value not in START_MODES:
        raise Invalid(f"start_mode must be one of: {', '.join(START_MODES)}.",
                      field="start_mode")
    return value


def clean_networks(value: Any) -> list[str] | None:
    """Normalised CIDR strings (``10.1.2.0/24``, ``2001:db8::/32``; a bare address is a
    single-host network), duplicates dropped; None or [] allows every address."""
    if value is None:
        return None
    if not isinstance(value, list | tuple):
        raise Invalid("allowed_networks must be a list of CIDR strings.",
                      field="allowed_networks")
    if len(value) > MAX_NETWORKS:
        raise Invalid(f"allowed_networks holds at most {MAX_NETWORKS} networks.",
                      field="allowed_networks")
    networks: list[str] = []
    for item in value:
        try:
            if not isinstance(item, str):
                raise ValueError(item)
            network = str(ipaddress.ip_network(item.strip(), strict=False))
        except ValueError:
            raise Invalid(f"allowed_networks: {item!r} is not a network in CIDR notation "
                          "(e.g. 10.1.2.0/24).", field="allowed_networks") from None
        if network not in networks:
            networks.append(network)
    return networks or None


def hash_quiz_password(password: Any, rounds: int) -> str | None:
    """The stored form of a quiz password; None or "" removes the password."""
    if password is None or password == "":
        return None
    if not isinstance(password, str):
        raise Invalid("password must be a string.", field="password")
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise Invalid(f"password must be at most {MAX_PASSWORD_BYTES} bytes.",
                      field="password")
    return hash_password(password, rounds)


def quiz_fields(quiz: Quiz) -> dict[str, Any]:
    """The start-mode and gate fields of a quiz object (the password never leaves)."""
    return {"start_mode": quiz.start_mode, "released_at": quiz.released_at,
            "has_password": quiz.password_hash is not None}


# -- gates -----------------------------------------------------------------------------------


def address_allowed(networks: list[str] | None, address: str | None) -> bool:
    if not networks:
        return True
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in ipaddress.ip_network(network) for network in networks)


def check_network(quiz: Quiz, address: str | None) -> None:
    if not address_allowed(quiz.allowed_networks, address):
        raise Forbidden("This quiz can only be taken from the school's network.",
                        reason="network")


def check_password(quiz: Quiz, password: Any) -> None:
    """Constant-time (bcrypt) check of the quiz password given at start."""
    if quiz.password_hash is None:
        return
    if not isinstance(password, str) or not verify_password(password, quiz.password_hash):
        raise Forbidden("This quiz needs its password, and that one is not it."
                        if password else "This quiz needs a password to start.",
                        reason="quiz_password")


# -- released start --------------------------------------------------------------------------


def bound_by_release(quiz: Quiz, limits=None) -> bool:
    """Does the release decide when this student starts? Not for a student whose own
    override gives them their own window (a make-up sitting)."""
    return quiz.start_mode == TEACHER_RELEASE and not getattr(limits, "own_window", False)


def release_refusal(quiz: Quiz, limits, now: dt.datetime) -> Conflict | Forbidden | None:
    """Why a released-start quiz cannot start now for this student (None: it can)."""
    if not bound_by_release(quiz, limits):
        return None
    if quiz.released_at is None:
        return Conflict("This quiz starts when your teacher releases it. Please wait.",
                        reason="waiting_for_release")
    if clock_start_deadline(quiz, limits, now) <= now:
        return Forbidden("The released sitting of this quiz is over.", reason="release_over",
                         released_at=quiz.released_at)
    return None


def clock_start_deadline(quiz: Quiz, limits, now: dt.datetime) -> dt.datetime:
    """The deadline of an attempt starting at ``now``: from the release for a student bound
    by it, from now otherwise; capped by the student's close date."""
    start = quiz.released_at if bound_by_release(quiz, limits) and quiz.released_at else now
    minutes = limits.time_limit_minutes if limits is not None else quiz.time_limit_minutes
    end = limits.end_date if limits is not None else quiz.end_date
    return timing.compute_deadline(start, minutes, end)


def record_waiting(session: Session, quiz: Quiz, student: User) -> None:
    """Note that ``student`` is waiting for the release; announce it the first time."""
    exists = session.scalar(sa.select(sa.literal(1)).where(
        QuizWaiting.quiz_id == quiz.id, QuizWaiting.student_id == student.id))
    if exists:
        return
    try:
        with session.begin_nested():
            session.add(QuizWaiting(quiz_id=quiz.id, student_id=student.id))
    except IntegrityError:
        return  # a concurrent request of the same student recorded it first
    emit(session, StudentWaiting(actor_id=student.id, quiz_id=quiz.id, student_id=student.id,
                                 student_name=student.name))


@dataclass(frozen=True)
class Released:
    released_at: dt.datetime
    already_released: bool
    waiting: int


def release_quiz(session: Session, quiz_id: str, actor: User, *,
                 now: dt.datetime | None = None) -> Released:
    """Release a ``teacher_release`` quiz (its owner or an admin): every student's clock
    starts at this instant. The quiz row is locked, so of two releases one stamps the
    instant and the other answers it."""
    quiz = session.scalars(sa.select(Quiz).where(Quiz.id == quiz_id).with_for_update()).first()
    if quiz is None or not manages(actor, quiz):
        raise NotFound("Quiz")
    if quiz.start_mode != TEACHER_RELEASE:
        raise Conflict("This quiz starts by its window, not by release.",
                       reason="not_teacher_release")
    if quiz.released_at is not None:
        return Released(quiz.released_at, True, 0)
    if quiz.status != QuizStatus.PUBLISHED:
        raise Conflict("Publish the quiz before releasing it.", reason="not_published")
    now = now or utcnow()
    waiting = session.scalar(sa.select(sa.func.count()).select_from(QuizWaiting)
                             .where(QuizWaiting.quiz_id == quiz.id)) or 0
    quiz.released_at = now
    session.execute(sa.delete(QuizWaiting).where(QuizWaiting.quiz_id == quiz.id))
    session.flush()
    emit(session, QuizReleased(actor_id=actor.id, quiz_id=quiz.id, released_at=now,
                               waiting=waiting))
    return Released(now, False, waiting)


@dataclass(frozen=True)
class ReleaseState:
    start_mode: str
    released_at: dt.datetime | None

    @property
    def released(self) -> bool:
        """May a student bound by the release start now? (A window quiz: always.)"""
        return self.start_mode != TEACHER_RELEASE or self.released_at is not None


def release_state(session: Session, quiz_id: str, user: User) -> ReleaseState:
    """The release state of a quiz the user may see (404 otherwise), in one query for a
    student: 1,000 students poll it every 2 s while they wait."""
    if user.role == Role.STUDENT:
        row = session.execute(
            sa.select(Quiz.start_mode, Quiz.released_at)
            .join(QuizClass, QuizClass.quiz_id == Quiz.id)
            .join(Student, Student.class_id == QuizClass.class_id)
            .where(Quiz.id == quiz_id, Student.id == user.id,
                   Quiz.status != QuizStatus.DRAFT)
            .limit(1)).first()
        if row is None:
            raise NotFound("Quiz")
        return ReleaseState(row.start_mode, row.released_at)
    quiz = session.get(Quiz, quiz_id)
    if quiz is None or not manages(user, quiz):
        raise NotFound("Quiz")
    return ReleaseState(quiz.start_mode, quiz.released_at)
