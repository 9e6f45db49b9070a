"""Notifications: in-app messages and e-mails about the events a person cares about.

* a quiz is published -> each student of its classes;
* an attempt is graded (final marks) -> its student;
* descriptive answers wait for marks -> the quiz's teacher;
* an attempt is auto-submitted for violations -> the quiz's teacher.

The in-app rows are written in the transaction of the change (a rolled-back request
notifies nobody); e-mails leave after the commit through the core mailer and an SMTP
failure is logged, never returned to the client. Users read their notifications through
``/api/notifications``.
"""

from __future__ import annotations

from pyramid.exceptions import ConfigurationError

from quizcore.events import (
    AttemptExtended,
    AttemptForceSubmitted,
    AttemptGraded,
    AttemptReopened,
    AttemptsGranted,
    AttemptSubmitted,
    QuizPublished,
)
from quizcore.settings import Setting, as_list, as_str

from . import listener, views
from .mail import template_environment
from .messages import TYPES

SETTINGS = (
    Setting("quizcore.notifications.email_events", TYPES, as_list,
            "notification types also sent by e-mail (" + ", ".join(TYPES) + "); "
            "empty sends none"),
    Setting("quizcore.notifications.app_url", "", as_str,
            "the web app's address, for links in e-mails (e.g. https://quiz.school.example); "
            "empty: mails carry no link"),
)


def includeme(config):
    """Registers the in-transaction subscribers of ``QuizPublished``, ``AttemptGraded`` and
    ``AttemptSubmitted``, the e-mail templates (``registry["notifications.templates"]``) and
    the ``/api/notifications`` services (list, read, read-all, delete).

    Reads ``quizcore.notifications.email_events`` (which types are also e-mailed; default:
    all of them) and ``quizcore.notifications.app_url`` (base of the links in e-mails);
    each can be overridden by ``QUIZCORE_NOTIFICATIONS_<KEY>``. An unknown type stops
    start-up.
    """
    settings = config.add_settings_spec(SETTINGS)
    unknown = sorted(set(settings["quizcore.notifications.email_events"]) - set(TYPES))
    if unknown:
        raise ConfigurationError(
            f"quizcore.notifications.email_events: unknown type(s) {', '.join(unknown)}; "
            f"known types are {', '.join(TYPES)}.")
    config.registry[listener.TEMPLATES_KEY] = template_environment()
    config.add_subscriber(listener.on_quiz_published, QuizPublished)
    config.add_subscriber(listener.on_attempt_graded, AttemptGraded)
    config.add_subscriber(listener.on_attempt_submitted, AttemptSubmitted)
    config.add_subscriber(listener.on_attempt_extended, AttemptExtended)
    config.add_subscriber(listener.on_attempt_force_submitted, AttemptForceSubmitted)
    config.add_subscriber(listener.on_attempt_reopened, AttemptReopened)
    config.add_subscriber(listener.on_attempts_granted, AttemptsGranted)
    for service in (views.notifications, views.read_all, views.unread, views.notification,
                    views.notification_read):
        config.add_cornice_service(service)
