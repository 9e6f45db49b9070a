"""The audit trail: who changed what, when, from where.

Every recorded domain event (sign-ins and failed sign-ins, account claims, password resets
and changes, changes to users, students, classes, questions and quizzes, quiz publishing
and archiving, attempt submissions and auto-submissions, grading, violations) becomes an
``audit_logs`` row written in the same transaction as the change, so a rolled-back request
leaves no row. Passwords, hashes, tokens and reset codes never reach a row
(:func:`quiz_plugins.audit.records.scrub`). Admins read the trail through
``GET /api/audit-logs``; ``quizctl prune-audit`` deletes rows past the retention period.
"""

from __future__ import annotations

from quizcore.events import DomainEvent
from quizcore.settings import Setting, as_int, as_list

from . import listener, scripts, views

SETTINGS = (
    Setting("quizcore.audit.retention_days", 365, as_int(0),
            "quizctl prune-audit deletes rows older than this; 0 keeps them forever"),
    Setting("quizcore.audit.prune_batch_size", 1000, as_int(1, 100_000),
            "rows deleted per transaction by quizctl prune-audit"),
    # Autosaves arrive every few seconds per student during an exam; the answer row itself
    # keeps its last change (updated_at, client_seq), so the trail would only repeat it.
    Setting("quizcore.audit.skip_events", ("attempt.answer_saved",), as_list,
            "event names not written to the audit trail"),
)


def includeme(config):
    """Registers the in-transaction subscriber of every domain event, the
    ``GET /api/audit-logs`` service (admins) and the ``quizctl prune-audit`` command.

    Reads ``quizcore.audit.retention_days`` (default 365, 0 keeps rows forever),
    ``quizcore.audit.prune_batch_size`` (1000) and ``quizcore.audit.skip_events``
    (``attempt.answer_saved``); each can be overridden by ``QUIZCORE_AUDIT_<KEY>``.
    """
    config.add_settings_spec(SETTINGS)
    config.add_subscriber(listener.record_event, DomainEvent)
    config.add_cornice_service(views.audit_logs)
    config.add_quizctl_command("prune-audit", scripts.prune_audit,
                               help="delete audit rows older than quizcore.audit.retention_days",
                               arguments=scripts.arguments)
