"""Exam control: per-quiz overrides, live extensions, teacher actions on attempts and the
released start of a quiz.

The quiz's owner and admins use every endpoint here (others: 404 for an object they do not
manage, 403 for students). The rules live in :mod:`quizcore.domain.overrides` and
:mod:`quizcore.domain.exam_control` and :mod:`quizcore.domain.gates`.
"""

from __future__ import annotations

import sqlalchemy as sa

from ..domain import exam_control, gates, overrides, timing
from ..domain.errors import NotFound
from ..models import Quiz, QuizAttempt, SchoolClass, User, utcnow
from ..rest import body_validator, iso
from ..schemas.exam_control import (
    ExtendAttemptBody,
    ExtendQuizBody,
    ForceSubmitBody,
    GrantAttemptsBody,
    override_create_schema,
    override_update_schema,
)
from ._assessment import JSON, jsonable, nulls_sent, owned_or_404, service
from .attempts import submit_view

quiz_overrides = service(
    name="quiz_overrides", path="/api/quizzes/{id}/overrides",
    description="Overrides of the quiz for a student or a class: own time limit (minutes or "
                "multiplier), extra attempts, own window. 409 for a second override of the "
                "same student or class.")
quiz_override = service(name="quiz_override",
                        path="/api/quizzes/{id}/overrides/{override_id}",
                        description="One override of the quiz.")
quiz_extend = service(name="quiz_extend", path="/api/quizzes/{id}/extend",
                      description="Give every attempt in progress at the quiz more minutes.")
attempt_extend = service(
    name="attempt_extend", path="/api/attempts/{id}/extend",
    description="Move the deadline of an attempt in progress (minutes, or deadline_at); "
                "409 once it is no longer in progress.")
attempt_force_submit = service(
    name="attempt_force_submit", path="/api/attempts/{id}/force-submit",
    description="A teacher ends an attempt in progress (graded as usual, status "
                "force_submitted, reason recorded).")
quiz_release = service(
    name="quiz_release", path="/api/quizzes/{id}/release",
    description="Release a teacher_release quiz: every student's clock starts now (each "
                "deadline = released_at + their own limit). A second release answers the "
                "first instant (already_released).")
quiz_release_state = service(
    name="quiz_release_state", path="/api/quizzes/{id}/release-state",
    description="Has the quiz been released? Cheap, for students waiting to start to poll "
                "(every 2 s).")
attempt_reopen = service(
    name="attempt_reopen", path="/api/attempts/{id}/reopen",
    description="Grant the student of an ended attempt one more attempt at the quiz.")

quiz_grant_attempts = service(
    name="quiz_grant_attempts", path="/api/quizzes/{id}/grant-attempts",
    description="Give one student (student_id), or every student of the quiz's classes, "
                "more attempts at the quiz, with a reason (recorded in the audit trail). "
                "Without student_id the classes' overrides are raised.")


def _names(session, rows) -> dict[str, str]:
    student_ids = {r.student_id for r in rows if r.student_id}
    class_ids = {r.class_id for r in rows if r.class_id}
    names: dict[str, str] = {}
    if student_ids:
        names.update(session.execute(sa.select(User.id, User.name)
                                     .where(User.id.in_(student_ids))).all())
    if class_ids:
        names.update(session.execute(sa.select(SchoolClass.id, SchoolClass.name)
                                     .where(SchoolClass.id.in_(class_ids))).all())
    return names


def overrides_json(session, quiz_id: str) -> list[dict]:
    """The quiz's overrides as staff see them (also part of the staff quiz detail)."""
    rows = overrides.overrides_of(session, quiz_id)
    names = _names(session, rows)
    return [jsonable(overrides.override_json(row, names)) for row in rows]


def _override_response(request, row) -> dict:
    return jsonable(overrides.override_json(row, _names(request.dbsession, [row])))


def _managed_attempt_id(request) -> str:
    return request.matchdict["id"]


@quiz_overrides.get(permission="teach")
def list_overrides(request):
    item = owned_or_404(request, Quiz, "Quiz")
    return {"items": overrides_json(request.dbsession, item.id)}


@quiz_overrides.post(permission="teach", schema=override_create_schema(),
                     validators=(body_validator,), content_type=JSON)
def create_override(request):
    """Create an override (201) for exactly one of ``student_id`` / ``class_id``: the
    student must be in, or the class one of, the quiz's classes."""
    item = owned_or_404(request, Quiz, "Quiz")
    row = overrides.create_override(request.dbsession, item, request.validated,
                                    actor_id=request.user.id)
    request.response.status_code = 201
    return _override_response(request, row)


@quiz_override.put(permission="teach", schema=override_update_schema(),
                   validators=(body_validator,), content_type=JSON)
def update_override(request):
    """Change any of the override's values; null clears one."""
    item = owned_or_404(request, Quiz, "Quiz")
    row = overrides.override_of(request.dbsession, item, request.matchdict["override_id"])
    values = {**request.validated, **nulls_sent(request, overrides.VALUE_FIELDS)}
    overrides.update_override(request.dbsession, item, row, values, actor_id=request.user.id)
    return _override_response(request, row)


@quiz_override.delete(permission="teach")
def delete_override(request):
    item = owned_or_404(request, Quiz, "Quiz")
    row = overrides.override_of(request.dbsession, item, request.matchdict["override_id"])
    overrides.delete_override(request.dbsession, row, actor_id=request.user.id)
    return {"message": "Override deleted."}


@quiz_extend.post(permission="teach", schema=ExtendQuizBody(), validators=(body_validator,),
                  content_type=JSON)
