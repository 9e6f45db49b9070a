"""Grading: automatic marking at submission, marking by hand, regrading.

* At submission (by the student, by the deadline, or for violations) the core calls this
  plugin's grader (:func:`.marking.grade_submission`) under the attempt's row lock. Multiple
  choice, true/false and short answers are marked by the key (:mod:`.scoring`); descriptive
  answers wait for a teacher, and the attempt stays ``submitted`` (the submit answer says
  ``pending``) until every one of them has marks.
* ``/api/grading``: the attempts waiting for marks, one attempt's answers with sample answers
  and rubrics, marking by hand, the attempts already graded, how far marking has come
  (``/statistics``), and the regrade of a quiz after an answer-key correction (:mod:`.views`).
* The Quizmaster SPA's grading calls (``/api/grading/attempt/{id}``,
  ``/api/teacher/grade-answer``, ``/api/teacher/grading/pending``): the same marking, with
  answers named by their question (:mod:`.spa`).

Without this plugin, submitted attempts stay ``submitted`` with no score and
``/api/grading`` answers 404.
"""

from __future__ import annotations

from .marking import grade_submission
from .spa import SPA_SERVICES, spa_grade_answer, spa_grade_attempt
from .views import SERVICES, attempt_detail, attempt_grade


def includeme(config):
    """Registers the attempt grader (``config.set_attempt_grader``), the ``/api/grading``
    services (pending, graded, attempt detail, grade, statistics, quiz regrade) and the
    SPA's grading calls (:mod:`.spa`). Reads no settings;
    emits ``AttemptGraded`` (``how``: "manual" when a teacher marks, "regrade" after a key
    correction; the core emits "auto" at submission)."""
    config.set_attempt_grader(grade_submission)
    for service in (*SERVICES, *SPA_SERVICES):
        config.add_cornice_service(service)
    # the attempt is still in progress
    config.add_operation_statuses(attempt_detail, "GET", statuses=(409,))
    for service in (attempt_grade, spa_grade_attempt, spa_grade_answer):
        config.add_operation_statuses(service, "POST", statuses=(409,))
