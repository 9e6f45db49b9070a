"""The teacher's "Reset attempts" dialogs of the SPA (``AttemptReset.tsx``,
``StudentResetModal.tsx``, ``BulkResetModal.tsx``).

Both calls send ``{additional_attempts, reason}`` and are answered by the canonical
``POST /api/quizzes/{id}/grant-attempts`` for the signed-in teacher, so who may grant, the
limits (1 to 100 more, a reason required) and every refusal are the canonical API's:

* ``POST /api/attempts/student/{student_id}/quiz/{quiz_id}/reset``: that many more
  attempts for one student (the path's ``student_id``), who must be in one of the quiz's
  classes. Their earlier attempts stay as they are (quizcore never hides an attempt); the
  grant raises the attempts they are allowed. The answer adds the names the SPA's Flask
  backend answered: ``success``, ``message`` (which ``AttemptReset`` shows) and
  ``new_max_attempts``;
* ``POST /api/attempts/quiz/{quiz_id}/reset``: that many more for every student of the
  quiz's classes (the classes' overrides are raised; see
  :func:`quizcore.domain.overrides.grant_quiz_attempts`), with ``success``, ``message``,
  ``processed_students`` and ``quiz_title``.

The grant is one canonical request, hence one transaction: it applies whole or not at all.
The reason goes to the audit trail; each student concerned is told in the app.
"""

from __future__ import annotations

from urllib.parse import quote

from quizcore.rest import Service

from .core import TAGS, core_post, json_object, refused_as_is

student_reset = Service(
    name="spa_reset_student_attempts",
    path="/api/attempts/student/{student_id}/quiz/{quiz_id}/reset",
    description="SPA: grant one student more attempts at a quiz, with a reason.")
quiz_reset = Service(
    name="spa_reset_quiz_attempts", path="/api/attempts/quiz/{quiz_id}/reset",
    description="SPA: grant every student of the quiz's classes more attempts, with a "
                "reason.")

#: The body keys the dialogs send (anything else is left out of the canonical call).
SENT = ("additional_attempts", "reason")


def _grant_path(request) -> str:
    return f"/api/quizzes/{quote(request.matchdict['quiz_id'], safe='')}/grant-attempts"


def _sent(request) -> dict:
    """The dialog's ``additional_attempts`` and ``reason``; a body that is not a JSON object
    goes on as {}, whose validation answers for it."""
    body = json_object(request)
    return {key: body[key] for key in SENT if key in body}


@student_reset.post(permission="teach", tags=TAGS)
@refused_as_is
def reset_student(request):
    """``{additional_attempts, reason}`` -> ``POST /api/quizzes/{quiz_id}/grant-attempts``
    with the path's ``student_id``; its answer plus ``success``, ``new_max_attempts``
    (``attempts_allowed``) and ``message``."""
    body = core_post(request, _grant_path(request),
                     {**_sent(request), "student_id": request.matchdict["student_id"]})
    return {**body, "success": True, "new_max_attempts": body["attempts_allowed"],
            "message": f"Granted {body['additional_attempts']} more attempt(s) to "
                       f"{body['student_name']}: {body['attempts_allowed']} in all."}


@quiz_reset.post(permission="teach", tags=TAGS)
@refused_as_is
def reset_quiz(request):
    """``{additional_attempts, reason}`` -> ``POST /api/quizzes/{quiz_id}/grant-attempts``
    for every student of the quiz's classes; its answer plus ``success``,
    ``processed_students`` (``students``) and ``message``."""
    body = core_post(request, _grant_path(request), _sent(request))
    return {**body, "success": True, "processed_students": body["students"]}


def includeme(config):
    """Register this module's compat services."""
    for service in (student_reset, quiz_reset):
        config.add_cornice_service(service)
    # the quiz is set for no class; an override of the same student or class created at the
    # same instant
    for service in (student_reset, quiz_reset):
        config.add_operation_statuses(service, "POST", statuses=(409,))
