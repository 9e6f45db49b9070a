"""Quizzes: ``/api/quizzes`` (teachers build them, students find and start them).

Teachers see and change only their own quizzes, admins all; others answer 404. Students see
published quizzes set for their class, without answer keys or access codes, and start them
with ``POST /api/quizzes/{id}/start``.

A create or update body may hold new questions inline in ``questions`` (added to the owner's
bank in the same transaction, :mod:`quizcore.domain.inline_questions`) and ask for
``status`` published or archived (:func:`quizcore.domain.quizzes.move_to_status`): the
Quizmaster SPA's quiz builder saves so. ``POST /api/quizzes/{id}/access-code`` draws a new
access code.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..domain import access_codes, gates, inline_questions, overrides, quiz_payload, review
from ..domain import quizzes as rules
from ..domain.attempts import shown_answer_data, shown_answer_option, start_attempt
from ..domain.errors import Forbidden, Invalid, NotFound
from ..domain.timing import seconds_remaining
from ..errors import committing_refusals
from ..events import EntityChanged
from ..models import (
    AttemptStatus,
    Quiz,
    QuizAttempt,
    QuizClass,
    QuizQuestion,
    QuizStatus,
    Student,
    User,
    utcnow,
)
from ..ratelimit import client_address, too_many_requests
from ..rest import body_validator, emit_for, iso, page_params, paginate, validator
from ..schemas.quizzes import QuizListRequest, quiz_create_schema, quiz_update_schema
from ..schemas.types import ids_only
from ._assessment import (
    JSON,
    is_admin,
    is_student,
    jsonable,
    nulls_sent,
    owned_or_404,
    owner_for_new,
    raw_body,
    service,
)
from .exam_control import overrides_json

CHANGE_POLICY = (
    "Once students have started a quiz, its questions (with marks overrides) and its "
    "randomize_questions / randomize_options settings are frozen (409, reason "
    "quiz_has_attempts); other settings may change, and a started attempt keeps its deadline."
)

quizzes = service(name="quizzes", path="/api/quizzes",
                  description="Quizzes: teachers' own (admins: all); students: published "
                              "quizzes of their class open now.")
quiz_access = service(name="quiz_access", path="/api/quizzes/access/{code}",
                      description="A student looks a quiz up by its access code.")
QUIZ_PATH = "/api/quizzes/{id}"
ACCESS_CODE_PATH = "/api/quizzes/{id}/access-code"
# Only UUIDs match, so the paths plugins add beside it (/api/quizzes/questions) are not
# swallowed by this route, which the core registers first.
quiz = service(name="quiz", path=QUIZ_PATH, path_info=ids_only(QUIZ_PATH),
               description="One quiz. " + CHANGE_POLICY)
quiz_publish = service(name="quiz_publish", path="/api/quizzes/{id}/publish",
                       description="Publish a quiz (it needs at least one question).")
quiz_archive = service(name="quiz_archive", path="/api/quizzes/{id}/archive",
                       description="Archive a quiz: no new attempts.")
quiz_start = service(name="quiz_start", path="/api/quizzes/{id}/start",
                     description="A student starts, or resumes, an attempt.")
quiz_access_code = service(name="quiz_access_code", path=ACCESS_CODE_PATH,
                           path_info=ids_only(ACCESS_CODE_PATH),
                           description="Give the quiz a new access code; the old one stops "
                                       "working at once.")


# -- serialisation ---------------------------------------------------------------------------


def _load_options():
    return (selectinload(Quiz.quiz_questions).selectinload(QuizQuestion.question),
            selectinload(Quiz.sections),
            selectinload(Quiz.class_links).selectinload(QuizClass.school_class))


def _student_quiz_of(request, item: Quiz, summary: dict,
                     limits: overrides.Effective | None = None) -> dict:
    """One quiz for a student, its total marks and question count taken from the cached
    student view (the one the start of an attempt serves) instead of loading every question:
    a whole class looks the exam up by its code within seconds when it opens."""
    view = quiz_payload.student_view(request.dbsession, item.id)
    if limits is None:
        limits = _limits(request, item)
    return student_quiz(item, summary, totals=(view.quiz["total_marks"],
                                               view.quiz["question_count"]), limits=limits)


def _limits(request, item: Quiz) -> overrides.Effective:
    """The signed-in student's effective limits of ``item``."""
    return overrides.limits_for(request.dbsession, item,
                                request.dbsession.get(Student, request.user.id))


