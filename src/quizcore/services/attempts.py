"""Attempts: ``/api/attempts`` (students take quizzes, teachers follow their quizzes).

A student sees only their own attempts; a teacher the attempts at their quizzes; an admin
all. Any other attempt answers 404. ``POST /api/attempts/{id}/answer`` is the autosave of
the exam page and the hottest endpoint: one locked primary-key read, one cached membership
check, one upsert.
"""

from __future__ import annotations

import sqlalchemy as sa

from ..domain import attempts as lifecycle
from ..domain import overdue, overrides, review, timing, visibility
from ..domain.errors import Invalid, NotFound
from ..models import Quiz as QuizModel
from ..models import QuizAttempt, Student, User, utcnow
from ..rest import iso, page_params, paginate, validator
from ..schemas.attempts import AnswerRequest, AttemptListRequest
from ._assessment import JSON, is_student, jsonable, raw_body, service

attempts = service(name="attempts", path="/api/attempts",
                   description="Attempts: a student's own, a teacher's quizzes', all for admins.")
attempt = service(name="attempt", path="/api/attempts/{id}",
                  description="One attempt with its answers as the review policy allows.")
attempt_status = service(name="attempt_status", path="/api/attempts/{id}/status",
                         description="The exam page's heartbeat: status and time remaining "
                                     "of the student's own attempt and their effective "
                                     "limits (primary-key reads).")
attempt_answer = service(
    name="attempt_answer", path="/api/attempts/{id}/answer",
    description="Autosave one answer (upsert per question). 409 with reason 'submitted' or "
                "'time_over' once answers can no longer change. client_seq orders saves: an "
                "older save never overwrites a newer one. Idempotency-Key: a retry with the "
                "same key is acknowledged with the first saved_at and not applied again.")
attempt_submit = service(
    name="attempt_submit", path="/api/attempts/{id}/submit",
    description="Submit the attempt. Idempotent: a second submit returns the first result.")

#: Scope of one lazy-expiry pass on a list request.
LIST_EXPIRY_LIMIT = 50


def _scope(statement, user):
    """Restrict a statement over QuizAttempt (joined with Quiz) to what ``user`` may see."""
    return statement.where(visibility.attempt_condition(user))


def _visible_attempt(request) -> QuizAttempt:
    item = request.dbsession.get(QuizAttempt, request.matchdict["id"])
    if item is None or not visibility.can_see_attempt(request.identity, item):
        raise NotFound("Attempt")
    return item


def _expire_due(request, user) -> None:
    """Lazy expiry for lists: auto-submit the viewer's expired attempts before listing."""
    grace = request.registry.settings["quizcore.answer_grace_seconds"]
    statement = _scope(
        sa.select(QuizAttempt.id).join(QuizModel, QuizModel.id == QuizAttempt.quiz_id)
        .where(lifecycle.expired_condition(request.dbsession, utcnow(), grace)),
        user).limit(LIST_EXPIRY_LIMIT)
    for attempt_id in request.dbsession.scalars(statement).all():
        lifecycle.expire_attempt(request.dbsession, attempt_id)


def submit_view(result: lifecycle.SubmitResult) -> dict:
    # Cornice's JSON renderer knows no Decimal: scores are converted here (jsonable).
    return jsonable({
        "attempt_id": result.attempt_id,
        "status": "not_counted" if result.status == lifecycle.AttemptStatus.NOT_COUNTED
        else "pending" if result.pending else "graded",
        "attempt_status": str(result.status),
        "score": result.score, "total_marks": result.total_marks,
        "percentage": result.percentage, "passed": result.passed,
        "submitted_at": iso(result.submitted_at),
        "auto_submitted_due_to_violations": result.auto_submitted_due_to_violations,
    })


