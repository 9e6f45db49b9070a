"""factory_boy factories for rows. People factories return the ``User`` row; its profile
(``user.teacher`` / ``user.student``) is created alongside.

Bound to the test's session by the ``dbsession`` / ``committed_session`` fixtures.
"""

from __future__ import annotations

import datetime as dt
import functools

import factory
from factory.alchemy import SQLAlchemyModelFactory

from quizcore import models
from quizcore.domain.passwords import hash_password

PASSWORD = "correct horse battery"

_session: list = [None]


def bind(session) -> None:
    _session[0] = session


def current_session():
    if _session[0] is None:
        raise RuntimeError("factories used without the dbsession or committed_session fixture")
    return _session[0]


@functools.cache
def password_hash() -> str:
    return hash_password(PASSWORD, 4)


class Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = current_session
        sqlalchemy_session_persistence = "flush"


class UserFactory(Base):
    class Meta:
        model = models.User

    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"user{n}@school.example")
    role = models.Role.TEACHER
    password_hash = factory.LazyFunction(password_hash)
    is_active = True


class AdminFactory(UserFactory):
    role = models.Role.ADMIN
    email = factory.Sequence(lambda n: f"admin{n}@school.example")


class TeacherFactory(UserFactory):
    role = models.Role.TEACHER
    email = factory.Sequence(lambda n: f"teacher{n}@school.example")

    @factory.post_generation
    def profile(user, create, extracted, **kwargs):
        profile = models.Teacher(id=user.id, subject=kwargs.get("subject", "Mathematics"))
        current_session().add(profile)
        current_session().flush()
        user.teacher = profile


class ClassFactory(Base):
    class Meta:
        model = models.SchoolClass

    name = factory.Sequence(lambda n: f"Grade {n}")
    section = "A"
    academic_year = "2025-2026"


class StudentFactory(UserFactory):
    """``StudentFactory(school_class=cls, claimed=True, registration_number=...)``."""

    role = models.Role.STUDENT
    email = factory.Sequence(lambda n: f"student{n}@school.example")

    @classmethod
    def _create(cls, model_class, *args, school_class=None, claimed=True,
                registration_number=None, **kwargs):
        if not claimed:
            kwargs["password_hash"] = models.UNUSABLE_PASSWORD
        user = super()._create(model_class, *args, **kwargs)
        profile = models.Student(
            id=user.id,
            registration_number=registration_number or f"STU{user.id[:8].upper()}",
            class_id=school_class.id if school_class is not None else None,
            is_account_claimed=claimed,
            claimed_at=models.utcnow() if claimed else None,
        )
        current_session().add(profile)
        current_session().flush()
        user.student = profile
        return user


class TeacherClassFactory(Base):
    class Meta:
        model = models.TeacherClass

    class Params:
        teacher = None

    teacher_id = factory.LazyAttribute(lambda o: o.teacher.id)
    school_class = factory.SubFactory(ClassFactory)


class QuestionFactory(Base):
    class Meta:
        model = models.Question

    class Params:
        owner = None

    created_by = factory.LazyAttribute(lambda o: o.owner.id)
    text = factory.Sequence(lambda n: f"Question {n}: what is {n} + {n}?")
    type = models.QuestionType.MCQ
    topic = "Arithmetic"
    difficulty = models.Difficulty.EASY
    marks = 1
    options = factory.LazyFunction(lambda: ["one", "two", "three", "four"])
    correct_answer = 1


class TrueFalseQuestionFactory(QuestionFactory):
    """``correct_answer`` 0 is true, 1 is false."""

    type = models.QuestionType.TRUE_FALSE
    options = None
    correct_answer = 0


class ShortAnswerQuestionFactory(QuestionFactory):
    type = models.QuestionType.SHORT_ANSWER
    options = None
    correct_answer = None
    accepted_answers = factory.LazyFunction(lambda: ["Paris"])


class DescriptiveQuestionFactory(QuestionFactory):
    type = models.QuestionType.DESCRIPTIVE
    options = None
    correct_answer = None
    marks = 4
    sample_answer = "Photosynthesis turns light, water and carbon dioxide into sugar."
    marking_rubric = "2 marks for the inputs, 2 for the products."


