"""Per-student limits of a quiz: overrides for a student or a class, and accommodations.

A quiz has one time limit, one number of attempts and one window. A teacher may set, for
one quiz, an **override** for a student or for a class: its own time limit (``minutes``, or
a ``multiplier`` of the quiz's limit, not both), ``extra_attempts`` and its own window
(``start_date`` / ``end_date``). A student may also have a standing **accommodation**
(``students.time_multiplier``, e.g. 1.25) that applies to every quiz.

:func:`resolve` decides, field by field, what applies to one student (a pure function):

* a value of the **student's override** wins over everything else; a student override's
  time replaces the accommodation (the teacher set that student's time explicitly);
* otherwise, among the overrides of the student's classes, the **most generous** value wins:
  the longest time, the most extra attempts, the earliest start, the latest end. A class
  override's time is for the class, so the student's accommodation still multiplies it;
* otherwise the quiz's value, the time limit multiplied by the accommodation.

Times are whole minutes, rounded up (a student never gets less than their due), and never
more than :data:`~quizcore.domain.quizzes.MAX_TIME_LIMIT_MINUTES`.

:func:`limits_for` loads what :func:`resolve` needs for one student; the create / update /
delete functions keep the rules of the overrides themselves. **Granting more attempts**
(:func:`grant_student_attempts`, :func:`grant_quiz_attempts`) raises ``extra_attempts`` on
the overrides that decide them, so a student ends up with exactly that many more than they
had, whichever override gave them the ones they had.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..events import EntityChanged, emit
from ..models import Quiz, QuizAttempt, QuizClass, QuizOverride, SchoolClass, Student
from .errors import Conflict, Invalid, NotFound
from .quizzes import MAX_ATTEMPTS, MAX_TIME_LIMIT_MINUTES, class_ids_of
from .quizzes import _bounded_int as bounded_int
from .quizzes import _date as clean_date

#: Multipliers of an override (of the quiz's limit) and of an accommodation.
MIN_MULTIPLIER = Decimal("0.10")
MAX_MULTIPLIER = Decimal("10.00")
MIN_ACCOMMODATION = Decimal("1.00")
ONE = Decimal("1.00")

#: The fields an override may set besides its target.
VALUE_FIELDS = ("time_limit_minutes", "time_multiplier", "extra_attempts", "start_date",
                "end_date")


# -- the pure resolution ---------------------------------------------------------------------


@dataclass(frozen=True)
class QuizLimits:
    """The quiz's own limits."""

    time_limit_minutes: int
    max_attempts: int
    start_date: dt.datetime | None = None
    end_date: dt.datetime | None = None


@dataclass(frozen=True)
class Terms:
    """What one override sets (None: not set)."""

    time_limit_minutes: int | None = None
    time_multiplier: Decimal | None = None
    extra_attempts: int | None = None
    start_date: dt.datetime | None = None
    end_date: dt.datetime | None = None

    @classmethod
    def of(cls, row: QuizOverride) -> Terms:
        return cls(row.time_limit_minutes, row.time_multiplier, row.extra_attempts,
                   row.start_date, row.end_date)

    def minutes(self, base: int) -> int | None:
        """The time this override gives, in (unrounded) minutes, or None."""
        if self.time_limit_minutes is not None:
            return self.time_limit_minutes
        if self.time_multiplier is not None:
            return base * self.time_multiplier
        return None


@dataclass(frozen=True)
class Effective:
    """The limits that apply to one student."""

    time_limit_minutes: int
    attempts_allowed: int
    start_date: dt.datetime | None
    end_date: dt.datetime | None
    #: An override gives this student their own start date (a make-up sitting): they start
    #: by that window even when the quiz starts by teacher release.
    own_window: bool = False

    def fields(self) -> dict[str, Any]:
        """The student-facing names (API.md, "Exam control")."""
        return {"effective_time_limit_minutes": self.time_limit_minutes,
                "attempts_allowed": self.attempts_allowed,
                "effective_start_date": self.start_date, "effective_end_date": self.end_date}


def _whole_minutes(value) -> int:
    return max(1, min(MAX_TIME_LIMIT_MINUTES, math.ceil(value)))


