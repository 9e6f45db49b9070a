"""Real local SMTP servers for the tests: one that accepts and keeps messages, one that
refuses every recipient (550), one that hangs up as soon as a client connects."""

from __future__ import annotations

import socket
import threading

from aiosmtpd.controller import Controller

from tests.accounts.test_mailer import Sink as AccountsSink
from tests.accounts.test_mailer import free_port


class Sink(AccountsSink):
    """aiosmtpd handler: keeps ``(recipients, message)`` of each mail it accepts."""

    def clear(self):
        self.messages.clear()
        self.arrived.clear()


class Refuser:
    """aiosmtpd handler: every recipient is refused with 550."""

    def __init__(self):
        self.refused: list[str] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        self.refused.append(address)
        return "550 5.1.1 Mailbox unavailable"


class SMTPServer:
    def __init__(self, handler):
        self.handler = handler
        self.port = free_port()
        self.controller = Controller(handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


class HangUpServer:
    """Accepts TCP connections and closes them at once (a crashed or overloaded relay)."""

    def __init__(self):
        self.port = free_port()
        self.connections = 0
        self._socket = socket.create_server(("127.0.0.1", self.port))
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self):
        while True:
            try:
                connection, _ = self._socket.accept()
            except OSError:  # closed by __exit__
                return
            self.connections += 1
            connection.close()

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        # close() alone does not wake a thread blocked in accept(); shutdown() does.
        try:
            self._socket.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._socket.close()
        self._thread.join(5)
        assert not self._thread.is_alive()
