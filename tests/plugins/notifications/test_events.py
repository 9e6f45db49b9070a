"""Each event creates the right in-app notifications (and e-mails), in its transaction.

The events are emitted as the core emits them (through the test emitter plugin), which also
covers those no endpoint of this application emits yet (manual grading, regrades).
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from quiz_plugins.notifications.models import Notification
from quizcore.models import AttemptStatus, QuizAttempt, utcnow
from tests import factories
from tests.plugins.fixtures import emit

pytestmark = pytest.mark.plugin("quiz_plugins.notifications")


def notifications_of(dbsession, user) -> list[Notification]:
    dbsession.expire_all()
    return list(dbsession.scalars(sa.select(Notification).where(Notification.user_id == user.id)
                                  .order_by(Notification.created_at)))


def all_notifications(dbsession) -> list[Notification]:
    dbsession.expire_all()
    return list(dbsession.scalars(sa.select(Notification)))


@pytest.fixture
def quiz(dbsession, teacher, school_class):
    return factories.QuizFactory(owner=teacher, classes=[school_class], title="Fractions 1",
                                 subject="Mathematics", status="draft")


def published(quiz, class_ids):
    return ("QuizPublished", {"quiz_id": quiz.id, "title": quiz.title,
                              "teacher_id": quiz.created_by, "class_ids": class_ids})


# -- quiz published --------------------------------------------------------------------------


def test_quiz_published_mail_has_text_and_html_with_the_students_name(
        emitter_app, quiz, school_class, student, outbox):
    emit(emitter_app, published(quiz, [school_class.id]))
    (mail,) = outbox
    assert mail["Subject"] == "New quiz: Fractions 1"
    assert mail["To"] == student.email
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert f"Hello {student.name}," in text and "Fractions 1 (Mathematics)" in text
    assert "Fractions 1" in html and "<html" in html


def test_quiz_published_to_no_class_notifies_nobody(emitter_app, dbsession, quiz, student,
                                                    outbox):
    """The event names the classes (the quiz's own links are not consulted)."""
    emit(emitter_app, published(quiz, []))
    assert all_notifications(dbsession) == [] and outbox == []


# -- attempt graded --------------------------------------------------------------------------


def graded(quiz, student, **fields):
    values = {"attempt_id": factories.models.new_uuid(), "quiz_id": quiz.id,
              "student_id": student.id, "score": 7.5, "total_marks": 10, "percentage": 75.0,
              "passed": True, "status": "graded"}
    values.update(fields)
    return ("AttemptGraded", values)


def test_final_grade_notifies_the_student_with_the_score(emitter_app, dbsession, quiz,
                                                         student, teacher, outbox):
    event = graded(quiz, student)
    emit(emitter_app, event)
    (row,) = notifications_of(dbsession, student)
    assert row.type == "attempt_graded"
    assert row.title == "Result: Fractions 1"
    assert "7.5 out of 10 (75%)" in row.message and "You passed." in row.message
    assert row.link == f"/attempts/{event[1]['attempt_id']}"
    assert notifications_of(dbsession, teacher) == []
    (mail,) = outbox
    assert mail["To"] == student.email
    assert "Score: 7.5 out of 10 (75%)" in mail.get_body(("plain",)).get_content()


@pytest.mark.parametrize("fields", [
    {"status": "submitted", "passed": None, "score": 4.0, "percentage": 40.0},
    {"status": "auto_submitted", "passed": None, "score": 4.0, "percentage": 40.0},
])
def test_partial_marks_waiting_for_a_teacher_notify_nobody_yet(emitter_app, dbsession, quiz,
                                                               student, outbox, fields):
    emit(emitter_app, graded(quiz, student, **fields))
    assert notifications_of(dbsession, student) == [] and outbox == []


def test_auto_submitted_attempt_with_final_marks_notifies_the_student(emitter_app, dbsession,
                                                                      quiz, student):
    emit(emitter_app, graded(quiz, student, status="auto_submitted", passed=False, score=2.0,
                             percentage=20.0))
    (row,) = notifications_of(dbsession, student)
    assert "You did not reach the pass mark." in row.message


def test_manual_regrade_says_the_result_was_updated(emitter_app, dbsession, quiz, student,
                                                    teacher):
    emit(emitter_app, graded(quiz, student, how="regrade", graded_by=teacher.id))
    (row,) = notifications_of(dbsession, student)
    assert row.title == "Result updated: Fractions 1"


def test_inactive_student_gets_no_result_notification(emitter_app, dbsession, quiz,
                                                      school_class, outbox):
    gone = factories.StudentFactory(school_class=school_class, is_active=False)
    emit(emitter_app, graded(quiz, gone))
    assert notifications_of(dbsession, gone) == [] and outbox == []


# -- to the teacher --------------------------------------------------------------------------


def attempt_row(dbsession, quiz, student, **values) -> QuizAttempt:
    attempt = QuizAttempt(quiz_id=quiz.id, student_id=student.id, attempt_number=1,
                          status=AttemptStatus.SUBMITTED, submitted_at=utcnow(), **values)
    dbsession.add(attempt)
    dbsession.flush()
    return attempt


def submitted(attempt, student, **fields):
    values = {"attempt_id": attempt.id, "quiz_id": attempt.quiz_id, "student_id": student.id,
              "student_name": student.name, "status": "submitted", "reason": "student",
              "score": 3.0, "pending_manual_grading": False}
    values.update(fields)
    return ("AttemptSubmitted", values)


def test_descriptive_answers_waiting_notify_the_quiz_teacher(emitter_app, dbsession, quiz,
                                                             student, teacher, other_teacher,
                                                             outbox):
    attempt = attempt_row(dbsession, quiz, student)
    emit(emitter_app, submitted(attempt, student, pending_manual_grading=True))
    (row,) = notifications_of(dbsession, teacher)
    assert row.type == "grading_pending"
    assert row.title == "Answers to grade: Fractions 1"
    assert student.name in row.message
    assert row.link == f"/grading/attempts/{attempt.id}"
    assert notifications_of(dbsession, student) == []
    assert notifications_of(dbsession, other_teacher) == []
    (mail,) = outbox
    assert mail["To"] == teacher.email and mail["Subject"] == "Answers to grade: Fractions 1"


def test_a_plain_submission_notifies_no_teacher(emitter_app, dbsession, quiz, student, teacher):
    attempt = attempt_row(dbsession, quiz, student)
    emit(emitter_app, submitted(attempt, student))
    emit(emitter_app, submitted(attempt, student, reason="deadline", status="auto_submitted"))
    assert notifications_of(dbsession, teacher) == []


def test_auto_submit_for_violations_notifies_the_teacher_with_the_count(
        emitter_app, dbsession, quiz, student, teacher, outbox):
    attempt = attempt_row(dbsession, quiz, student, total_violations=3,
                          auto_submitted_due_to_violations=True)
    emit(emitter_app, submitted(attempt, student, reason="violations", status="auto_submitted"))
    (row,) = notifications_of(dbsession, teacher)
    assert row.type == "attempt_auto_submitted"
    assert row.title == f"Auto-submitted: {student.name} in Fractions 1"
    assert "after 3 violations" in row.message
    assert row.link == f"/attempts/{attempt.id}"
    assert [m["To"] for m in outbox] == [teacher.email]


def test_violations_and_pending_marks_together_give_two_notices(emitter_app, dbsession, quiz,
                                                                student, teacher):
    attempt = attempt_row(dbsession, quiz, student, total_violations=3)
    emit(emitter_app, submitted(attempt, student, reason="violations", status="auto_submitted",
                                pending_manual_grading=True))
    assert sorted(r.type for r in notifications_of(dbsession, teacher)) == [
        "attempt_auto_submitted", "grading_pending"]


# -- the transaction decides -----------------------------------------------------------------


@pytest.mark.parametrize("outcome", ["fail", "veto"])
def test_a_rolled_back_request_leaves_no_notification_and_sends_no_mail(
        emitter_app, dbsession, quiz, school_class, student, teacher, outbox, outcome):
    attempt = attempt_row(dbsession, quiz, student, total_violations=3)
    emit(emitter_app, published(quiz, [school_class.id]), graded(quiz, student),
         submitted(attempt, student, reason="violations", status="auto_submitted",
                   pending_manual_grading=True), outcome=outcome)
    emitter_app.app.registry["quizcore.mail"].wait_idle(5)
    assert all_notifications(dbsession) == []
    assert outbox == []


def test_the_same_events_committed_do_notify(emitter_app, dbsession, quiz, school_class,
                                             student, teacher, outbox):
    """The counterpart of the rollback test: the events it sends do create rows."""
    attempt = attempt_row(dbsession, quiz, student, total_violations=3)
    emit(emitter_app, published(quiz, [school_class.id]), graded(quiz, student),
         submitted(attempt, student, reason="violations", status="auto_submitted",
                   pending_manual_grading=True))
    assert len(all_notifications(dbsession)) == 4
    assert len(outbox) == 4


# -- which events mail ----------------------------------------------------------------------


def test_email_events_setting_chooses_what_is_mailed(app_variant, dbsession, quiz,
                                                     school_class, student):
    client = app_variant(**{"quizcore.notifications.email_events": "attempt_graded"})
    mailer = client.app.registry["quizcore.mail"].mailer
    mailer.clear()
    emit(client, published(quiz, [school_class.id]))
    assert len(notifications_of(dbsession, student)) == 1
    assert mailer.outbox == []
    emit(client, graded(quiz, student))
    assert [m["Subject"] for m in mailer.outbox] == ["Result: Fractions 1"]
    mailer.clear()


def test_empty_email_events_sends_no_mail_but_keeps_in_app_notices(app_variant, dbsession,
                                                                   quiz, student):
    client = app_variant(**{"quizcore.notifications.email_events": ""})
    mailer = client.app.registry["quizcore.mail"].mailer
    mailer.clear()
    emit(client, graded(quiz, student))
    assert len(notifications_of(dbsession, student)) == 1
    assert mailer.outbox == []


def test_app_url_turns_links_into_absolute_urls_in_mails(app_variant, quiz, student):
    client = app_variant(**{"quizcore.notifications.app_url": "https://quiz.school.example/"})
    mailer = client.app.registry["quizcore.mail"].mailer
    mailer.clear()
    event = graded(quiz, student)
    emit(client, event)
    (mail,) = mailer.outbox
    url = f"https://quiz.school.example/attempts/{event[1]['attempt_id']}"
    assert url in mail.get_body(("plain",)).get_content()
    assert f'href="{url}"' in mail.get_body(("html",)).get_content()
    mailer.clear()