def resolve(quiz: QuizLimits, *, accommodation: Decimal = ONE,
            student: Terms | None = None, classes: Sequence[Terms] = ()) -> Effective:
    """The limits of ``quiz`` for a student with ``accommodation``, their own override
    ``student`` and the overrides of their classes (see the module's rules)."""
    base = quiz.time_limit_minutes
    accommodation = accommodation if accommodation is not None else ONE

    own_time = student.minutes(base) if student is not None else None
    if own_time is not None:
        minutes = own_time
    else:
        class_times = [t for t in (c.minutes(base) for c in classes) if t is not None]
        minutes = (max(class_times) if class_times else base) * accommodation

    def pick(field: str, most_generous):
        own = getattr(student, field) if student is not None else None
        if own is not None:
            return own
        values = [getattr(c, field) for c in classes if getattr(c, field) is not None]
        return most_generous(values) if values else None

    extra = extra_attempts_of(student, classes)
    start = pick("start_date", min)
    end = pick("end_date", max)
    return Effective(
        time_limit_minutes=_whole_minutes(minutes),
        attempts_allowed=quiz.max_attempts + extra,
        start_date=start if start is not None else quiz.start_date,
        end_date=end if end is not None else quiz.end_date,
        own_window=start is not None,
    )


def extra_attempts_of(student: Terms | None, classes: Sequence[Terms] = ()) -> int:
    """The attempts beyond the quiz's ``max_attempts`` that apply to a student: their own
    override's ``extra_attempts`` when it sets one, else the most among their classes'
    overrides, else 0 (the rule :func:`resolve` applies)."""
    if student is not None and student.extra_attempts is not None:
        return student.extra_attempts
    return max((c.extra_attempts for c in classes if c.extra_attempts is not None), default=0)


def raised_extra_attempts(current: int, additional: int,
                          field: str = "additional_attempts") -> int:
    """``current`` extra attempts plus ``additional``; :class:`Invalid` (naming ``field``)
    past :data:`~quizcore.domain.quizzes.MAX_ATTEMPTS`, the most an override may hold."""
    if current + additional > MAX_ATTEMPTS:
        raise Invalid(f"That would give more than {MAX_ATTEMPTS} extra attempts (there are "
                      f"{current} already).", field=field)
    return current + additional


def clean_additional_attempts(value: Any) -> int:
    """How many more attempts a grant gives: a whole number from 1 to
    :data:`~quizcore.domain.quizzes.MAX_ATTEMPTS`."""
    return bounded_int({"additional_attempts": value}, "additional_attempts", 1, MAX_ATTEMPTS)


# -- loading ---------------------------------------------------------------------------------


def quiz_limits(quiz: Quiz) -> QuizLimits:
    return QuizLimits(quiz.time_limit_minutes, quiz.max_attempts, quiz.start_date,
                      quiz.end_date)


def limits_for(session: Session, quiz: Quiz, student: Student | None) -> Effective:
    """The effective limits of ``quiz`` for ``student`` (one query for the overrides)."""
    return limits_for_many(session, [quiz], student)[quiz.id]


def limits_for_many(session: Session, quizzes: Sequence[Quiz],
                    student: Student | None) -> dict[str, Effective]:
    """The effective limits of each quiz for ``student``, by quiz id (one query in all)."""
    if student is None or not quizzes:
        return {quiz.id: resolve(quiz_limits(quiz)) for quiz in quizzes}
    target = QuizOverride.student_id == student.id
    if student.class_id is not None:
        target = sa.or_(target, QuizOverride.class_id == student.class_id)
    rows = session.scalars(sa.select(QuizOverride).where(
        QuizOverride.quiz_id.in_([quiz.id for quiz in quizzes]), target)).all()
    limits = {}
    for quiz in quizzes:
        mine = [r for r in rows if r.quiz_id == quiz.id]
        own = next((Terms.of(r) for r in mine if r.student_id == student.id), None)
        classes = [Terms.of(r) for r in mine if r.class_id is not None]
        limits[quiz.id] = resolve(quiz_limits(quiz), accommodation=student.time_multiplier,
                                  student=own, classes=classes)
    return limits