def staff_quiz(item: Quiz, teacher_names: dict[str, str], *, questions: bool,
               attempt_count: int | None = None) -> dict:
    """A quiz as its teacher (or an admin) sees it."""
    data = {
        "id": item.id, "title": item.title, "subject": item.subject,
        "description": item.description, "access_code": item.access_code,
        "time_limit_minutes": item.time_limit_minutes,
        "duration_minutes": item.time_limit_minutes, "status": str(item.status),
        "start_date": iso(item.start_date), "end_date": iso(item.end_date),
        "created_by": item.created_by,
        "teacher": {"id": item.created_by, "name": teacher_names.get(item.created_by)},
        "created_at": iso(item.created_at), "updated_at": iso(item.updated_at),
        "classes": [{"id": link.class_id, "name": link.school_class.name,
                     "section": link.school_class.section} for link in item.class_links],
        "total_marks": rules.total_marks(item), "question_count": rules.question_count(item),
        "passing_percentage": item.passing_percentage, "max_attempts": item.max_attempts,
        "show_answers_after_submission": item.show_answers_after_submission,
        "randomize_questions": item.randomize_questions,
        "randomize_options": item.randomize_options, "allow_review": item.allow_review,
        "negative_marking": float(item.negative_marking or 0),
        "sections": rules.sections_of(item),
        "overdue_handling": item.overdue_handling,
        "grace_period_minutes": item.grace_period_minutes,
        "review": review.quiz_review(item),
        **jsonable(gates.quiz_fields(item)),
        "allowed_networks": list(item.allowed_networks or []),
    }
    if questions:
        data["questions"] = [{
            **quiz_payload.student_question(link.question, link.marks, position),
            "marks_override": link.marks_override,
            "topic": link.question.topic,
            "difficulty": link.question.difficulty.value if link.question.difficulty else None,
            "correct_answer": link.question.correct_answer,
            "accepted_answers": link.question.accepted_answers,
            "sample_answer": link.question.sample_answer,
            "marking_rubric": link.question.marking_rubric,
        } for position, link in enumerate(item.quiz_questions)]
    if attempt_count is not None:
        data["attempt_count"] = attempt_count
    return data


def _teacher_names(session, items) -> dict[str, str]:
    ids = {item.created_by for item in items}
    if not ids:
        return {}
    return dict(session.execute(sa.select(User.id, User.name).where(User.id.in_(ids))).all())


def _attempt_summary(session, student_id: str, quiz_ids) -> dict[str, dict]:
    """Per quiz: attempts used and the attempt in progress, for a student."""
    summary: dict[str, dict] = {qid: {"attempts_used": 0, "in_progress_attempt_id": None}
                                for qid in quiz_ids}
    if not summary:
        return summary
    rows = session.execute(
        sa.select(QuizAttempt.quiz_id, QuizAttempt.id, QuizAttempt.status)
        .where(QuizAttempt.student_id == student_id, QuizAttempt.quiz_id.in_(summary)))
    for quiz_id, attempt_id, status in rows:
        summary[quiz_id]["attempts_used"] += 1
        if status == AttemptStatus.IN_PROGRESS:
            summary[quiz_id]["in_progress_attempt_id"] = attempt_id
    return summary


def student_quiz(item: Quiz, summary: dict, totals: tuple[int, int] | None = None,
                 limits: overrides.Effective | None = None) -> dict:
    """A quiz as a student sees it: settings only (no questions, keys, access code), and
    the student's own effective limits (``limits``; the quiz's when None).
    ``totals``: (total marks, question count) when known, else computed from ``item``."""
    total, count = totals if totals is not None else (rules.total_marks(item),
                                                      rules.question_count(item))
    limits = limits if limits is not None else overrides.resolve(overrides.quiz_limits(item))
    data = quiz_payload.student_quiz_fields(item, total, count)
    data.update(summary)
    data.update(jsonable(limits.fields()))
    data["attempts_remaining"] = max(0, limits.attempts_allowed - summary["attempts_used"])
    data.update(jsonable(gates.quiz_fields(item)))
    return data


# -- lookups ---------------------------------------------------------------------------------


def _staff_quiz_or_404(request) -> Quiz:
    return owned_or_404(request, Quiz, "Quiz")


def _attempt_count(session, quiz_id: str) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(QuizAttempt)
                          .where(QuizAttempt.quiz_id == quiz_id))


