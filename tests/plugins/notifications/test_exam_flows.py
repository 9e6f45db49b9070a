"""Notifications from the real quiz and attempt endpoints (and the server's own auto-submits)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from quiz_plugins.notifications.models import Notification
from quizcore.domain.attempts import auto_submit_attempt
from quizcore.models import Quiz, QuizAttempt, QuizClass, QuizStatus, utcnow
from quizcore.scripts.sweep import sweep_expired
from tests import factories
from tests.plugins.fixtures import take_exam

pytestmark = pytest.mark.plugin("quiz_plugins.notifications")


def inbox(dbsession, user) -> list[tuple[str, str]]:
    dbsession.expire_all()
    return [(row.type, row.title) for row in dbsession.scalars(
        sa.select(Notification).where(Notification.user_id == user.id)
        .order_by(Notification.created_at, Notification.type))]


def count(dbsession) -> int:
    return dbsession.scalar(sa.select(sa.func.count()).select_from(Notification))


def test_publishing_notifies_the_class_and_mails_it(emitter_app, dbsession, auth, exam, teacher,
                                                    student, other_student, school_class,
                                                    outbox):
    quiz, _, _ = exam
    classmate = factories.StudentFactory(school_class=school_class)
    emitter_app.post(f"/api/quizzes/{quiz.id}/publish", headers=auth(teacher))
    assert inbox(dbsession, student) == [("quiz_published", "New quiz: Plants")]
    assert inbox(dbsession, classmate) == [("quiz_published", "New quiz: Plants")]
    assert inbox(dbsession, other_student) == [] and inbox(dbsession, teacher) == []
    assert sorted(m["To"] for m in outbox) == sorted([student.email, classmate.email])
    # Publishing an already published quiz changes nothing and notifies nobody again.
    emitter_app.post(f"/api/quizzes/{quiz.id}/publish", headers=auth(teacher))
    assert count(dbsession) == 2 and len(outbox) == 2


@pytest.fixture
def statements(connection):
    """SQL statements run on the test's connection (the app's sessions use it too)."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    sa.event.listen(connection, "before_cursor_execute", record)
    yield seen
    sa.event.remove(connection, "before_cursor_execute", record)


def test_publishing_notifies_every_active_student_of_the_classes_in_one_insert(
        emitter_app, dbsession, auth, teacher, exam, school_class, student, other_student,
        outbox, statements):
    quiz, _, _ = exam
    second_class = factories.ClassFactory()
    dbsession.add(QuizClass(quiz_id=quiz.id, class_id=second_class.id))
    classmates = [factories.StudentFactory(school_class=school_class) for _ in range(3)]
    in_second = [factories.StudentFactory(school_class=second_class) for _ in range(20)]
    inactive = factories.StudentFactory(school_class=school_class, is_active=False)
    unclaimed = factories.StudentFactory(school_class=second_class, claimed=False)
    statements.clear()

    emitter_app.post(f"/api/quizzes/{quiz.id}/publish", headers=auth(teacher))

    expected = {s.id for s in [student, *classmates, *in_second, unclaimed]}
    dbsession.expire_all()
    rows = list(dbsession.scalars(sa.select(Notification)))
    assert sorted(row.user_id for row in rows) == sorted(expected)  # one each
    assert other_student.id not in expected and inactive.id not in expected
    row = next(r for r in rows if r.user_id == student.id)
    assert (row.type, row.is_read, row.read_at) == ("quiz_published", False, None)
    assert row.title == "New quiz: Plants"
    assert "Plants" in row.message and "Mathematics" in row.message
    assert row.link == f"/quizzes/{quiz.id}"
    inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT INTO NOTIFICATIONS")]
    assert len(inserts) == 1, inserts
    assert sorted(m["To"] for m in outbox) == sorted(
        u.email for u in [student, *classmates, *in_second, unclaimed])


def test_the_number_of_queries_does_not_grow_with_the_class(emitter_app, auth, teacher,
                                                            statements):
    counts = []
    for size in (1, 30):
        school_class = factories.ClassFactory()
        for _ in range(size):
            factories.StudentFactory(school_class=school_class)
        quiz = factories.QuizFactory(owner=teacher, classes=[school_class], status="draft",
                                     questions=[factories.QuestionFactory(owner=teacher)])
        statements.clear()
        emitter_app.post(f"/api/quizzes/{quiz.id}/publish", headers=auth(teacher))
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_a_vetoed_publish_notifies_nobody(emitter_app, dbsession, auth, exam, teacher, student,
                                          outbox):
    quiz, _, _ = exam
    emitter_app.post(f"/api/quizzes/{quiz.id}/publish", status=409,
                     headers={**auth(teacher), "X-Test-Veto": "quiz.published"})
    dbsession.expire_all()
    assert dbsession.get(Quiz, quiz.id).status == QuizStatus.DRAFT
    assert count(dbsession) == 0 and outbox == []