@dataclass(frozen=True)
class AttemptLimits:
    """An attempt's state with its student's effective limits of the quiz."""

    student_id: str
    quiz_id: str
    status: Any
    deadline_at: dt.datetime | None
    limits: Effective
    #: The quiz's overdue handling (:mod:`quizcore.domain.overdue`).
    overdue_handling: str | None = None
    grace_period_minutes: int | None = None


_attempts, _quizzes = QuizAttempt.__table__, Quiz.__table__
_students, _overrides = Student.__table__, QuizOverride.__table__
_TERMS = ("time_limit_minutes", "time_multiplier", "extra_attempts", "start_date", "end_date")
#: One statement for the attempt, its quiz's limits, the student's accommodation and the
#: overrides that may apply (the student's own, their class's): one row per override, at
#: least one row. The status heartbeat of every student in an exam runs it.
_ATTEMPT_LIMITS = sa.select(
    _attempts.c.student_id, _attempts.c.quiz_id, _attempts.c.status, _attempts.c.deadline_at,
    _quizzes.c.time_limit_minutes, _quizzes.c.max_attempts, _quizzes.c.start_date,
    _quizzes.c.end_date, _quizzes.c.overdue_handling, _quizzes.c.grace_period_minutes,
    _students.c.time_multiplier.label("accommodation"),
    _overrides.c.id.label("override_id"),
    _overrides.c.student_id.label("override_student_id"),
    *(_overrides.c[name].label(f"override_{name}") for name in _TERMS),
).select_from(
    _attempts.join(_quizzes, _quizzes.c.id == _attempts.c.quiz_id)
    .outerjoin(_students, _students.c.id == _attempts.c.student_id)
    .outerjoin(_overrides, sa.and_(
        _overrides.c.quiz_id == _attempts.c.quiz_id,
        sa.or_(_overrides.c.student_id == _attempts.c.student_id,
               _overrides.c.class_id == _students.c.class_id))),
).where(_attempts.c.id == sa.bindparam("attempt_id"))


def attempt_limits(session: Session, attempt_id: str) -> AttemptLimits | None:
    """The attempt's state and its student's effective limits (as :func:`limits_for`), in
    one round trip; None for an unknown attempt."""
    rows = session.execute(_ATTEMPT_LIMITS, {"attempt_id": attempt_id}).all()
    if not rows:
        return None
    first = rows[0]
    terms = [(row, Terms(*(getattr(row, f"override_{name}") for name in _TERMS)))
             for row in rows if row.override_id is not None]
    own = next((t for row, t in terms if row.override_student_id is not None), None)
    classes = [t for row, t in terms if row.override_student_id is None]
    limits = resolve(QuizLimits(first.time_limit_minutes, first.max_attempts, first.start_date,
                                first.end_date),
                     accommodation=first.accommodation, student=own, classes=classes)
    return AttemptLimits(first.student_id, first.quiz_id, first.status, first.deadline_at,
                         limits, first.overdue_handling, first.grace_period_minutes)


def student_window_condition(student_id: str, class_id: str | None, now: dt.datetime):
    """SQL condition on ``Quiz``: an override of the student (or their class) opens the quiz
    now although the quiz's own window does not (a make-up on another day)."""
    target = QuizOverride.student_id == student_id
    if class_id is not None:
        target = sa.or_(target, QuizOverride.class_id == class_id)
    return sa.exists(sa.select(QuizOverride.id).where(
        QuizOverride.quiz_id == Quiz.id, target,
        sa.or_(QuizOverride.start_date.is_not(None), QuizOverride.end_date.is_not(None)),
        sa.or_(QuizOverride.start_date.is_(None), QuizOverride.start_date <= now),
        sa.or_(QuizOverride.end_date.is_(None), QuizOverride.end_date > now)))


# -- checks ----------------------------------------------------------------------------------


