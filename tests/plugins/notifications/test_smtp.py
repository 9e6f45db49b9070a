"""E-mail through a real SMTP server: delivered after commit, and a server that refuses or
hangs up never fails the request (the failure is logged)."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa

from quiz_plugins.notifications.models import Notification
from tests import factories
from tests.plugins.fixtures import emit
from tests.plugins.smtp_servers import HangUpServer, Refuser, Sink, SMTPServer

pytestmark = pytest.mark.plugin("quiz_plugins.notifications")


@pytest.fixture(scope="module")
def sink():
    with SMTPServer(Sink()) as server:
        yield server


@pytest.fixture(scope="module")
def refuser():
    with SMTPServer(Refuser()) as server:
        yield server


@pytest.fixture(scope="module")
def hang_up():
    with HangUpServer() as server:
        yield server


def smtp_app(app_variant, port):
    return app_variant(**{"quizcore.mailer": "smtp", "quizcore.smtp_host": "127.0.0.1",
                          "quizcore.smtp_port": str(port),
                          "quizcore.smtp_timeout_seconds": "5"})


def wait_for_mail(client):
    assert client.app.registry["quizcore.mail"].wait_idle(15), "mail still queued"


@pytest.fixture
def quiz(dbsession, teacher, school_class):
    return factories.QuizFactory(owner=teacher, classes=[school_class], title="Photosynthesis")


def graded_event(quiz, student):
    return ("AttemptGraded", {"attempt_id": factories.models.new_uuid(), "quiz_id": quiz.id,
                              "student_id": student.id, "score": 9.0, "total_marks": 12,
                              "percentage": 75.0, "passed": True, "status": "graded"})


def test_mail_arrives_at_the_smtp_server_with_subject_recipient_and_both_bodies(
        app_variant, sink, quiz, student):
    sink.handler.clear()
    client = smtp_app(app_variant, sink.port)
    emit(client, graded_event(quiz, student))
    wait_for_mail(client)
    (recipients, message), = sink.handler.messages
    assert recipients == [student.email]
    assert message["To"] == student.email
    assert message["Subject"] == "Result: Photosynthesis"
    assert "Score: 9 out of 12 (75%)" in message.get_body(("plain",)).get_content()
    assert "<strong>9</strong> out of 12" in message.get_body(("html",)).get_content()


def test_every_student_of_a_published_quiz_gets_a_mail(app_variant, sink, quiz, school_class,
                                                       student):
    sink.handler.clear()
    classmate = factories.StudentFactory(school_class=school_class)
    client = smtp_app(app_variant, sink.port)
    emit(client, ("QuizPublished", {"quiz_id": quiz.id, "title": quiz.title,
                                    "teacher_id": quiz.created_by,
                                    "class_ids": [school_class.id]}))
    wait_for_mail(client)
    assert sorted(r[0] for r, _ in sink.handler.messages) == sorted([student.email,
                                                                    classmate.email])


def test_nothing_reaches_the_server_when_the_request_fails(app_variant, sink, quiz, student):
    sink.handler.clear()
    client = smtp_app(app_variant, sink.port)
    emit(client, graded_event(quiz, student), outcome="fail")
    emit(client, graded_event(quiz, student))  # a later mail proves the queue was flushed
    wait_for_mail(client)
    assert len(sink.handler.messages) == 1


@pytest.mark.parametrize("server", ["refuser", "hang_up"])
def test_a_refusing_server_is_logged_and_the_request_succeeds(app_variant, request, dbsession,
                                                              quiz, student, caplog, server):
    smtp = request.getfixturevalue(server)
    client = smtp_app(app_variant, smtp.port)
    with caplog.at_level(logging.ERROR, logger="quizcore.mailer"):
        response = emit(client, graded_event(quiz, student))
        wait_for_mail(client)
    assert response.status_code == 200
    dbsession.expire_all()
    assert dbsession.scalar(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.user_id == student.id)) == 1
    failures = [r for r in caplog.records if r.name == "quizcore.mailer"
                and r.levelno == logging.ERROR]
    assert len(failures) == 1
    assert "Result: Photosynthesis" in failures[0].getMessage()
    assert student.email in failures[0].getMessage()
    if server == "refuser":
        assert smtp.handler.refused == [student.email]
    else:
        assert smtp.connections >= 1