def test_a_publish_whose_commit_fails_leaves_no_notification(emitter_app, dbsession, auth, exam,
                                                             teacher, student, outbox):
    quiz, _, _ = exam
    written = emitter_app.app.registry["testemitter.written"]
    written.clear()
    emitter_app.post(f"/api/quizzes/{quiz.id}/publish", status=500,
                     headers={**auth(teacher), "X-Test-Fail-Commit": "1"})
    assert written[0]["notifications"] == 1  # it was in the transaction...
    assert count(dbsession) == 0  # ...and went with it
    dbsession.expire_all()
    assert dbsession.get(Quiz, quiz.id).status == QuizStatus.DRAFT
    assert outbox == []


@pytest.fixture
def published(dbsession, exam):
    quiz, choice, essay = exam
    quiz.status = QuizStatus.PUBLISHED
    dbsession.flush()
    return quiz, choice, essay


def test_an_objective_result_goes_to_the_student(emitter_app, dbsession, auth, published,
                                                 exam_grader, student, teacher, outbox):
    quiz, choice, _ = published
    take_exam(emitter_app, quiz.id, auth(student), {choice.id: 1})
    assert inbox(dbsession, student) == [("attempt_graded", "Result: Plants")]
    assert inbox(dbsession, teacher) == []
    (row,) = dbsession.scalars(sa.select(Notification).where(Notification.user_id == student.id))
    assert "2 out of 6" in row.message and "You did not reach the pass mark." in row.message
    assert [m["To"] for m in outbox] == [student.email]


def test_descriptive_answers_call_the_teacher_and_the_student_waits(emitter_app, dbsession, auth,
                                                                    published, exam_grader,
                                                                    student, teacher, outbox):
    quiz, choice, essay = published
    attempt_id = take_exam(emitter_app, quiz.id, auth(student),
                           {choice.id: 1, essay.id: "Plants need light."})
    assert inbox(dbsession, teacher) == [("grading_pending", "Answers to grade: Plants")]
    assert inbox(dbsession, student) == []  # partial marks are not a result
    (row,) = dbsession.scalars(sa.select(Notification).where(Notification.user_id == teacher.id))
    assert row.link == f"/grading/attempts/{attempt_id}" and student.name in row.message
    assert [m["To"] for m in outbox] == [teacher.email]


def test_without_a_grader_a_submission_notifies_nobody(emitter_app, emitter_without_grader,
                                                       dbsession, auth, published, student,
                                                       teacher):
    quiz, choice, essay = published
    take_exam(emitter_app, quiz.id, auth(student), {choice.id: 1, essay.id: "text"})
    assert count(dbsession) == 0


def test_a_submit_whose_commit_fails_notifies_nobody(emitter_app, dbsession, auth, published,
                                                     exam_grader, student, teacher, outbox):
    quiz, choice, essay = published
    attempt_id = take_exam(emitter_app, quiz.id, auth(student),
                           {choice.id: 1, essay.id: "text"}, submit=False)
    emitter_app.post(f"/api/attempts/{attempt_id}/submit", status=500,
                     headers={**auth(student), "X-Test-Fail-Commit": "1"})
    assert count(dbsession) == 0 and outbox == []
    dbsession.expire_all()
    assert dbsession.get(QuizAttempt, attempt_id).status == "in_progress"


def test_auto_submit_for_violations_calls_the_teacher(emitter_app, dbsession, auth, published,
                                                      exam_grader, student, teacher,
                                                      server_request, outbox):
    """The anti-cheat plugin ends attempts through the core's auto_submit_attempt."""
    quiz, choice, _ = published
    attempt_id = take_exam(emitter_app, quiz.id, auth(student), {choice.id: 1}, submit=False)
    attempt = dbsession.get(QuizAttempt, attempt_id)
    attempt.total_violations = 3
    dbsession.flush()
    with server_request.tm:
        auto_submit_attempt(server_request.dbsession, attempt_id, reason="violations")
    assert inbox(dbsession, teacher) == [
        ("attempt_auto_submitted", f"Auto-submitted: {student.name} in Plants")]
    assert inbox(dbsession, student) == [("attempt_graded", "Result: Plants")]
    (row,) = dbsession.scalars(sa.select(Notification).where(Notification.user_id == teacher.id))
    assert "after 3 violations" in row.message
    assert sorted(m["To"] for m in outbox) == sorted([teacher.email, student.email])


def test_the_sweeper_sends_results_of_expired_attempts(emitter_app, dbsession, published,
                                                       exam_grader, student, teacher,
                                                       server_request, outbox):
    quiz, choice, _ = published
    started = utcnow() - dt.timedelta(hours=2)
    attempt = factories.QuizAttemptFactory(quiz=quiz, student=student, started_at=started)
    factories.StudentAnswerFactory(attempt=attempt, question=choice, answer_option=1)
    assert [r.attempt_id for r in sweep_expired(server_request)] == [attempt.id]
    assert inbox(dbsession, student) == [("attempt_graded", "Result: Plants")]
    assert inbox(dbsession, teacher) == []
    assert [m["To"] for m in outbox] == [student.email]
