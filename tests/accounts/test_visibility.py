"""quizcore.domain.visibility: who sees which classes, students and teachers."""

from __future__ import annotations

from quizcore.domain import visibility
from quizcore.models import QuizClass
from tests import factories


def ids(dbsession, statement):
    return {row.id for row in dbsession.scalars(statement)}


def test_classes_visible(dbsession, admin, teacher, other_teacher, school_class, student,
                         other_student):
    other_class_id = other_student.student.class_id
    assert ids(dbsession, visibility.classes_visible_to(admin)) == {school_class.id,
                                                                    other_class_id}
    assert ids(dbsession, visibility.classes_visible_to(teacher)) == {school_class.id}
    assert ids(dbsession, visibility.classes_visible_to(other_teacher)) == set()
    assert ids(dbsession, visibility.classes_visible_to(student)) == set()


def test_students_visible(dbsession, admin, teacher, other_teacher, student, other_student):
    assert ids(dbsession, visibility.students_visible_to(admin)) == {student.id,
                                                                     other_student.id}
    assert ids(dbsession, visibility.students_visible_to(teacher)) == {student.id}
    assert ids(dbsession, visibility.students_visible_to(other_teacher)) == set()
    assert ids(dbsession, visibility.students_visible_to(student)) == {student.id}


def test_student_without_a_class_is_visible_to_admins_only(dbsession, admin, teacher):
    orphan = factories.StudentFactory(school_class=None)
    assert visibility.can_see_student(dbsession, admin, orphan.student)
    assert not visibility.can_see_student(dbsession, teacher, orphan.student)
    assert orphan.id not in ids(dbsession, visibility.students_visible_to(teacher))


def test_can_see_single_objects(dbsession, admin, teacher, other_teacher, school_class,
                                student, other_student):
    assert visibility.can_see_class(dbsession, teacher, school_class.id)
    assert not visibility.can_see_class(dbsession, other_teacher, school_class.id)
    assert not visibility.can_see_class(dbsession, student, school_class.id)
    assert visibility.can_see_student(dbsession, student, student.student)
    assert not visibility.can_see_student(dbsession, student, other_student.student)
    assert visibility.can_see_teacher(admin, teacher.id)
    assert visibility.can_see_teacher(teacher, teacher.id)
    assert not visibility.can_see_teacher(other_teacher, teacher.id)
    assert not visibility.can_see_teacher(student, teacher.id)


def test_class_id_condition_works_on_other_tables(dbsession, teacher, student, school_class):
    """What the quiz features reuse: quizzes assigned to a class the user may see."""
    other_class = factories.ClassFactory()
    quiz = factories.QuizFactory(owner=teacher, classes=[school_class])
    foreign = factories.QuizFactory(owner=teacher, classes=[other_class])
    import sqlalchemy as sa

    def visible_quiz_ids(user):
        return set(dbsession.scalars(sa.select(QuizClass.quiz_id).where(
            visibility.class_id_visible(QuizClass.class_id, user))))

    assert visible_quiz_ids(teacher) == {quiz.id}
    assert visible_quiz_ids(student) == {quiz.id}
    assert foreign.id not in visible_quiz_ids(student)