def clean_multiplier(value: Any, field: str, low: Decimal = MIN_MULTIPLIER) -> Decimal:
    """A multiplier from ``low`` to :data:`MAX_MULTIPLIER`, two decimals."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise Invalid(f"{field} must be a number.", field=field)
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise Invalid(f"{field} must be a number.", field=field) from None
    if not number.is_finite() or not low <= number <= MAX_MULTIPLIER:
        raise Invalid(f"{field} must be between {low} and {MAX_MULTIPLIER}.", field=field)
    if number != number.quantize(Decimal("0.01")):
        raise Invalid(f"{field} has at most two decimals.", field=field)
    return number.quantize(Decimal("0.01"))


def clean_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """The override values of ``values`` (:data:`VALUE_FIELDS`), checked."""
    cleaned: dict[str, Any] = {}
    if values.get("time_limit_minutes") is not None and \
            values.get("time_multiplier") is not None:
        raise Invalid("Send time_limit_minutes or time_multiplier, not both.",
                      field="time_multiplier")
    if values.get("time_limit_minutes") is not None:
        cleaned["time_limit_minutes"] = bounded_int(values, "time_limit_minutes", 1,
                                                    MAX_TIME_LIMIT_MINUTES)
    if values.get("time_multiplier") is not None:
        cleaned["time_multiplier"] = clean_multiplier(values["time_multiplier"],
                                                      "time_multiplier")
    if values.get("extra_attempts") is not None:
        cleaned["extra_attempts"] = bounded_int(values, "extra_attempts", 0, MAX_ATTEMPTS)
    for field in ("start_date", "end_date"):
        if field in values:
            cleaned[field] = clean_date(values, field)
    return cleaned


def _check_window(quiz: Quiz, row_values: Mapping[str, Any]) -> None:
    start = row_values.get("start_date") or quiz.start_date
    end = row_values.get("end_date") or quiz.end_date
    if start is not None and end is not None and end <= start:
        raise Invalid("end_date must be after start_date (the override's or the quiz's).",
                      field="end_date")


def _check_target(session: Session, quiz: Quiz, student_id: str | None,
                  class_id: str | None) -> None:
    if (student_id is None) == (class_id is None):
        raise Invalid("Send exactly one of student_id and class_id.", field="student_id")
    classes = class_ids_of(quiz)
    if student_id is not None:
        student = session.get(Student, student_id)
        if student is None or student.class_id not in classes:
            raise Invalid("This student is not in a class this quiz is set for.",
                          field="student_id")
    elif class_id not in classes or session.get(SchoolClass, class_id) is None:
        raise Invalid("This quiz is not set for this class.", field="class_id")


def _snapshot(row: QuizOverride) -> dict[str, Any]:
    return {"quiz_id": row.quiz_id, "student_id": row.student_id, "class_id": row.class_id,
            **{field: getattr(row, field) for field in VALUE_FIELDS}}


def _duplicate() -> Conflict:
    return Conflict("This student or class already has an override on this quiz; change "
                    "that one instead.", reason="override_exists")


def _flush_unique(session: Session, row: QuizOverride) -> None:
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        # A concurrent request created the same override first.
        raise _duplicate() from None


# -- create, update, delete ------------------------------------------------------------------


def overrides_of(session: Session, quiz_id: str) -> list[QuizOverride]:
    return list(session.scalars(sa.select(QuizOverride).where(QuizOverride.quiz_id == quiz_id)
                                .order_by(QuizOverride.created_at, QuizOverride.id)))


def override_of(session: Session, quiz: Quiz, override_id: str) -> QuizOverride:
    row = session.get(QuizOverride, override_id)
    if row is None or row.quiz_id != quiz.id:
        raise NotFound("Override")
    return row


def create_override(session: Session, quiz: Quiz, values: Mapping[str, Any], *,
                    actor_id: str | None) -> QuizOverride:
    """Create an override (:class:`Conflict` ``override_exists`` for a second one of the
    same student or class). Emits ``EntityChanged`` (``quiz_override``)."""
    student_id, class_id = values.get("student_id"), values.get("class_id")
    _check_target(session, quiz, student_id, class_id)
    cleaned = clean_values(values)
    if not any(cleaned.get(field) is not None for field in VALUE_FIELDS):
        raise Invalid("An override changes at least one of " + ", ".join(VALUE_FIELDS) + ".",
                      field="time_limit_minutes")
    _check_window(quiz, cleaned)
    existing = sa.select(QuizOverride.id).where(
        QuizOverride.quiz_id == quiz.id,
        QuizOverride.student_id == student_id if student_id else
        QuizOverride.class_id == class_id)
    if session.scalar(sa.select(sa.exists(existing))):
        raise _duplicate()
    row = QuizOverride(quiz_id=quiz.id, student_id=student_id, class_id=class_id,
                       created_by=actor_id, **cleaned)
    _flush_unique(session, row)
    emit(session, EntityChanged(actor_id=actor_id, action="create", entity_type="quiz_override",
                                entity_id=row.id, new=_snapshot(row)))
    return row


def update_override(session: Session, quiz: Quiz, row: QuizOverride,
                    values: Mapping[str, Any], *, actor_id: str | None) -> QuizOverride:
    """Change any of the override's values (null clears one); its target stays."""
    for field in ("student_id", "class_id"):
        if field in values and values[field] != getattr(row, field):
            raise Invalid("An override's student or class cannot change; delete it and "
                          "create another.", field=field)
    merged = {field: getattr(row, field) for field in VALUE_FIELDS}
    changes = {field: values[field] for field in VALUE_FIELDS if field in values}
    if changes.get("time_limit_minutes") is not None:
        merged["time_multiplier"] = None  # one replaces the other
    if changes.get("time_multiplier") is not None:
        merged["time_limit_minutes"] = None
    merged.update(changes)
    cleaned = {field: None for field in VALUE_FIELDS} | clean_values(merged)
    if not any(value is not None for value in cleaned.values()):
        raise Invalid("An override changes at least one of " + ", ".join(VALUE_FIELDS) +
                      "; delete it instead.", field="time_limit_minutes")
    _check_window(quiz, cleaned)
    old = {f: getattr(row, f) for f in VALUE_FIELDS if getattr(row, f) != cleaned[f]}
    new = {f: cleaned[f] for f in old}
    for field, value in cleaned.items():
        setattr(row, field, value)
    session.flush()
    if new:
        emit(session, EntityChanged(actor_id=actor_id, action="update",
                                    entity_type="quiz_override", entity_id=row.id, old=old,
                                    new=new))
    return row