class QuizFactory(Base):
    """``QuizFactory(owner=teacher_user, questions=[...], classes=[...])``."""

    class Meta:
        model = models.Quiz

    class Params:
        owner = None

    created_by = factory.LazyAttribute(lambda o: o.owner.id)
    title = factory.Sequence(lambda n: f"Quiz {n}")
    subject = "Mathematics"
    access_code = factory.Sequence(lambda n: f"TST{n:05d}")
    time_limit_minutes = 30
    status = models.QuizStatus.PUBLISHED
    start_date = factory.LazyFunction(lambda: models.utcnow() - dt.timedelta(days=1))
    end_date = factory.LazyFunction(lambda: models.utcnow() + dt.timedelta(days=1))

    @factory.post_generation
    def questions(quiz, create, extracted, **kwargs):
        for index, question in enumerate(extracted or []):
            current_session().add(models.QuizQuestion(quiz_id=quiz.id, question_id=question.id,
                                                      order_index=index))
        current_session().flush()

    @factory.post_generation
    def classes(quiz, create, extracted, **kwargs):
        for school_class in extracted or []:
            current_session().add(models.QuizClass(quiz_id=quiz.id, class_id=school_class.id))
        current_session().flush()

    @factory.post_generation
    def marks_overrides(quiz, create, extracted, **kwargs):
        """``marks_overrides={question_id: marks}``: the question's marks in this quiz."""
        for link in current_session().query(models.QuizQuestion).filter_by(quiz_id=quiz.id):
            if link.question_id in (extracted or {}):
                link.marks_override = extracted[link.question_id]
        current_session().flush()


class QuizAttemptFactory(Base):
    """``QuizAttemptFactory(quiz=quiz, student=student_user)``: an attempt in progress whose
    deadline follows the quiz's time limit (pass ``started_at``/``deadline_at`` to move it)."""

    class Meta:
        model = models.QuizAttempt

    class Params:
        quiz = None
        student = None

    quiz_id = factory.LazyAttribute(lambda o: o.quiz.id)
    student_id = factory.LazyAttribute(lambda o: o.student.id)
    attempt_number = 1
    status = models.AttemptStatus.IN_PROGRESS
    started_at = factory.LazyFunction(models.utcnow)
    deadline_at = factory.LazyAttribute(
        lambda o: o.started_at + dt.timedelta(minutes=o.quiz.time_limit_minutes))


class StudentAnswerFactory(Base):
    """``StudentAnswerFactory(attempt=attempt, question=question, answer_option=1)``."""

    class Meta:
        model = models.StudentAnswer

    class Params:
        attempt = None
        question = None

    attempt_id = factory.LazyAttribute(lambda o: o.attempt.id)
    question_id = factory.LazyAttribute(lambda o: o.question.id)
    answer_option = None
    answer_text = None


class ViolationFactory(Base):
    """``ViolationFactory(attempt=attempt, violation_type=models.ViolationType.TAB_SWITCH)``:
    a counted report. The attempt's counter is not touched: set ``total_violations`` too."""

    class Meta:
        model = models.Violation

    class Params:
        attempt = None

    attempt_id = factory.LazyAttribute(lambda o: o.attempt.id)
    violation_type = models.ViolationType.TAB_SWITCH
    detected_at = factory.LazyFunction(models.utcnow)
    question_index = 0
    severity = models.Severity.MEDIUM
    is_counted = True


def finished_attempt(quiz, student, marks, *, answers=None, attempt_number=1,
                     status=models.AttemptStatus.GRADED, final=True, started_at=None,
                     minutes=20, violations=0):
    """An ended attempt of ``student`` at ``quiz`` with its answers already marked, as the
    grading plugin leaves them.

    ``marks``: marks awarded per question of the quiz, in quiz order (None: the question
    was not answered). ``answers``: optional answer per question (an option index or a
    text; default: option 0 for choice questions, "answer" otherwise). Score, total marks,
    percentage and passed follow from the marks and the quiz's passing percentage; with
    ``final=False`` the attempt waits for a teacher (``passed`` unknown).
    """
    from decimal import Decimal

    session = current_session()
    links = sorted(session.query(models.QuizQuestion).filter_by(quiz_id=quiz.id),
                   key=lambda link: link.order_index)
    total = sum(link.marks for link in links)
    score = sum(Decimal(str(m)) for m in marks if m is not None)
    percentage = (score * 100 / total).quantize(Decimal("0.01")) if total else Decimal(0)
    started_at = started_at or models.utcnow() - dt.timedelta(hours=1)
    attempt = QuizAttemptFactory(
        quiz=quiz, student=student, attempt_number=attempt_number, status=status,
        started_at=started_at, submitted_at=started_at + dt.timedelta(minutes=minutes),
        score=score, total_marks=total, percentage=percentage,
        passed=(percentage >= quiz.passing_percentage) if final else None,
        total_violations=violations)
    for index, (link, awarded) in enumerate(zip(links, marks, strict=True)):
        if awarded is None:
            continue
        given = answers[index] if answers is not None else None
        question = link.question
        if given is None:
            given = 0 if question.type in (models.QuestionType.MCQ,
                                           models.QuestionType.TRUE_FALSE) else "answer"
        StudentAnswerFactory(attempt=attempt, question=question,
                             answer_option=given if isinstance(given, int) else None,
                             answer_text=given if isinstance(given, str) else None,
                             marks_awarded=Decimal(str(awarded)), is_final=True)
    for _ in range(violations):
        ViolationFactory(attempt=attempt)
    return attempt
