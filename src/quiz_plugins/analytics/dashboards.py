"""Dashboard figures for administrators, teachers and students.

Each function returns a JSON-ready dict built with a fixed number of aggregate queries
(``COUNT``/``AVG``/``SUM ... GROUP BY``), whatever the size of the school; nothing is
counted in Python over rows. Result figures follow :mod:`quizcore.domain.analytics`: an
attempt has a *result* once its final score is known (``passed`` set); averages and pass
rates are over results only, and attempts that ended without one (waiting for a teacher, or
no grader) are ``pending_results``. Percentages are 0..100 with two decimals; an average of
nothing is None. Days are UTC dates.

The shared blocks:

* ``results``: ``attempts`` (all, in progress included), ``in_progress``, ``completed``
  (ended), ``results``, ``pending_results``, ``passed``, ``failed``, ``pass_rate``,
  ``average_percentage``, ``total_violations``;
* ``activity``: one entry per day of the last ``activity_days`` days, oldest first:
  ``{"date", "started", "submitted"}``;
* ``recent_attempts``: the latest attempts, newest first: ``attempt_id, quiz{id, title,
  subject}, student{id, name, registration_number}, attempt_number, status, score,
  total_marks, percentage, passed, total_violations, started_at, submitted_at``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from quizcore.domain.analytics import ENDED_STATUSES, count_where, has_final_result, rounded
from quizcore.domain.timing import iso
from quizcore.models import (
    AttemptStatus,
    Question,
    QuestionType,
    Quiz,
    QuizAttempt,
    QuizQuestion,
    QuizSection,
    QuizStatus,
    Role,
    SchoolClass,
    Student,
    Teacher,
    TeacherClass,
    User,
    Violation,
    ViolationType,
    utcnow,
)

RECENT_LIMIT = 10
ACTIVITY_DAYS = 14
#: The most quizzes listed in the administrator's "top quizzes".
TOP_QUIZZES = 10
#: The most results drawn in a student's progress line.
PROGRESS_POINTS = 20


# -- shared blocks ---------------------------------------------------------------------------


def _result_columns() -> tuple:
    final = has_final_result()
    ended = QuizAttempt.status.in_(ENDED_STATUSES)
    return (
        sa.func.count(QuizAttempt.id).label("attempts"),
        count_where(QuizAttempt.status == AttemptStatus.IN_PROGRESS).label("in_progress"),
        count_where(ended).label("completed"),
        count_where(final).label("results"),
        count_where(sa.and_(final, QuizAttempt.passed.is_(True))).label("passed"),
        sa.func.avg(sa.case((final, QuizAttempt.percentage))).label("average_percentage"),
        sa.func.max(sa.case((final, QuizAttempt.percentage))).label("best_percentage"),
        sa.func.coalesce(sa.func.sum(QuizAttempt.total_violations), 0).label("violations"),
    )


def _results(row) -> dict[str, Any]:
    results = int(row.results or 0)
    passed = int(row.passed or 0)
    return {
        "attempts": int(row.attempts or 0),
        "in_progress": int(row.in_progress or 0),
        "completed": int(row.completed or 0),
        "results": results,
        "pending_results": int(row.completed or 0) - results,
        "passed": passed,
        "failed": results - passed,
        "pass_rate": rounded(100 * passed / results) if results else None,
        "average_percentage": rounded(row.average_percentage),
        "total_violations": int(row.violations or 0),
    }


def _results_where(session: Session, condition) -> dict[str, Any]:
    row = session.execute(sa.select(*_result_columns()).where(condition)).one()
    return _results(row)


def _day(value) -> str:
    # DATE() gives a date on MariaDB and a string on SQLite.
    return value.isoformat() if isinstance(value, dt.date) else str(value)[:10]


def activity(session: Session, condition, now: dt.datetime,
             days: int = ACTIVITY_DAYS) -> list[dict[str, Any]]:
    """Attempts started and submitted per UTC day over the last ``days`` days (two
    ``GROUP BY DATE(...)`` queries)."""
    first_day = (now - dt.timedelta(days=days - 1)).date()
    since = dt.datetime.combine(first_day, dt.time())
    per_day = {(first_day + dt.timedelta(days=i)).isoformat(): {"started": 0, "submitted": 0}
               for i in range(days)}
    for column, key in ((QuizAttempt.started_at, "started"),
                        (QuizAttempt.submitted_at, "submitted")):
        day = sa.func.date(column)
        for value, count in session.execute(
                sa.select(day, sa.func.count()).where(condition, column >= since)
                .group_by(day)):
            if _day(value) in per_day:
                per_day[_day(value)][key] = int(count)
    return [{"date": date, **counts} for date, counts in per_day.items()]


def recent_attempts(session: Session, condition, limit: int = RECENT_LIMIT) -> list[dict]:
    """The latest attempts matching ``condition`` (newest start first)."""
    rows = session.execute(
        sa.select(QuizAttempt, Quiz.title, Quiz.subject, User.name,
                  Student.registration_number)
        .join(Quiz, Quiz.id == QuizAttempt.quiz_id)
        .join(User, User.id == QuizAttempt.student_id)
        .join(Student, Student.id == QuizAttempt.student_id)
        .where(condition)
        .order_by(QuizAttempt.started_at.desc(), QuizAttempt.id).limit(limit))
    return [{
        "attempt_id": attempt.id,
        "quiz": {"id": attempt.quiz_id, "title": title, "subject": subject},
        "student": {"id": attempt.student_id, "name": name,
                    "registration_number": registration},
        "attempt_number": attempt.attempt_number, "status": str(attempt.status),
        "score": rounded(attempt.score), "total_marks": attempt.total_marks,
        "percentage": rounded(attempt.percentage), "passed": attempt.passed,
        "total_violations": attempt.total_violations,
        "started_at": iso(attempt.started_at), "submitted_at": iso(attempt.submitted_at),
    } for attempt, title, subject, name, registration in rows]


def _violations_by_type(session: Session, attempt_condition) -> dict[str, int]:
    by_type = {member.value: 0 for member in ViolationType}
    attempts = sa.select(QuizAttempt.id).where(attempt_condition)
    for vtype, count in session.execute(
            sa.select(Violation.violation_type, sa.func.count())
            .where(Violation.attempt_id.in_(attempts)).group_by(Violation.violation_type)):
        by_type[str(vtype)] = int(count)
    return by_type


def _counts_by(session: Session, column, condition=sa.true(), members=()) -> dict[str, int]:
    counts = {str(member.value): 0 for member in members}
    for value, count in session.execute(
            sa.select(column, sa.func.count()).where(condition).group_by(column)):
        counts[str(value.value if hasattr(value, "value") else value)] = int(count)
    return counts


def _student_count():
    """Students of the class in the enclosing query's row (the enclosing query joins
    students too, so the correlation is spelled out)."""
    inner = aliased(Student)
    return (sa.select(sa.func.count()).select_from(inner)
            .where(inner.class_id == SchoolClass.id).correlate(SchoolClass).scalar_subquery())


def _class_json(row) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "section": row.section,
            "academic_year": row.academic_year, "student_count": int(row.student_count or 0)}


# -- administrators --------------------------------------------------------------------------


def admin_dashboard(session: Session, *, now: dt.datetime | None = None,
                    recent_limit: int = RECENT_LIMIT,
                    activity_days: int = ACTIVITY_DAYS) -> dict[str, Any]:
    """The school at a glance.

    ``users`` (``total, active, by_role{admin, teacher, student}, students_claimed,
    students_unclaimed``), ``classes`` (count), ``questions`` (``total, by_type``),
    ``quizzes`` (``total, by_status``), ``attempts`` (the ``results`` block plus
    ``by_status``, ``last_7_days``, ``last_30_days``, ``auto_submitted_for_violations``),
    ``violations`` (``total_violations, by_type``), ``classes_breakdown`` (per class:
    ``id, name, section, academic_year, student_count, teacher_count`` and the results of
    its students), ``top_quizzes`` (the most attempted: ``id, title, subject, status,
    teacher{id, name}`` and results), ``activity``, ``recent_attempts``, ``generated_at``.
    """
    now = now or utcnow()
    by_role = _counts_by(session, User.role, members=Role)
    active = session.scalar(sa.select(sa.func.count()).select_from(User)
                            .where(User.is_active.is_(True)))
    claimed = session.scalar(sa.select(sa.func.count()).select_from(Student)
                             .where(Student.is_account_claimed.is_(True)))
    attempts = _results_where(session, sa.true())
    recent = session.execute(sa.select(
        count_where(QuizAttempt.started_at >= now - dt.timedelta(days=7)),
        count_where(QuizAttempt.started_at >= now - dt.timedelta(days=30)),
        count_where(QuizAttempt.auto_submitted_due_to_violations.is_(True)))).one()
    attempts.update(by_status=_counts_by(session, QuizAttempt.status, members=AttemptStatus),
                    last_7_days=int(recent[0]), last_30_days=int(recent[1]),
                    auto_submitted_for_violations=int(recent[2]))
    by_type = _violations_by_type(session, sa.true())

    teacher_count = (sa.select(sa.func.count()).select_from(TeacherClass)
                     .where(TeacherClass.class_id == SchoolClass.id)
                     .correlate(SchoolClass).scalar_subquery())
    classes = session.execute(
        sa.select(SchoolClass.id, SchoolClass.name, SchoolClass.section,
                  SchoolClass.academic_year, _student_count().label("student_count"),
                  teacher_count.label("teacher_count"), *_result_columns())
        .outerjoin(Student, Student.class_id == SchoolClass.id)
        .outerjoin(QuizAttempt, QuizAttempt.student_id == Student.id)
        .group_by(SchoolClass.id, SchoolClass.name, SchoolClass.section,
                  SchoolClass.academic_year)
        .order_by(SchoolClass.name, SchoolClass.section, SchoolClass.academic_year))
    teacher_user = aliased(User)
    quizzes = session.execute(
        sa.select(Quiz.id, Quiz.title, Quiz.subject, Quiz.status, Quiz.created_by,
                  teacher_user.name.label("teacher_name"), *_result_columns())
        .join(QuizAttempt, QuizAttempt.quiz_id == Quiz.id)
        .join(teacher_user, teacher_user.id == Quiz.created_by)
        .group_by(Quiz.id, Quiz.title, Quiz.subject, Quiz.status, Quiz.created_by,
                  teacher_user.name)
        .order_by(sa.func.count(QuizAttempt.id).desc(), Quiz.title).limit(TOP_QUIZZES))
    return {
        "users": {"total": sum(by_role.values()), "active": int(active or 0),
                  "by_role": by_role, "students_claimed": int(claimed or 0),
                  "students_unclaimed": by_role[Role.STUDENT.value] - int(claimed or 0)},
        "classes": {"total": session.scalar(sa.select(sa.func.count())
                                            .select_from(SchoolClass))},
        "questions": {"total": session.scalar(sa.select(sa.func.count())
                                              .select_from(Question)),
                      "by_type": _counts_by(session, Question.type, members=QuestionType)},
        "quizzes": {"total": session.scalar(sa.select(sa.func.count()).select_from(Quiz)),
                    "by_status": _counts_by(session, Quiz.status, members=QuizStatus)},
        "attempts": attempts,
        "violations": {"total_violations": sum(by_type.values()), "by_type": by_type},
        "classes_breakdown": [{**_class_json(row), "teacher_count": int(row.teacher_count),
                               **_results(row)} for row in classes],
        "top_quizzes": [{"id": row.id, "title": row.title, "subject": row.subject,
                         "status": str(row.status),
                         "teacher": {"id": row.created_by, "name": row.teacher_name},
                         **_results(row)} for row in quizzes],
        "activity": activity(session, sa.true(), now, activity_days),
        "recent_attempts": recent_attempts(session, sa.true(), recent_limit),
        "generated_at": iso(now),
    }


# -- teachers --------------------------------------------------------------------------------


def teacher_dashboard(session: Session, teacher: User, *, now: dt.datetime | None = None,
                      recent_limit: int = RECENT_LIMIT,
                      activity_days: int = ACTIVITY_DAYS) -> dict[str, Any]:
    """A teacher's quizzes and classes.

    ``teacher`` (``id, name, email, subject``), ``totals`` (``classes, students, questions,
    quizzes, quizzes_by_status`` and the ``results`` block over attempts at their
    quizzes), ``quizzes`` (each of their quizzes, newest first: ``id, title, subject,
    status, created_at, question_count, students_attempted`` and its results),
    ``classes`` (each assigned class: ``id, name, section, academic_year, student_count``
    and the results of its students at this teacher's quizzes), ``activity``,
    ``recent_attempts`` (at their quizzes), ``generated_at``.
    """
    now = now or utcnow()
    teacher_id = teacher.id
    own_quizzes = sa.select(Quiz.id).where(Quiz.created_by == teacher_id)
    at_own_quizzes = QuizAttempt.quiz_id.in_(own_quizzes)
    assigned = sa.select(TeacherClass.class_id).where(TeacherClass.teacher_id == teacher_id)
    profile = session.get(Teacher, teacher_id)

    # Questions on every paper: the fixed ones and each section's draw.
    question_count = ((sa.select(sa.func.count()).select_from(QuizQuestion)
                       .where(QuizQuestion.quiz_id == Quiz.id).correlate(Quiz)
                       .scalar_subquery())
                      + (sa.select(sa.func.coalesce(sa.func.sum(QuizSection.draw), 0))
                         .where(QuizSection.quiz_id == Quiz.id).correlate(Quiz)
                         .scalar_subquery()))
    quizzes = session.execute(
        sa.select(Quiz.id, Quiz.title, Quiz.subject, Quiz.status, Quiz.created_at,
                  question_count.label("question_count"),
                  sa.func.count(sa.distinct(QuizAttempt.student_id)).label("students"),
                  *_result_columns())
        .outerjoin(QuizAttempt, QuizAttempt.quiz_id == Quiz.id)
        .where(Quiz.created_by == teacher_id)
        .group_by(Quiz.id, Quiz.title, Quiz.subject, Quiz.status, Quiz.created_at)
        .order_by(Quiz.created_at.desc(), Quiz.id))
    classes = session.execute(
        sa.select(SchoolClass.id, SchoolClass.name, SchoolClass.section,
                  SchoolClass.academic_year, _student_count().label("student_count"),
                  *_result_columns())
        .outerjoin(Student, Student.class_id == SchoolClass.id)
        .outerjoin(QuizAttempt, sa.and_(QuizAttempt.student_id == Student.id, at_own_quizzes))
        .where(SchoolClass.id.in_(assigned))
        .group_by(SchoolClass.id, SchoolClass.name, SchoolClass.section,
                  SchoolClass.academic_year)
        .order_by(SchoolClass.name, SchoolClass.section, SchoolClass.academic_year))
    totals = _results_where(session, at_own_quizzes)
    by_status = _counts_by(session, Quiz.status, Quiz.created_by == teacher_id, QuizStatus)
    totals.update(
        classes=session.scalar(sa.select(sa.func.count()).select_from(TeacherClass)
                               .where(TeacherClass.teacher_id == teacher_id)),
        students=session.scalar(sa.select(sa.func.count()).select_from(Student)
                                .where(Student.class_id.in_(assigned))),
        questions=session.scalar(sa.select(sa.func.count()).select_from(Question)
                                 .where(Question.created_by == teacher_id)),
        quizzes=sum(by_status.values()), quizzes_by_status=by_status)
    return {
        "teacher": {"id": teacher.id, "name": teacher.name, "email": teacher.email,
                    "subject": profile.subject if profile else None},
        "totals": totals,
        "quizzes": [{"id": row.id, "title": row.title, "subject": row.subject,
                     "status": str(row.status), "created_at": iso(row.created_at),
                     "question_count": int(row.question_count or 0),
                     "students_attempted": int(row.students or 0), **_results(row)}
                    for row in quizzes],
        "classes": [{**_class_json(row), **_results(row)} for row in classes],
        "activity": activity(session, at_own_quizzes, now, activity_days),
        "recent_attempts": recent_attempts(session, at_own_quizzes, recent_limit),
        "generated_at": iso(now),
    }


# -- students --------------------------------------------------------------------------------


def student_dashboard(session: Session, student: Student, *, quiz_owner_id: str | None = None,
                      now: dt.datetime | None = None,
                      recent_limit: int = RECENT_LIMIT) -> dict[str, Any]:
    """A student's results.

    With ``quiz_owner_id`` only attempts at that teacher's quizzes count (a teacher sees a
    student's attempts at their own quizzes, as everywhere else); ``scope`` says which
    (``all`` or ``teacher``).

    ``student`` (``id, name, registration_number, class{id, name, section,
    academic_year}``), ``totals`` (the ``results`` block plus ``quizzes_taken`` and
    ``best_percentage``), ``quizzes`` (per quiz attempted, latest first: ``quiz{id, title,
    subject}, attempts, results, best_score, best_percentage, average_percentage, passed``
    (passed at least once; None before any result), ``last_attempt_at``), ``subjects``
    (per subject: ``subject`` and the results block), ``progress`` (the latest results in
    time order, for a line: ``attempt_id, quiz_id, quiz_title, submitted_at, percentage,
    passed``), ``recent_attempts``, ``scope``, ``generated_at``.
    """
    now = now or utcnow()
    condition = QuizAttempt.student_id == student.id
    if quiz_owner_id is not None:
        condition = sa.and_(condition, QuizAttempt.quiz_id.in_(
            sa.select(Quiz.id).where(Quiz.created_by == quiz_owner_id)))
    final = has_final_result()
    totals_row = session.execute(
        sa.select(*_result_columns(),
                  sa.func.count(sa.distinct(QuizAttempt.quiz_id)).label("quizzes"))
        .where(condition)).one()
    totals = _results(totals_row)
    totals.update(quizzes_taken=int(totals_row.quizzes or 0),
                  best_percentage=rounded(totals_row.best_percentage))
    quizzes = session.execute(
        sa.select(Quiz.id, Quiz.title, Quiz.subject, *_result_columns(),
                  sa.func.max(sa.case((final, QuizAttempt.score))).label("best_score"),
                  sa.func.max(sa.case((final, sa.case((QuizAttempt.passed.is_(True), 1),
                                                      else_=0)))).label("passed_once"),
                  sa.func.max(QuizAttempt.started_at).label("last_attempt_at"))
        .join(Quiz, Quiz.id == QuizAttempt.quiz_id).where(condition)
        .group_by(Quiz.id, Quiz.title, Quiz.subject)
        .order_by(sa.func.max(QuizAttempt.started_at).desc(), Quiz.id))
    subjects = session.execute(
        sa.select(Quiz.subject, *_result_columns())
        .join(Quiz, Quiz.id == QuizAttempt.quiz_id).where(condition)
        .group_by(Quiz.subject).order_by(Quiz.subject))
    progress = list(session.execute(
        sa.select(QuizAttempt.id, QuizAttempt.quiz_id, Quiz.title, QuizAttempt.submitted_at,
                  QuizAttempt.percentage, QuizAttempt.passed)
        .join(Quiz, Quiz.id == QuizAttempt.quiz_id).where(condition, final)
        .order_by(QuizAttempt.submitted_at.desc(), QuizAttempt.id).limit(PROGRESS_POINTS)))
    progress.reverse()
    school_class = student.school_class
    return {
        "student": {"id": student.id, "name": student.user.name,
                    "registration_number": student.registration_number,
                    "class": None if school_class is None else {
                        "id": school_class.id, "name": school_class.name,
                        "section": school_class.section,
                        "academic_year": school_class.academic_year}},
        "scope": "all" if quiz_owner_id is None else "teacher",
        "totals": totals,
        "quizzes": [{"quiz": {"id": row.id, "title": row.title, "subject": row.subject},
                     **_results(row), "best_score": rounded(row.best_score),
                     "best_percentage": rounded(row.best_percentage),
                     "passed": None if row.passed_once is None else bool(row.passed_once),
                     "last_attempt_at": iso(row.last_attempt_at)} for row in quizzes],
        "subjects": [{"subject": row.subject, **_results(row)} for row in subjects],
        "progress": [{"attempt_id": row.id, "quiz_id": row.quiz_id, "quiz_title": row.title,
                      "submitted_at": iso(row.submitted_at),
                      "percentage": rounded(row.percentage), "passed": row.passed}
                     for row in progress],
        "recent_attempts": recent_attempts(session, condition, recent_limit),
        "generated_at": iso(now),
    }