def delete_override(session: Session, row: QuizOverride, *, actor_id: str | None) -> None:
    old = _snapshot(row)
    session.delete(row)
    session.flush()
    emit(session, EntityChanged(actor_id=actor_id, action="delete", entity_type="quiz_override",
                                entity_id=row.id, old=old))


# -- granting more attempts ------------------------------------------------------------------


def lock_quiz(session: Session, quiz_id: str) -> Quiz | None:
    """The quiz with its row locked (``SELECT ... FOR UPDATE``): grants of more attempts at
    one quiz run one at a time, each reading the overrides the one before it committed."""
    return session.scalars(sa.select(Quiz).where(Quiz.id == quiz_id).with_for_update()
                           .execution_options(populate_existing=True)).first()


def quiz_class_ids(session: Session, quiz_id: str) -> tuple[str, ...]:
    """The quiz's classes, read from the table (not a relationship loaded earlier)."""
    return tuple(sorted(session.scalars(sa.select(QuizClass.class_id)
                                        .where(QuizClass.quiz_id == quiz_id))))


def _locked_overrides(session: Session, quiz_id: str, condition=sa.true()) -> list[QuizOverride]:
    return list(session.scalars(
        sa.select(QuizOverride).where(QuizOverride.quiz_id == quiz_id, condition)
        .order_by(QuizOverride.id).with_for_update()
        .execution_options(populate_existing=True)))


def grant_student_attempts(session: Session, quiz: Quiz, student: Student, additional: int,
                           *, actor_id: str | None,
                           field: str = "additional_attempts") -> tuple[QuizOverride, int]:
    """``additional`` more attempts at ``quiz`` for ``student``; returns their override and
    the attempts they are now allowed.

    Their own override's ``extra_attempts`` becomes the extra attempts they have now
    (:func:`extra_attempts_of`) plus ``additional``: extra attempts a class override gave
    them are carried over, since their own value replaces their classes'. The override is
    created when they have none, with no other value set, so every other limit still resolves
    as before. :class:`Invalid` (naming ``field``) past
    :data:`~quizcore.domain.quizzes.MAX_ATTEMPTS` extra attempts. The caller holds the quiz's
    lock (:func:`lock_quiz`); the override rows are locked too."""
    target = QuizOverride.student_id == student.id
    if student.class_id is not None:
        target = sa.or_(target, QuizOverride.class_id == student.class_id)
    rows = _locked_overrides(session, quiz.id, target)
    own = next((row for row in rows if row.student_id == student.id), None)
    classes = [Terms.of(row) for row in rows if row.class_id is not None]
    extra = raised_extra_attempts(
        extra_attempts_of(Terms.of(own) if own is not None else None, classes), additional,
        field)
    if own is None:
        own = QuizOverride(quiz_id=quiz.id, student_id=student.id, extra_attempts=extra,
                           created_by=actor_id)
        _flush_unique(session, own)
    else:
        own.extra_attempts = extra
        session.flush()
    return own, quiz.max_attempts + extra