@attempts.get(schema=AttemptListRequest(), validators=(validator,))
def list_attempts(request):
    """Attempts, newest first; filters ``quiz_id``, ``status``, ``student_id`` (staff).
    Expired attempts in the list are auto-submitted first."""
    user = request.user
    query = request.validated["querystring"]
    _expire_due(request, user)
    statement = _scope(
        sa.select(QuizAttempt, QuizModel.title, QuizModel.subject, User.name,
                  Student.registration_number)
        .join(QuizModel, QuizModel.id == QuizAttempt.quiz_id)
        .join(User, User.id == QuizAttempt.student_id)
        .join(Student, Student.id == QuizAttempt.student_id), user)
    if "quiz_id" in query:
        statement = statement.where(QuizAttempt.quiz_id == query["quiz_id"])
    if "status" in query:
        statement = statement.where(QuizAttempt.status == query["status"])
    if "student_id" in query and not is_student(user):
        statement = statement.where(QuizAttempt.student_id == query["student_id"])
    statement = statement.order_by(QuizAttempt.started_at.desc(), QuizAttempt.id)
    now = utcnow()

    def serialize(row):
        item, title, subject, name, registration = row
        return jsonable({
            "id": item.id,
            "quiz": {"id": item.quiz_id, "title": title, "subject": subject},
            "student": {"id": item.student_id, "name": name,
                        "registration_number": registration},
            "attempt_number": item.attempt_number, "status": str(item.status),
            "counted": item.status != lifecycle.AttemptStatus.NOT_COUNTED,
            "score": item.score, "total_marks": item.total_marks,
            "percentage": item.percentage, "passed": item.passed,
            "total_violations": item.total_violations,
            "auto_submitted_due_to_violations": item.auto_submitted_due_to_violations,
            "started_at": iso(item.started_at), "submitted_at": iso(item.submitted_at),
            "deadline_at": iso(item.deadline_at),
            "time_remaining_seconds": timing.seconds_remaining(item.deadline_at, now)
            if item.status == lifecycle.AttemptStatus.IN_PROGRESS else 0,
        })

    page, limit = page_params(request.validated)
    return paginate(request.dbsession, statement, page, limit, serialize, scalars=False)


@attempt.get()
def get_attempt(request):
    """One attempt: quiz (with its questions as shown in this attempt), student, answers (a
    student: in their attempt's order, with marks and correct answers only as the quiz's
    review policy allows), violations, result."""
    item = _visible_attempt(request)
    now = utcnow()
    if lifecycle.expire_if_due(request.dbsession, item, now) is not None:
        request.dbsession.refresh(item)
    user = request.user
    quiz = item.quiz
    staff = not is_student(user)
    policy = review.review_policy(item, quiz, staff=staff, session=request.dbsession, now=now)
    student = request.dbsession.get(Student, item.student_id)
    violations = []
    for violation in item.violations:
        entry = {"type": str(violation.violation_type), "violation_type":
                 str(violation.violation_type), "detected_at": iso(violation.detected_at),
                 "question_index": violation.question_index}
        if staff:
            entry.update(severity=violation.severity.value if violation.severity else None,
                         counted=violation.is_counted, metadata=violation.details)
        violations.append(entry)
    answers = review.attempt_answers(request.dbsession, item, quiz, policy)
    return jsonable({
        "id": item.id, "attempt_number": item.attempt_number, "status": str(item.status),
        "started_at": iso(item.started_at), "submitted_at": iso(item.submitted_at),
        "deadline_at": iso(item.deadline_at),
        "time_remaining_seconds": timing.seconds_remaining(item.deadline_at, now)
        if item.is_open else 0,
        "score": item.score, "total_marks": item.total_marks, "percentage": item.percentage,
        "passed": item.passed, "total_violations": item.total_violations,
        "auto_submitted_due_to_violations": item.auto_submitted_due_to_violations,
        "force_submit_reason": item.force_submit_reason,
        "quiz": {"id": quiz.id, "title": quiz.title, "subject": quiz.subject,
                 "time_limit_minutes": quiz.time_limit_minutes,
                 "duration_minutes": quiz.time_limit_minutes,
                 "passing_percentage": quiz.passing_percentage,
                 "allow_review": quiz.allow_review,
                 "show_answers_after_submission": quiz.show_answers_after_submission,
                 "review": review.quiz_review(quiz),
                 "overdue_handling": quiz.overdue_handling,
                 "grace_period_minutes": quiz.grace_period_minutes,
                 # The questions as this attempt shows them (the same entries as in
                 # "answers", so the same review policy: empty when answers are hidden).
                 "questions": [entry["question"] for entry in answers]},
        "student": {"id": item.student_id, "name": student.user.name if student else None,
                    "registration_number": student.registration_number if student else None},
        # What the viewer sees now (the quiz's "review" says when each item shows).
        "review": {"answers": policy.answers, "marks": policy.marks,
                   "correct_answers": policy.keys, "feedback": policy.shows_feedback},
        # False for an attempt closed ungraded at its deadline (overdue handling
        # "notcounted"): it has no score and does not count.
        "counted": item.status != lifecycle.AttemptStatus.NOT_COUNTED,
        "answers": answers,
        "violations": violations,
    })