def _question_refs(values: dict) -> list[inline_questions.Entry] | None:
    if "question_ids" in values and "questions" in values:
        raise Invalid("Send question_ids or questions, not both.", field="questions")
    if "questions" in values:
        return inline_questions.entries_of(values["questions"])
    if "question_ids" in values:
        return [rules.QuestionRef(qid) for qid in values["question_ids"]]
    return None


def _sections(values: dict) -> list[rules.SectionSpec] | None:
    if "sections" not in values:
        return None
    return [rules.SectionSpec(item["title"], item["draw"], item["marks_each"], item["pool"])
            for item in values["sections"]]


def _settings(values: dict) -> dict:
    settings = {field: values[field] for field in rules.SETTINGS_FIELDS if field in values
                and field != "review_settings"}
    if values.get("review") is not None:
        settings["review"] = values["review"]
    if "time_limit_minutes" not in settings and "duration_minutes" in values:
        settings["time_limit_minutes"] = values["duration_minutes"]  # older clients' name
    return settings


def _password_hash(request, missing):
    """The hash of the quiz password the request sets (None: it removes it), or
    ``missing`` when it does not mention one."""
    if "password" in request.validated:
        password = request.validated["password"]
    elif "password" in raw_body(request):
        password = None  # sent as null
    else:
        return missing
    return gates.hash_quiz_password(password, request.registry.settings["quizcore.bcrypt_rounds"])


def _student_class_id(request) -> str | None:
    student = request.dbsession.get(Student, request.user.id)
    return student.class_id if student is not None else None


def _staff_response(request, item: Quiz) -> dict:
    session = request.dbsession
    data = staff_quiz(item, _teacher_names(session, [item]), questions=True,
                      attempt_count=_attempt_count(session, item.id))
    data["overrides"] = overrides_json(session, item.id)
    return data


# -- views -----------------------------------------------------------------------------------


@quizzes.get(schema=QuizListRequest(), validators=(validator,))
def list_quizzes(request):
    """Quizzes, newest first; filters ``status``, ``teacher_id``, ``class_id``, ``subject``,
    ``search`` (in the title). Students get published quizzes of their class open now."""
    session = request.dbsession
    query = request.validated["querystring"]
    user = request.user
    statement = sa.select(Quiz).options(*_load_options())
    if is_student(user):
        class_id, now = _student_class_id(request), utcnow()
        statement = statement.where(sa.or_(
            rules.student_listing_condition(class_id, now),
            # a quiz of their class that an override opens now for them
            sa.and_(rules.student_listing_condition(class_id, None),
                    overrides.student_window_condition(user.id, class_id, now))))
    else:
        if not is_admin(user):
            statement = statement.where(Quiz.created_by == user.id)
        if "status" in query:
            statement = statement.where(Quiz.status == QuizStatus(query["status"]))
        if "teacher_id" in query:
            statement = statement.where(Quiz.created_by == query["teacher_id"])
    if "class_id" in query:
        statement = statement.where(sa.exists(sa.select(QuizClass.id).where(
            QuizClass.quiz_id == Quiz.id, QuizClass.class_id == query["class_id"])))
    if "subject" in query:
        statement = statement.where(Quiz.subject == query["subject"])
    if "search" in query:
        statement = statement.where(Quiz.title.icontains(query["search"], autoescape=True))
    statement = statement.order_by(Quiz.created_at.desc(), Quiz.id)
    page, limit = page_params(request.validated)
    result = paginate(session, statement, page, limit)
    items = result["items"]
    if is_student(user):
        summary = _attempt_summary(session, user.id, [item.id for item in items])
        limits = overrides.limits_for_many(session, items, session.get(Student, user.id))
        result["items"] = [student_quiz(item, summary[item.id], limits=limits[item.id])
                           for item in items]
    else:
        names = _teacher_names(session, items)
        result["items"] = [staff_quiz(item, names, questions=False) for item in items]
    return result


@quizzes.post(permission="teach", schema=quiz_create_schema(), validators=(body_validator,),
              content_type=JSON)
def create_quiz(request):
    """Create a draft quiz (201). The access code is generated unless one is given (409 if
    it is taken). Admins name the owner with ``teacher_id``."""
    values = request.validated
    owner_id = owner_for_new(request, values.get("teacher_id"))
    item = rules.create_quiz(
        request.dbsession, owner_id=owner_id, settings=_settings(values),
        questions=_question_refs(values) or [], class_ids=values.get("class_ids", []),
        access_code=values.get("access_code"), restrict_to_owner=not is_admin(request.user),
        sections=_sections(values) or [], password_hash=_password_hash(request, None),
        actor_id=request.user.id)
    emit_for(request, EntityChanged(action="create", entity_type="quiz", entity_id=item.id,
                                    new=jsonable({**rules.settings_of(item),
                                                  "access_code": item.access_code})))
    rules.move_to_status(request.dbsession, item, values.get("status"),
                         actor_id=request.user.id)
    request.response.status_code = 201
    return _staff_response(request, item)