def extend_quiz(request):
    """``minutes`` more for every attempt in progress: ``{"extended": count}``."""
    item = owned_or_404(request, Quiz, "Quiz")
    count = exam_control.extend_quiz(request.dbsession, item, request.user,
                                     minutes=request.validated["minutes"])
    return {"extended": count}


@attempt_extend.post(permission="teach", schema=ExtendAttemptBody(),
                     validators=(body_validator,), content_type=JSON)
def extend_attempt(request):
    """The attempt's new ``deadline_at`` and ``time_remaining_seconds``."""
    now = utcnow()
    values = request.validated
    attempt = exam_control.extend_attempt(
        request.dbsession, _managed_attempt_id(request), request.user,
        minutes=values.get("minutes"), deadline_at=values.get("deadline_at"), now=now)
    return {"attempt_id": attempt.id, "status": str(attempt.status),
            "deadline_at": iso(attempt.deadline_at),
            "time_remaining_seconds": timing.seconds_remaining(attempt.deadline_at, now),
            "server_time": iso(now)}


@attempt_force_submit.post(permission="teach", schema=ForceSubmitBody(),
                           validators=(body_validator,), content_type=JSON)
def force_submit_attempt(request):
    """As a submit's answer, with ``attempt_status: "force_submitted"``."""
    result = exam_control.force_submit_attempt(
        request.dbsession, _managed_attempt_id(request), request.user,
        reason=request.validated["reason"])
    return {**submit_view(result), "reason": request.validated["reason"].strip(),
            "message": "Attempt force-submitted."}


@attempt_reopen.post(permission="teach")
def reopen_attempt(request):
    """One more attempt for the student; their next start is a new attempt."""
    attempt = request.dbsession.get(QuizAttempt, _managed_attempt_id(request))
    if attempt is None:
        raise NotFound("Attempt")
    result = exam_control.reopen_attempt(request.dbsession, attempt.id, request.user)
    return {"attempt_id": result.attempt.id, "student_id": result.attempt.student_id,
            "quiz_id": result.attempt.quiz_id, "override_id": result.override_id,
            "attempts_allowed": result.attempts_allowed,
            "attempts_used": result.attempts_used,
            "message": "The student may start another attempt."}


@quiz_grant_attempts.post(permission="teach", schema=GrantAttemptsBody(),
                          validators=(body_validator,), content_type=JSON)
def grant_attempts(request):
    """``additional_attempts`` more for one student (``student_id``: ``attempts_allowed``,
    ``attempts_used`` and ``override_id`` of that student) or for every student of the
    quiz's classes (``class_ids`` raised); ``students`` counts the students concerned.
    400 for a student outside the quiz's classes or past the most extra attempts; 409
    ``no_classes`` for a quiz set for no class."""
    values = request.validated
    done = exam_control.grant_attempts(
        request.dbsession, request.matchdict["id"], request.user,
        additional_attempts=values["additional_attempts"], reason=values["reason"],
        student_id=values.get("student_id"))
    body = {"quiz_id": done.quiz.id, "quiz_title": done.quiz.title,
            "additional_attempts": done.additional_attempts, "reason": done.reason,
            "students": len(done.attempts_allowed), "class_ids": list(done.class_ids)}
    if done.student is not None:
        allowed = done.attempts_allowed[done.student.id]
        body.update(student_id=done.student.id, student_name=done.student.user.name,
                    override_id=done.override_id, attempts_allowed=allowed,
                    attempts_used=done.attempts_used,
                    message=f"{done.student.user.name} may now make {allowed} attempt(s) "
                            f"in all ({done.additional_attempts} more).")
    else:
        body["message"] = (f"{done.additional_attempts} more attempt(s) for each of the "
                           f"{len(done.attempts_allowed)} student(s) of the quiz's classes.")
    return body


@quiz_release.post(permission="teach")
def release_quiz(request):
    """``released_at`` (the instant every clock started), ``already_released``, and how
    many students were ``waiting``. 409 for a window quiz or an unpublished one."""
    released = gates.release_quiz(request.dbsession, request.matchdict["id"], request.user)
    return {"released_at": iso(released.released_at),
            "already_released": released.already_released, "waiting": released.waiting,
            "message": "The quiz was already released." if released.already_released
            else "Quiz released: students may start."}


@quiz_release_state.get()
def release_state(request):
    """``released`` (a student bound by the release may start), ``released_at``,
    ``start_mode`` and ``server_time``; never cached."""
    state = gates.release_state(request.dbsession, request.matchdict["id"], request.user)
    request.response.cache_control = "no-store"
    return {"released": state.released, "released_at": iso(state.released_at),
            "start_mode": state.start_mode, "server_time": iso(utcnow())}


def includeme(config):
    for each in (quiz_overrides, quiz_override, quiz_extend, attempt_extend,
                 attempt_force_submit, attempt_reopen, quiz_grant_attempts, quiz_release,
                 quiz_release_state):
        config.add_cornice_service(each)
    config.add_operation_statuses(quiz_overrides, "POST", success=(201,),
                                  statuses=(409,))  # the student or class has one already
    config.add_operation_statuses(attempt_extend, "POST", statuses=(409,))  # not in progress
    config.add_operation_statuses(attempt_force_submit, "POST", statuses=(409,))
    config.add_operation_statuses(attempt_reopen, "POST", statuses=(409,))  # still running
    # a quiz set for no class; an override created concurrently
    config.add_operation_statuses(quiz_grant_attempts, "POST", statuses=(409,))
    # a window quiz, or not published
    config.add_operation_statuses(quiz_release, "POST", statuses=(409,))
