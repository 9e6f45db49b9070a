"""The mailer: SMTP against a real SMTP server (aiosmtpd), .eml files for development, and
failures that never reach the request."""

from __future__ import annotations

import logging
import socket
import threading
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from quizcore.mailer import FileMailer, MailService, NullMailer, SMTPMailer


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Sink:
    """An SMTP handler that keeps what it receives and signals each arrival."""

    def __init__(self):
        self.messages = []
        self.arrived = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append((envelope.rcpt_tos,
                              message_from_bytes(envelope.content, policy=policy.default)))
        self.arrived.set()
        return "250 OK"


@pytest.fixture
def smtp_sink():
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield sink, controller.port
    controller.stop()


def test_smtp_mailer_delivers_through_a_real_server(smtp_sink):
    sink, port = smtp_sink
    service = MailService(SMTPMailer("127.0.0.1", port, timeout=5), "quizcore <no-reply@x.org>")
    service.send(service.message("ada@school.example", "Hello", "Body text é"))
    assert service.wait_idle(10)
    assert sink.arrived.wait(10)
    recipients, message = sink.messages[0]
    assert recipients == ["ada@school.example"]
    assert message["Subject"] == "Hello"
    assert "Body text é" in message.get_body(("plain",)).get_content()


def test_forgot_password_mail_goes_through_smtp(app_with, smtp_sink, teacher):
    sink, port = smtp_sink
    client = app_with(**{"quizcore.mailer": "smtp", "quizcore.smtp_port": str(port)})
    client.post_json("/api/auth/forgot-password", {"email": teacher.email})
    assert client.app.registry["quizcore.mail"].wait_idle(10)
    assert sink.arrived.wait(10)
    assert sink.messages[0][0] == [teacher.email]


def test_smtp_failure_is_logged_and_never_fails_the_request(app_with, teacher, caplog):
    client = app_with(**{"quizcore.mailer": "smtp", "quizcore.smtp_port": str(free_port()),
                         "quizcore.smtp_timeout_seconds": "2"})
    with caplog.at_level(logging.ERROR, logger="quizcore.mailer"):
        response = client.post_json("/api/auth/forgot-password", {"email": teacher.email})
        assert client.app.registry["quizcore.mail"].wait_idle(10)
    assert response.status_code == 200
    assert any("Could not send mail" in r.getMessage() for r in caplog.records)


def test_file_mailer_writes_eml_files_and_logs_them(app_with, teacher, tmp_path, caplog):
    client = app_with(**{"quizcore.mailer": "file", "quizcore.mail_dir": str(tmp_path)})
    with caplog.at_level(logging.INFO, logger="quizcore.mailer"):
        client.post_json("/api/auth/forgot-password", {"email": teacher.email})
        assert client.app.registry["quizcore.mail"].wait_idle(10)
    files = list(tmp_path.glob("*.eml"))
    assert len(files) == 1
    message = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert message["To"] == teacher.email
    assert any(teacher.email in r.getMessage() for r in caplog.records)


def test_mail_service_delivers_in_the_background(tmp_path):
    release, started = threading.Event(), threading.Event()

    class SlowMailer(FileMailer):
        def deliver(self, message):
            started.set()
            release.wait(10)
            super().deliver(message)

    service = MailService(SlowMailer(str(tmp_path)), "x@y.org")
    service.send(service.message("a@b.org", "s", "b"))  # returns while delivery is blocked
    assert started.wait(10)
    assert not service.wait_idle(0.05)
    release.set()
    assert service.wait_idle(10)
    assert len(list(tmp_path.glob("*.eml"))) == 1


def test_null_mailer_delivers_inline():
    mailer = NullMailer()
    service = MailService(mailer, "x@y.org")
    service.send(service.message(["a@b.org", "c@d.org"], "s", "b"))
    assert mailer.outbox[0]["To"] == "a@b.org, c@d.org"

