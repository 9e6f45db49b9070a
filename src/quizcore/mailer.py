"""Outgoing e-mail: sent only after the transaction commits, never failing a request.

Three parts, so plugins (notifications) and the core send mail the same way:

* a :class:`Mailer` delivers one message. :class:`SMTPMailer` talks to a real server,
  :class:`FileMailer` (development) writes ``.eml`` files under ``quizcore.mail_dir`` and
  logs them, :class:`NullMailer` (tests) keeps them in memory (``outbox``). The
  ``quizcore.mailer`` setting (``smtp`` | ``file`` | ``null``) picks one.
* the :class:`MailService` (``registry["quizcore.mail"]``) builds messages and hands them
  to the mailer on a background thread, so a slow or broken SMTP server never delays or
  fails a request (and a request that sends mail takes as long as one that does not);
  delivery errors are logged. The null mailer delivers inline, which keeps tests simple.
* ``request.mailer`` (:class:`TransactionMailer`) queues messages until the request's
  transaction commits; a rolled-back request sends nothing.

From a plugin::

    request.mailer.send(to=user.email, subject="Results are out", body=text)

or, from code that has only the session (an event subscriber),
``send_after_commit(session, message)``; outside a transaction (an after-commit subscriber),
``get_mail_service(registry).send(message)``.
"""

from __future__ import annotations

import abc
import datetime as dt
import logging
import os
import queue
import smtplib
import ssl
import threading
import uuid
from collections.abc import Iterable
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from functools import partial

from .models import utcnow
from .transactions import pending_until_commit, registry_of

log = logging.getLogger(__name__)


class Mailer(abc.ABC):
    """Delivers one message; may raise (the :class:`MailService` logs the failure)."""

    #: Deliver on the background thread (True) or inline (cheap, in-memory mailers).
    background = True

    @abc.abstractmethod
    def deliver(self, message: EmailMessage) -> None: ...


class SMTPMailer(Mailer):
    """Sends through an SMTP server (``quizcore.smtp_*`` settings)."""

    def __init__(self, host: str, port: int, *, username: str = "", password: str = "",
                 starttls: bool = False, timeout: float = 10.0):
        self.host, self.port = host, port
        self.username, self.password = username, password
        self.starttls, self.timeout = starttls, timeout

    def deliver(self, message: EmailMessage) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(message)


class FileMailer(Mailer):
    """Development: each message becomes an ``.eml`` file in ``directory`` and a log line
    (with the text, so a reset code can be read from the console)."""

    def __init__(self, directory: str):
        self.directory = directory

    def deliver(self, message: EmailMessage) -> None:
        os.makedirs(self.directory, exist_ok=True)
        name = f"{utcnow():%Y%m%d-%H%M%S-%f}-{uuid.uuid4().hex[:8]}.eml"
        path = os.path.join(self.directory, name)
        with open(path, "wb") as handle:
            handle.write(message.as_bytes())
        # The body is not logged: it may hold a reset code, and no secret goes to a log.
        log.info("Mail to %s, %r, written to %s", message["To"], message["Subject"], path)


class NullMailer(Mailer):
    """Tests: keeps delivered messages in :attr:`outbox`."""

    background = False

    def __init__(self):
        self.outbox: list[EmailMessage] = []
        self._lock = threading.Lock()

    def deliver(self, message: EmailMessage) -> None:
        with self._lock:
            self.outbox.append(message)

    def clear(self) -> None:
        with self._lock:
            self.outbox.clear()


class MailService:
    """Builds messages and delivers them off the request thread; never raises."""

    def __init__(self, mailer: Mailer, sender: str):
        self.mailer = mailer
        self.sender = sender
        self._queue: queue.Queue[EmailMessage] = queue.Queue()
        self._worker: threading.Thread | None = None
        self._worker_lock = threading.Lock()
        self._idle = threading.Condition()
        self._pending = 0

    def message(self, to: str | Iterable[str], subject: str, body: str, *,
                html: str | None = None) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = to if isinstance(to, str) else ", ".join(to)
        message["Subject"] = subject
        message["Date"] = format_datetime(utcnow().replace(tzinfo=dt.UTC))
        message["Message-ID"] = make_msgid(domain="quizcore")
        message.set_content(body)
        if html is not None:
            message.add_alternative(html, subtype="html")
        return message

    def send(self, message: EmailMessage) -> None:
        """Deliver now (background thread, or inline for the null mailer)."""
        if not self.mailer.background:
            self._deliver(message)
            return
        with self._idle:
            self._pending += 1
        self._ensure_worker()
        self._queue.put(message)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until every queued message was handled (tests, shutdown)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def _deliver(self, message: EmailMessage) -> None:
        try:
            self.mailer.deliver(message)
        except Exception:  # noqa: BLE001 - a mail problem must never reach the request
            log.exception("Could not send mail %r to %s", message["Subject"], message["To"])

    def _ensure_worker(self) -> None:
        with self._worker_lock:
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._run, name="quizcore-mail",
                                                daemon=True)
                self._worker.start()

    def _run(self) -> None:
        while True:
            message = self._queue.get()
            try:
                self._deliver(message)
            finally:
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()


#: Key of the outgoing mail kept on each transaction.
_MAIL_KEY = object()


def send_after_commit(session, message: EmailMessage) -> None:
    """Send ``message`` once the session's transaction commits (never after a rollback)."""
    service: MailService = registry_of(session)["quizcore.mail"]
    pending_until_commit(session, _MAIL_KEY, partial(_send_all, service)).append(message)


def _send_all(service: MailService, messages: list[EmailMessage]) -> None:
    for message in messages:
        service.send(message)


class TransactionMailer:
    """``request.mailer``: messages wait for the request's transaction to commit."""

    def __init__(self, request):
        self.request = request
        self.service: MailService = request.registry["quizcore.mail"]

    def send(self, to: str | Iterable[str], subject: str, body: str, *,
             html: str | None = None) -> EmailMessage:
        """Queue a message; it is sent if (and once) the transaction commits."""
        message = self.service.message(to, subject, body, html=html)
        send_after_commit(self.request.dbsession, message)
        return message


def make_mailer(settings) -> Mailer:
    kind = settings["quizcore.mailer"]
    if kind == "smtp":
        return SMTPMailer(
            settings["quizcore.smtp_host"], settings["quizcore.smtp_port"],
            username=settings["quizcore.smtp_username"],
            password=settings["quizcore.smtp_password"],
            starttls=settings["quizcore.smtp_starttls"],
            timeout=settings["quizcore.smtp_timeout_seconds"],
        )
    if kind == "file":
        return FileMailer(settings["quizcore.mail_dir"])
    return NullMailer()


def get_mail_service(registry) -> MailService:
    return registry["quizcore.mail"]


def includeme(config):
    """Registers ``registry["quizcore.mail"]`` (a :class:`MailService`) and
    ``request.mailer``. Reads ``quizcore.mailer``, ``quizcore.mail_dir``,
    ``quizcore.mail_from`` and ``quizcore.smtp_*``."""
    settings = config.registry.settings
    config.registry["quizcore.mail"] = MailService(make_mailer(settings),
                                                   settings["quizcore.mail_from"])
    config.add_request_method(TransactionMailer, "mailer", reify=True)
