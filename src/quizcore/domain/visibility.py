"""Who may see which classes, students and teachers.

The rule of the school:

* an **admin** sees everything;
* a **teacher** sees the classes they are assigned to (``teacher_classes``) and the students
  in those classes, and among teachers only themselves;
* a **student** sees only themselves.

Quizzes and questions belong to the teacher who made them (and are managed by admins); an
attempt is seen by its student and by whoever manages its quiz.

Anything not visible is answered with 404 by the services, as if it did not exist. Every
feature (quizzes, attempts, grading, analytics, exports) asks these functions, so the rule
lives in one place. The ``*_visible_to`` functions return ``select()`` statements (or
conditions) to build queries on; the ``can_see_*`` functions answer for one object.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import Quiz, QuizAttempt, Role, SchoolClass, Student, TeacherClass, User


def is_admin(user: User | None) -> bool:
    """Admins see and may change everything."""
    return user is not None and user.role == Role.ADMIN


def assigned_class_ids(teacher_id: str) -> sa.Select:
    """``SELECT class_id`` of the classes a teacher is assigned to (a subquery)."""
    return sa.select(TeacherClass.class_id).where(TeacherClass.teacher_id == teacher_id)


def visible_class_condition(user: User) -> sa.ColumnElement[bool]:
    """A condition on ``SchoolClass.id`` (or any class id column via :func:`class_id_visible`)
    true for the classes ``user`` may see."""
    return class_id_visible(SchoolClass.id, user)


def class_id_visible(column: sa.ColumnElement, user: User) -> sa.ColumnElement[bool]:
    """A condition true when the class id in ``column`` is visible to ``user``.

    Use it on any table with a class id (``Student.class_id``, ``QuizClass.class_id``...).
    A NULL class id is visible to admins only.
    """
    if is_admin(user):
        return sa.true()
    if user.role == Role.TEACHER:
        return column.in_(assigned_class_ids(user.id))
    if user.role == Role.STUDENT:
        own_class = sa.select(Student.class_id).where(Student.id == user.id).scalar_subquery()
        return column == own_class
    return sa.false()


def classes_visible_to(user: User) -> sa.Select:
    """``select(SchoolClass)`` restricted to the classes ``user`` may see."""
    statement = sa.select(SchoolClass)
    if user.role == Role.STUDENT:
        # Students see themselves only, not their classmates' class listing.
        return statement.where(sa.false())
    return statement.where(visible_class_condition(user))


def student_condition(user: User) -> sa.ColumnElement[bool]:
    """A condition on ``Student`` true for the students ``user`` may see."""
    if is_admin(user):
        return sa.true()
    if user.role == Role.TEACHER:
        return Student.class_id.in_(assigned_class_ids(user.id))
    if user.role == Role.STUDENT:
        return Student.id == user.id
    return sa.false()


def students_visible_to(user: User) -> sa.Select:
    """``select(Student)`` joined to its ``User``, restricted to what ``user`` may see."""
    return sa.select(Student).join(User, User.id == Student.id).where(student_condition(user))


def teacher_condition(user: User, teacher_id_column: sa.ColumnElement) -> sa.ColumnElement[bool]:
    """A condition true for the teachers ``user`` may see: all for admins, a teacher only
    themselves, students none."""
    if is_admin(user):
        return sa.true()
    if user.role == Role.TEACHER:
        return teacher_id_column == user.id
    return sa.false()


def teaches_class(session: Session, teacher_id: str, class_id: str) -> bool:
    """Is the teacher assigned to the class?"""
    return session.scalar(sa.select(sa.exists().where(
        TeacherClass.teacher_id == teacher_id, TeacherClass.class_id == class_id))) or False


def can_see_class(session: Session, user: User, class_id: str | None) -> bool:
    """May ``user`` see the class? (Teachers: assigned; students: no class listing.)"""
    if class_id is None:
        return False
    if is_admin(user):
        return True
    if user.role == Role.TEACHER:
        return teaches_class(session, user.id, class_id)
    return False


def can_see_student(session: Session, user: User, student: Student) -> bool:
    """May ``user`` see this student? (Admin: yes; teacher: the student is in one of their
    classes; student: it is themselves.)"""
    if is_admin(user):
        return True
    if user.role == Role.TEACHER:
        return student.class_id is not None and teaches_class(session, user.id,
                                                              student.class_id)
    if user.role == Role.STUDENT:
        return student.id == user.id
    return False


def can_see_teacher(user: User, teacher_id: str) -> bool:
    """May ``user`` see this teacher's profile, classes and students?"""
    if is_admin(user):
        return True
    return user.role == Role.TEACHER and user.id == teacher_id


def can_manage_class_members(session: Session, user: User, class_id: str) -> bool:
    """May ``user`` add students to or remove them from the class? Admins, and teachers
    assigned to it."""
    return can_see_class(session, user, class_id)


# -- quizzes, questions and attempts ---------------------------------------------------------


def manages(user: User | None, item) -> bool:
    """May ``user`` manage a quiz or question (``created_by``): change it, see its attempts,
    results, statistics and documents, grade it? Its owner and admins."""
    return user is not None and (is_admin(user) or item.created_by == user.id)


def attempt_condition(user: User) -> sa.ColumnElement[bool]:
    """A condition on ``QuizAttempt`` (joined with its ``Quiz``) true for the attempts
    ``user`` may see: a student their own, a teacher those at their quizzes, admins all."""
    if is_admin(user):
        return sa.true()
    if user.role == Role.TEACHER:
        return Quiz.created_by == user.id
    if user.role == Role.STUDENT:
        return QuizAttempt.student_id == user.id
    return sa.false()


def can_see_attempt(user: User, attempt: QuizAttempt) -> bool:
    """May ``user`` see this attempt (see :func:`attempt_condition`)?"""
    if user.role == Role.STUDENT:
        return attempt.student_id == user.id
    return manages(user, attempt.quiz)