@quiz_access.get(permission="study")
def get_quiz_by_access_code(request):
    """A student looks up a quiz by access code: its details without questions or answers.
    404 unknown code; 403 not set for the student's class, closed, not started or ended."""
    session = request.dbsession
    code = access_codes.normalize(request.matchdict["code"])
    item = session.scalar(sa.select(Quiz).where(Quiz.access_code == code)
                          .options(selectinload(Quiz.class_links)))
    if item is None:
        raise NotFound("Quiz")
    rules.check_student_may_see(item, _student_class_id(request), by_access_code=True)
    summary = _attempt_summary(session, request.user.id, [item.id])[item.id]
    limits = _limits(request, item)
    if summary["in_progress_attempt_id"] is None:
        refusal = rules.start_refusal(item, utcnow(), limits)
        if refusal is not None:
            raise refusal
    data = _student_quiz_of(request, item, summary, limits)
    data["access_code"] = item.access_code
    data["can_start"] = bool(summary["in_progress_attempt_id"]) or \
        summary["attempts_used"] < limits.attempts_allowed
    # Additive: the quiz again under "quiz", and the attempt to resume (null when none is in
    # progress). Looking a code up never starts an attempt: POST /quizzes/{id}/start does.
    data["quiz"] = dict(data)
    data["attempt_id"] = summary["in_progress_attempt_id"]
    return data


@quiz.get()
def get_quiz(request):
    """One quiz. Teachers (owner) and admins get questions with their keys; students get
    the settings of a quiz set for their class (404 otherwise), never questions or keys."""
    session = request.dbsession
    if is_student(request.user):
        item = session.get(Quiz, request.matchdict["id"],
                           options=[selectinload(Quiz.class_links)])
        if item is None:
            raise NotFound("Quiz")
        rules.check_student_may_see(item, _student_class_id(request))
        return _student_quiz_of(request, item,
                                _attempt_summary(session, request.user.id, [item.id])[item.id])
    return _staff_response(request, _staff_quiz_or_404(request))


@quiz.put(permission="teach", schema=quiz_update_schema(), validators=(body_validator,),
          content_type=JSON)
def update_quiz(request):
    item = _staff_quiz_or_404(request)
    values = request.validated
    settings = _settings(values)
    settings.update(nulls_sent(request, ("description", "start_date", "end_date",
                                         "allowed_networks")))
    old, new = rules.update_quiz(
        request.dbsession, item, settings=settings, questions=_question_refs(values),
        class_ids=values.get("class_ids"), access_code=values.get("access_code"),
        restrict_to_owner=not is_admin(request.user), sections=_sections(values),
        password_hash=_password_hash(request, rules.KEEP), actor_id=request.user.id)
    if new:
        emit_for(request, EntityChanged(action="update", entity_type="quiz",
                                            entity_id=item.id, old=jsonable(old),
                                            new=jsonable(new)))
    rules.move_to_status(request.dbsession, item, values.get("status"),
                         actor_id=request.user.id)
    return _staff_response(request, item)


update_quiz.__doc__ = ("Change any subset of the fields (null clears description or dates). "
                       + CHANGE_POLICY)


@quiz.delete(permission="teach")
def delete_quiz(request):
    """Delete a quiz; 409 while it has attempts, unless it is archived."""
    item = _staff_quiz_or_404(request)
    old = jsonable({**rules.settings_of(item), "access_code": item.access_code})
    rules.delete_quiz(request.dbsession, item)
    emit_for(request, EntityChanged(action="delete", entity_type="quiz", entity_id=item.id,
                                        old=old))
    return {"message": "Quiz deleted."}


@quiz_publish.post(permission="teach")
def publish_quiz(request):
    """Publish the quiz; 409 (reason no_questions) when it has no questions, 409 (reason
    pool_too_small) when a section's pool holds fewer questions than it draws."""
    item = _staff_quiz_or_404(request)
    if rules.publish_quiz(request.dbsession, item, actor_id=request.user.id):
        message = "Quiz published."
    else:
        message = "The quiz was already published."
    return {"message": message, "access_code": item.access_code, "status": str(item.status)}