@attempt_status.get(permission="study")
def get_attempt_status(request):
    """Status and seconds remaining of the student's own attempt (its deadline moves when a
    teacher extends it), whether a save would be accepted now, until when a submit is the
    student's own (``submit_until``; ``in_grace_period`` in a graceperiod quiz's extra
    minutes), and the student's effective limits of the quiz. A pure read: it never submits
    anything."""
    row = overrides.attempt_limits(request.dbsession, request.matchdict["id"])
    if row is None or row.student_id != request.identity.id:
        raise NotFound("Attempt")
    now = utcnow()
    grace = request.registry.settings["quizcore.answer_grace_seconds"]
    return {
        **jsonable(row.limits.fields()),
        "id": request.matchdict["id"], "status": str(row.status),
        "deadline_at": iso(row.deadline_at),
        "time_remaining_seconds": timing.seconds_remaining(row.deadline_at, now)
        if row.status == lifecycle.AttemptStatus.IN_PROGRESS else 0,
        "accepts_answers": timing.save_refusal(row.status, row.deadline_at, now, grace) is None,
        # The quiz's overdue handling: with "graceperiod" a submit is still the student's
        # own until submit_until although answers no longer change.
        "overdue_handling": row.overdue_handling,
        "submit_until": iso(overdue.submit_until(row.deadline_at, row.overdue_handling,
                                                 row.grace_period_minutes, grace))
        if row.deadline_at is not None else None,
        "in_grace_period": overdue.in_grace_period(
            row.status, row.deadline_at, now, mode=row.overdue_handling,
            minutes=row.grace_period_minutes, network_grace_seconds=grace),
        "server_time": iso(now),
    }


def _answer_fields(request, body: dict) -> tuple[int | None, str | None]:
    """``answer_option`` / ``answer_text`` from the body, with the lenient spellings."""
    raw = raw_body(request)
    option, text = body.get("answer_option"), body.get("answer_text")
    if isinstance(raw.get("answer_option"), bool):
        option = 0 if raw["answer_option"] else 1  # true is option 0 of a true/false question
    if option is None and text is None and "answer" in raw:
        # Older clients send one "answer": an option index for choice questions, the text
        # otherwise.
        answer = raw["answer"]
        if isinstance(answer, bool):
            option = 0 if answer else 1
        elif isinstance(answer, int):
            option = answer
        elif isinstance(answer, float) and answer.is_integer():
            option = int(answer)
        elif isinstance(answer, str):
            text = answer
        else:
            raise Invalid("answer must be an option index or a text.", field="answer")
    if option is None and text is None:
        raise Invalid("Send answer_option (choice questions) or answer_text.",
                      field="answer_option")
    return option, text


@attempt_answer.post(permission="study", schema=AnswerRequest(), validators=(validator,),
                     content_type=JSON)
def save_answer(request):
    """Save one answer of the student's own attempt (upsert). ``answer_option`` is an index
    into the options as shown to this student. 409 once submitted or time is over (``reason``
    says which); 400 for a question of another quiz; 404 for someone else's attempt."""
    body = request.validated["body"]
    raw = raw_body(request)
    structured = lifecycle.StructuredAnswer(
        options=raw.get("answer_options"), number=body.get("answer_number"),
        matches=raw.get("answer_matches"), order=raw.get("answer_order"))
    if any(v is not None for v in (structured.options, structured.number,
                                   structured.matches, structured.order)):
        option, text = body.get("answer_option"), body.get("answer_text")
    else:
        option, text = _answer_fields(request, body)
    user = request.identity
    result = lifecycle.save_answer(
        request.dbsession, request.matchdict["id"], user.id, body["question_id"],
        answer_option=option, answer_text=text, structured=structured,
        client_seq=body.get("client_seq"),
        idempotency_key=request.validated.get("header", {}).get("Idempotency-Key"),
        student_name=user.name)
    now = utcnow()
    return {"message": "Answer saved", "saved_at": iso(result.saved_at),
            "question_id": body["question_id"], "answered_count": result.answered_count,
            "total_questions": result.total_questions, "duplicate": result.duplicate,
            "deadline_at": iso(result.deadline_at),
            "time_remaining_seconds": timing.seconds_remaining(result.deadline_at, now),
            "server_time": iso(now)}


@attempt_submit.post(permission="study")
def submit_attempt(request):
    """Submit the student's own attempt. Returns the result (``status`` graded, or pending
    while no grader scored it or answers await a teacher); submitting again returns the same
    result."""
    result = lifecycle.submit_attempt(request.dbsession, request.matchdict["id"],
                                      student_id=request.identity.id)
    data = submit_view(result)
    data["message"] = "This attempt was already submitted." if result.already_submitted \
        else "Quiz submitted."
    return data


def includeme(config):
    config.include("quizcore.domain.grading")  # the set_attempt_grader directive
    for each in (attempts, attempt, attempt_status, attempt_answer, attempt_submit):
        config.add_cornice_service(each)
    # submitted, or the time is over
    config.add_operation_statuses(attempt_answer, "POST", statuses=(409,))
    config.add_operation_statuses(attempt_submit, "POST", statuses=(409,))
