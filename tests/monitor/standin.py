"""Stand-ins for the student endpoints that emit monitor events, for the monitor's tests and
``bench/monitor_latency.py``.

They take the same requests and give the same answers as the real endpoints of API.md
(start, answer save, violation report, submit) and go through the same machinery: a real
committed transaction, a domain event emitted in it, published to Redis by
``quizcore.realtime`` after the commit. Only the business rules are left out (no deadline,
debounce or threshold checks). :data:`PATHS` maps each action to its URL, so moving the
tests and the benchmark to the real endpoints is a change of that table.

Each answer also carries ``X-Committed-At`` (epoch seconds, set right after the commit and
before the event is published) so the benchmark can measure commit -> websocket latency.
"""

from __future__ import annotations

import time

import colander
import sqlalchemy as sa

from quizcore import models
from quizcore.errors import not_found
from quizcore.events import AnswerSaved, AttemptStarted, AttemptSubmitted, ViolationRecorded, emit
from quizcore.rest import Service, body_validator

#: Where each student action is sent. The real endpoints (API.md) are
#: /api/quizzes/{quiz_id}/start, /api/attempts/{attempt_id}/answer,
#: /api/attempts/{attempt_id}/violations and /api/attempts/{attempt_id}/submit.
PATHS = {
    "start": "/api/testmonitor/quizzes/{quiz_id}/start",
    "answer": "/api/testmonitor/attempts/{attempt_id}/answer",
    "violation": "/api/testmonitor/attempts/{attempt_id}/violations",
    "submit": "/api/testmonitor/attempts/{attempt_id}/submit",
}

start = Service(name="testmonitor_start", path=PATHS["start"], description="Start (stand-in)")
answer = Service(name="testmonitor_answer", path=PATHS["answer"], description="Save (stand-in)")
violation = Service(name="testmonitor_violation", path=PATHS["violation"],
                    description="Report a violation (stand-in)")
submit = Service(name="testmonitor_submit", path=PATHS["submit"], description="Submit (stand-in)")


class AnswerBody(colander.MappingSchema):
    question_id = colander.SchemaNode(colander.String())
    answer_option = colander.SchemaNode(colander.Integer(), missing=None)
    answer_text = colander.SchemaNode(colander.String(), missing=None)


class ViolationBody(colander.MappingSchema):
    violation_type = colander.SchemaNode(
        colander.String(), validator=colander.OneOf([t.value for t in models.ViolationType]))
    question_index = colander.SchemaNode(colander.Integer(), missing=None)


def _stamp_commit_time(request) -> None:
    def stamp(committed):
        if committed:
            request.response.headers["X-Committed-At"] = repr(time.time())

    # Registered before emit() registers the publishing hook, so it runs first.
    request.tm.get().addAfterCommitHook(stamp)


def _own_attempt(request, lock=False) -> models.QuizAttempt:
    statement = sa.select(models.QuizAttempt).where(
        models.QuizAttempt.id == request.matchdict["attempt_id"],
        models.QuizAttempt.student_id == request.user.id)
    if lock:
        statement = statement.with_for_update()
    attempt = request.dbsession.execute(statement).scalar_one_or_none()
    if attempt is None:
        raise not_found("Attempt")
    return attempt


def _question_count(request, quiz_id) -> int:
    return request.dbsession.execute(sa.select(sa.func.count()).select_from(models.QuizQuestion)
                                     .where(models.QuizQuestion.quiz_id == quiz_id)).scalar_one()


@start.post(permission="study")
def post_start(request):
    quiz = request.dbsession.get(models.Quiz, request.matchdict["quiz_id"])
    if quiz is None:
        raise not_found("Quiz")
    attempt = models.QuizAttempt(quiz_id=quiz.id, student_id=request.user.id, attempt_number=1)
    request.dbsession.add(attempt)
    request.dbsession.flush()
    _stamp_commit_time(request)
    emit(request, AttemptStarted(attempt_id=attempt.id, quiz_id=quiz.id,
                                 student_id=request.user.id, student_name=request.user.name,
                                 attempt_number=1,
                                 total_questions=_question_count(request, quiz.id)))
    return {"attempt_id": attempt.id}


@answer.post(permission="study", schema=AnswerBody(), validators=(body_validator,))
def post_answer(request):
    attempt = _own_attempt(request, lock=True)
    body = request.validated
    link = request.dbsession.execute(sa.select(models.QuizQuestion).where(
        models.QuizQuestion.quiz_id == attempt.quiz_id,
        models.QuizQuestion.question_id == body["question_id"])).scalar_one_or_none()
    if link is None:
        raise not_found("Question")
    row = request.dbsession.execute(sa.select(models.StudentAnswer).where(
        models.StudentAnswer.attempt_id == attempt.id,
        models.StudentAnswer.question_id == body["question_id"])).scalar_one_or_none()
    if row is None:
        row = models.StudentAnswer(attempt_id=attempt.id, question_id=body["question_id"])
        request.dbsession.add(row)
    row.answer_option, row.answer_text = body["answer_option"], body["answer_text"]
    row.updated_at = models.utcnow()
    request.dbsession.flush()
    answered = request.dbsession.execute(sa.select(sa.func.count()).select_from(
        models.StudentAnswer).where(models.StudentAnswer.attempt_id == attempt.id)).scalar_one()
    _stamp_commit_time(request)
    event = emit(request, AnswerSaved(
        attempt_id=attempt.id, quiz_id=attempt.quiz_id, student_id=request.user.id,
        student_name=request.user.name, question_index=link.order_index,
        answered_count=answered, total_questions=_question_count(request, attempt.quiz_id)))
    return {"message": "Answer saved", "saved_at": row.updated_at.isoformat() + "Z",
            "answered_questions": event.answered_count}


@violation.post(permission="study", schema=ViolationBody(), validators=(body_validator,))
def post_violation(request):
    attempt = _own_attempt(request, lock=True)
    body = request.validated
    request.dbsession.add(models.Violation(attempt_id=attempt.id,
                                           violation_type=body["violation_type"],
                                           question_index=body["question_index"]))
    attempt.total_violations += 1
    request.dbsession.flush()
    _stamp_commit_time(request)
    emit(request, ViolationRecorded(
        attempt_id=attempt.id, quiz_id=attempt.quiz_id, student_id=request.user.id,
        student_name=request.user.name, violation_type=body["violation_type"],
        total_violations=attempt.total_violations, counted=True,
        question_index=body["question_index"]))
    return {"message": "Violation recorded", "total_violations": attempt.total_violations,
            "auto_submit": False}


@submit.post(permission="study")
def post_submit(request):
    attempt = _own_attempt(request, lock=True)
    attempt.status = models.AttemptStatus.SUBMITTED
    attempt.submitted_at = models.utcnow()
    request.dbsession.flush()
    _stamp_commit_time(request)
    emit(request, AttemptSubmitted(
        attempt_id=attempt.id, quiz_id=attempt.quiz_id, student_id=request.user.id,
        student_name=request.user.name, submitted_at=attempt.submitted_at,
        status=str(attempt.status)))
    return {"message": "Quiz submitted", "score": None, "status": "pending"}


def includeme(config):
    """Registers the four stand-in student endpoints; reads no settings."""
    for service in (start, answer, violation, submit):
        config.add_cornice_service(service)