@quiz_archive.post(permission="teach")
def archive_quiz(request):
    """Archive the quiz: students can no longer start it; attempts in progress may finish."""
    item = _staff_quiz_or_404(request)
    if rules.archive_quiz(request.dbsession, item, actor_id=request.user.id):
        message = "Quiz archived."
    else:
        message = "The quiz was already archived."
    return {"message": message, "status": str(item.status)}


@quiz_access_code.post(permission="teach")
def renew_access_code(request):
    """Draw a new access code for the quiz (owner or admin): students look the quiz up, and
    re-enter a locked attempt, with the new code only. Answers ``message`` and
    ``access_code``."""
    item = _staff_quiz_or_404(request)
    old, new = rules.new_access_code(request.dbsession, item)
    emit_for(request, EntityChanged(action="update", entity_type="quiz", entity_id=item.id,
                                    old={"access_code": old}, new={"access_code": new}))
    return {"message": "The quiz has a new access code.", "access_code": new}


@quiz_start.post(permission="study")
@committing_refusals  # an expired attempt auto-submitted on the way stays submitted
def start_quiz(request):
    """Start an attempt (201), or resume the one in progress (200, same ``attempt_id``, saved
    answers, remaining time). Questions and options come in this attempt's order, without
    answers; ``answer_option`` values are indexes into the options as shown here."""
    now = utcnow()
    password = raw_body(request).get("password")
    password = password if isinstance(password, str) else None
    limits, address = request.ratelimits, client_address(request)
    # Wrong quiz passwords are limited like failed logins; only a start that tries one is
    # checked (the hot path without a password costs no Redis round trip).
    password_keys = (("quiz_password_per_ip", address),
                     ("quiz_password_per_student",
                      f"{request.user.id}:{request.matchdict['id']}"))
    for rule, key in password_keys if password is not None else ():
        limited = limits.test(rule, key)
        if limited is not None:
            return too_many_requests(limited)
    try:
        result = start_attempt(request.dbsession, request.matchdict["id"], request.identity,
                               now=now, client_addr=address, user_agent=request.user_agent,
                               password=password)
    except Forbidden as refusal:
        if refusal.reason == "quiz_password":
            for rule, key in password_keys:
                limits.hit(rule, key)
        raise
    attempt, view = result.attempt, result.view
    shown = quiz_payload.questions_for_attempt(view, attempt.id)
    answers = [{
        "question_id": answer.question_id,
        "answer_option": shown_answer_option(attempt.id, view, answer),
        "answer_text": answer.answer_text,
        **shown_answer_data(attempt.id, view, answer),
        "client_seq": answer.client_seq,
        "saved_at": iso(answer.updated_at),
    } for answer in result.answers]
    request.response.status_code = 200 if result.resumed else 201
    return {
        "attempt_id": attempt.id,
        "attempt_number": attempt.attempt_number,
        "resumed": result.resumed,
        "status": str(attempt.status),
        "started_at": iso(attempt.started_at),
        "deadline_at": iso(attempt.deadline_at),
        "time_remaining_seconds": seconds_remaining(attempt.deadline_at, now),
        "server_time": iso(now),
        **jsonable(result.limits.fields()),
        "quiz": view.quiz,
        "questions": [item.data for item in shown],
        "answers": answers,
    }


def includeme(config):
    # The access-code route first: /api/quizzes/access/{code} must not be taken for
    # /api/quizzes/{id}/<action> when a code looks like an action word.
    config.add_cornice_service(quiz_access)
    config.add_cornice_service(quizzes)
    config.add_cornice_service(quiz)
    config.add_cornice_service(quiz_publish)
    config.add_cornice_service(quiz_archive)
    config.add_cornice_service(quiz_start)
    config.add_cornice_service(quiz_access_code)
    # the access code is taken; status published refused (no questions)
    config.add_operation_statuses(quizzes, "POST", success=(201,), statuses=(409,))
    # the access code is taken; students have started
    config.add_operation_statuses(quiz, "PUT", statuses=(409,))
    # attempts exist and the quiz is not archived
    config.add_operation_statuses(quiz, "DELETE", statuses=(409,))
    config.add_operation_statuses(quiz_publish, "POST", statuses=(409,))  # no questions
    # 200: the attempt in progress is resumed; 409: no questions, or a concurrent start
    config.add_operation_statuses(quiz_start, "POST", success=(200, 201), statuses=(409,))
