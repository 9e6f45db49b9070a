"""``quizctl sweep``: auto-submit attempts whose time ran out, even if no browser comes back.

Run it on a timer (every minute is plenty: ``deploy/`` ships a systemd timer). Each expired
attempt is submitted in its own transaction, with every answer saved, ``submitted_at`` set to
its deadline, and graded through the grading hook; an attempt the student submitted in the
meantime is left alone (the attempt row is locked and re-checked).

Alternatively ``quizcore.sweep_interval_seconds > 0`` runs the same sweep in a background
thread of each API process; a Redis lock (``quizcore:sweeper:lock``) makes one process sweep
per interval. Sweeping twice at once would still be safe, only wasted work, so the thread
sweeps anyway when Redis is down.
"""

from __future__ import annotations

import logging
import secrets
import threading

from pyramid.events import ApplicationCreated
from pyramid.scripting import prepare

from ..domain.attempts import SubmitResult, expire_attempt, expired_attempt_ids
from ..domain.timing import iso
from ..models import utcnow
from ..redis_client import REDIS_ERRORS

log = logging.getLogger(__name__)

LOCK_KEY = "quizcore:sweeper:lock"
DEFAULT_BATCH = 500


def sweep_expired(request, *, limit: int = DEFAULT_BATCH) -> list[SubmitResult]:
    """Auto-submit up to ``limit`` expired attempts, one transaction each.

    ``request`` is a bootstrapped (non-HTTP) request: its ``tm`` is used for the
    transactions. Returns the attempts this call submitted.
    """
    grace = request.registry.settings["quizcore.answer_grace_seconds"]
    with request.tm:
        ids = expired_attempt_ids(request.dbsession, now=utcnow(), grace_seconds=grace,
                                  limit=limit)
    submitted = []
    for attempt_id in ids:
        try:
            with request.tm:
                result = expire_attempt(request.dbsession, attempt_id, now=utcnow())
        except Exception:  # noqa: BLE001 - one broken attempt must not stop the others
            log.exception("Could not auto-submit attempt %s; it will be retried.", attempt_id)
            continue
        if result is not None:
            submitted.append(result)
    if submitted:
        log.info("Auto-submitted %d expired attempt(s).", len(submitted))
    return submitted


def sweep_command(env, args) -> int:
    results = sweep_expired(env["request"], limit=args.limit)
    print(f"Auto-submitted {len(results)} expired attempt(s).")
    for result in results:
        print(f"  {result.attempt_id}  submitted_at={iso(result.submitted_at)}  "
              f"status={result.status}")
    return 0


def _sweep_arguments(parser) -> None:
    parser.add_argument("--limit", type=int, default=DEFAULT_BATCH,
                        help=f"most attempts to submit in one run (default {DEFAULT_BATCH})")


class Sweeper(threading.Thread):
    """Background sweeper of one API process (``quizcore.sweep_interval_seconds``)."""

    def __init__(self, registry, interval: int):
        super().__init__(name="quizcore-sweeper", daemon=True)
        self.registry = registry
        self.interval = interval
        self.stopped = threading.Event()
        self.token = secrets.token_hex(8)

    def stop(self) -> None:
        self.stopped.set()

    def _has_turn(self) -> bool:
        try:
            return bool(self.registry["redis"].set(LOCK_KEY, self.token, nx=True,
                                                   ex=self.interval))
        except REDIS_ERRORS as exc:
            log.warning("Sweeper lock unavailable (%s); sweeping anyway.", exc)
            return True

    def run_once(self) -> list[SubmitResult]:
        if not self._has_turn():
            return []
        env = prepare(registry=self.registry)
        try:
            return sweep_expired(env["request"])
        finally:
            env["closer"]()

    def run(self) -> None:
        # Wait first: a short-lived process (quizctl) never sweeps from this thread.
        while not self.stopped.wait(self.interval):
            try:
                self.run_once()
            except Exception:  # noqa: BLE001 - the thread must outlive a bad sweep
                log.exception("Background sweep failed.")


def start_sweeper(event: ApplicationCreated) -> None:
    registry = event.app.registry
    interval = registry.settings["quizcore.sweep_interval_seconds"]
    if interval > 0 and "quizcore.sweeper" not in registry:
        sweeper = Sweeper(registry, interval)
        registry["quizcore.sweeper"] = sweeper
        sweeper.start()


def includeme(config):
    """Registers ``quizctl sweep`` and, when ``quizcore.sweep_interval_seconds > 0``, the
    background sweeper thread started with the WSGI application."""
    config.add_quizctl_command("sweep", sweep_command, arguments=_sweep_arguments,
                               help="auto-submit attempts whose time ran out")
    config.add_subscriber(start_sweeper, ApplicationCreated)
