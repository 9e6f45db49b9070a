"""Grading: automatic marking at submission, marking by hand, regrading.

* At submission (by the student, by the deadline, or for violations) the core calls this
  plugin's grader (:func:`.marking.grade_submission`) under the attempt's row lock. Multiple
  choice, true/false and short answers are marked by the key (:mod:`.scoring`); descriptive
  answers wait for a teacher, and the attempt stays ``submitted`` (the submit answer says
  ``pending``) until every one of them has marks.
* ``/api/grading``: the attempts waiting for marks, one attempt's answers with sample answers
  and rubrics, marking by hand, the attempts already graded, and the regrade of a quiz after
  an answer-key correction (:mod:`.views`).

Without this plugin, submitted attempts stay ``submitted`` with no score and
``/api/grading`` answers 404.
"""

from __future__ import annotations

from .marking import grade_submission
from .views import SERVICES, attempt_detail, attempt_grade


def includeme(config):
    """Registers the attempt grader (``config.set_attempt_grader``) and the ``/api/grading``
    services (pending, graded, attempt detail, grade, quiz regrade). Reads no settings;
    emits ``AttemptGraded`` (``how``: "manual" when a teacher marks, "regrade" after a key
    correction; the core emits "auto" at submission)."""
    config.set_attempt_grader(grade_submission)
    for service in SERVICES:
        config.add_cornice_service(service)
    # the attempt is still in progress
    config.add_operation_statuses(attempt_detail, "GET", statuses=(409,))
    config.add_operation_statuses(attempt_grade, "POST", statuses=(409,))