def grant_attempt(session: Session, quiz: Quiz, student_id: str, *,
                  actor_id: str | None) -> QuizOverride:
    """One more attempt for the student (a teacher reopening an ended attempt), as
    :func:`grant_student_attempts`; takes the quiz's lock itself."""
    lock_quiz(session, quiz.id)
    row, _ = grant_student_attempts(session, quiz, session.get(Student, student_id), 1,
                                    actor_id=actor_id, field="extra_attempts")
    return row


@dataclass(frozen=True)
class QuizGrant:
    """What a grant to the whole quiz changed."""

    #: The quiz's classes, each of whose override was raised (or created).
    class_ids: tuple[str, ...]
    #: Every student of those classes -> the attempts they are now allowed.
    attempts_allowed: dict[str, int]


def grant_quiz_attempts(session: Session, quiz: Quiz, additional: int, *,
                        actor_id: str | None) -> QuizGrant:
    """``additional`` more attempts for every student of the quiz's classes.

    Each class's override of the quiz gets ``extra_attempts`` + ``additional`` (one is
    created with ``additional`` for a class that has none), so every student of the class has
    that many more, and so does a student who joins the class later: the class's terms are
    the class's. A student whose own override sets ``extra_attempts`` (which beats their
    class's) has theirs raised by the same number. No override of a single student is
    created, so a later change to a class's override still reaches all of its students.
    Every new value is checked before any is written (:class:`Invalid` past
    :data:`~quizcore.domain.quizzes.MAX_ATTEMPTS`); :class:`Conflict` ``no_classes`` for a
    quiz set for no class. The caller holds the quiz's lock (:func:`lock_quiz`)."""
    class_ids = quiz_class_ids(session, quiz.id)
    if not class_ids:
        raise Conflict("This quiz is not set for any class.", reason="no_classes")
    members = dict(session.execute(sa.select(Student.id, Student.class_id)
                                   .where(Student.class_id.in_(class_ids))).all())
    rows = _locked_overrides(session, quiz.id)
    by_class = {row.class_id: row for row in rows if row.class_id in class_ids}
    own = {row.student_id: row for row in rows
           if row.student_id in members and row.extra_attempts is not None}
    class_extra = {
        class_id: raised_extra_attempts(
            (by_class[class_id].extra_attempts or 0) if class_id in by_class else 0,
            additional)
        for class_id in class_ids}
    own_extra = {student_id: raised_extra_attempts(row.extra_attempts, additional)
                 for student_id, row in own.items()}
    for class_id in class_ids:
        if class_id in by_class:
            by_class[class_id].extra_attempts = class_extra[class_id]
        else:
            _flush_unique(session, QuizOverride(quiz_id=quiz.id, class_id=class_id,
                                                extra_attempts=class_extra[class_id],
                                                created_by=actor_id))
    for student_id, extra in own_extra.items():
        own[student_id].extra_attempts = extra
    session.flush()
    return QuizGrant(class_ids, {
        student_id: quiz.max_attempts + own_extra.get(student_id, class_extra[class_id])
        for student_id, class_id in members.items()})


def override_json(row: QuizOverride, names: Mapping[str, str] | None = None) -> dict[str, Any]:
    """An override as the API shows it to staff."""
    data = {"id": row.id, "quiz_id": row.quiz_id, "student_id": row.student_id,
            "class_id": row.class_id, **{f: getattr(row, f) for f in VALUE_FIELDS},
            "created_by": row.created_by, "created_at": row.created_at,
            "updated_at": row.updated_at}
    if row.time_multiplier is not None:
        data["time_multiplier"] = float(row.time_multiplier)
    if names is not None:
        data["name"] = names.get(row.student_id or row.class_id)
    return data
