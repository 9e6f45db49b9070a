"""One small school for the security suite: two teachers, two classes, a student in each,
a published quiz of teacher A assigned to student A's class with an attempt in progress, an
ended attempt waiting for marks, a draft, spare rows to edit or delete, a notification.

Personas, named the same way everywhere in ``tests/security``:

``anon``           no token
``student``        student A: in class A, owns the attempts
``other_student``  student B: in class B, nothing of A's is visible to them
``teacher``        teacher A: assigned to class A, owns the quizzes and questions
``other_teacher``  teacher B: assigned to class B only
``admin``          an administrator
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from quizcore import models
from quizcore.models.base import new_uuid, utcnow
from tests import factories

NOTIFICATIONS = sa.table("notifications", *map(sa.column, (
    "id", "user_id", "type", "title", "message", "is_read", "created_at")))

PERSONAS = ("anon", "student", "other_student", "teacher", "other_teacher", "admin")


@dataclass
class World:
    users: dict = field(default_factory=dict)  # persona -> User (anon: None)
    ids: dict = field(default_factory=dict)  # placeholder name -> id or value


def build_world() -> World:
    teacher = factories.TeacherFactory(name="Teacher A")
    other_teacher = factories.TeacherFactory(name="Teacher B")
    admin = factories.AdminFactory(name="Admin")
    class_a = factories.ClassFactory(name="Class A")
    class_b = factories.ClassFactory(name="Class B")
    factories.TeacherClassFactory(teacher=teacher, school_class=class_a)
    factories.TeacherClassFactory(teacher=other_teacher, school_class=class_b)
    student = factories.StudentFactory(school_class=class_a, name="Student A")
    other_student = factories.StudentFactory(school_class=class_b, name="Student B")
    newcomer = factories.StudentFactory(school_class=class_a, claimed=False,
                                        registration_number="NEW-0001")
    spare_student = factories.StudentFactory(school_class=class_a, name="Spare Student")

    mcq = factories.QuestionFactory(owner=teacher, correct_answer=1)
    essay = factories.DescriptiveQuestionFactory(owner=teacher)
    spare_question = factories.QuestionFactory(owner=teacher)

    quiz = factories.QuizFactory(owner=teacher, classes=[class_a], questions=[mcq, essay],
                                 max_attempts=3)
    draft = factories.QuizFactory(owner=teacher, classes=[class_a], questions=[mcq],
                                  status=models.QuizStatus.DRAFT)
    attempt = factories.QuizAttemptFactory(quiz=quiz, student=student, attempt_number=2)
    ended = factories.finished_attempt(quiz, student, [1, None],
                                       status=models.AttemptStatus.SUBMITTED, final=False)
    essay_answer = factories.StudentAnswerFactory(
        attempt=ended, question=essay, answer_text="Light, water and air make sugar.")
    override = models.QuizOverride(quiz_id=quiz.id, student_id=spare_student.id,
                                   extra_attempts=1)
    factories.current_session().add(override)

    # The notifications plugin's table exists whether or not the plugin is installed (one
    # schema), so the row is written without the plugin's model.
    notification_id = new_uuid()
    session = factories.current_session()
    session.execute(sa.insert(NOTIFICATIONS).values(
        id=notification_id, user_id=student.id, type="quiz_published", title="New quiz",
        message="A quiz is open.", is_read=False, created_at=utcnow()))
    session.flush()

    users = {"anon": None, "student": student, "other_student": other_student,
             "teacher": teacher, "other_teacher": other_teacher, "admin": admin}
    ids = {
        "teacher": teacher.id, "other_teacher": other_teacher.id, "admin": admin.id,
        "student": student.id, "other_student": other_student.id,
        "spare_student": spare_student.id, "newcomer_reg_no": newcomer.student.registration_number,
        "class": class_a.id, "other_class": class_b.id,
        "question": mcq.id, "essay": essay.id, "spare_question": spare_question.id,
        "quiz": quiz.id, "draft": draft.id, "access_code": quiz.access_code,
        "attempt": attempt.id, "ended_attempt": ended.id, "essay_answer": essay_answer.id,
        "notification": notification_id, "override": override.id,
        "student_email": student.email, "password": factories.PASSWORD,
    }
    return World(users=users, ids=ids)
