"""The attempt lifecycle: start or resume, save answers, submit, auto-submit, sweep.

An answer, once acknowledged, is never lost:

* **start** creates at most one attempt per click storm: the attempt number comes from the
  student's previous attempts and ``(quiz_id, student_id, attempt_number)`` is unique, so of
  two concurrent starts one inserts and the other hits the key, rolls back to its savepoint
  and resumes the attempt the first one created. Starting while an attempt is in progress
  resumes it (same id, saved answers, remaining time).
* **save** is one upsert per (attempt, question). A save carries an optional ``client_seq``;
  a save whose number is lower than the stored one arrived late and changes nothing, so
  retries and reordered requests never overwrite a newer answer. The attempt row is locked
  for the length of the save, so a submit waits for saves in flight (and they for it): a save
  is either acknowledged *and* part of the submission, or refused with a reason.
* **submit** locks the attempt row (``SELECT ... FOR UPDATE``); the first submit finishes
  the attempt and grades it through the grading hook, any later or concurrent submit returns
  that first result.
* **expiry**: an attempt past its deadline plus the grace period is ended by the server,
  lazily when touched and by the sweeper (``quizctl sweep``), as the quiz's overdue
  handling says (:mod:`quizcore.domain.overdue`): auto-submitted with every answer saved
  (``autosubmit``; ``graceperiod`` once its extra minutes, in which the student may still
  submit, are over too), or closed ungraded as ``not_counted`` (``notcounted``); its
  ``submitted_at`` is the deadline.

The functions take the database session (a request's, a script's: see
:mod:`quizcore.transactions`), the acting user where one acts, and an optional ``now``. They
emit their own domain events and never commit; the caller's transaction does.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..db import is_mysql
from ..events import AnswerSaved, AttemptGraded, AttemptStarted, AttemptSubmitted, emit
from ..models import (
    AttemptQuestion,
    AttemptStatus,
    Question,
    QuestionType,
    Quiz,
    QuizAttempt,
    QuizQuestion,
    Student,
    StudentAnswer,
    User,
    new_uuid,
    utcnow,
)
from ..redis_client import REDIS_ERRORS
from ..transactions import after_commit, mark_changed, redis_of, registry_of, settings_of
from . import gates, overdue, overrides, papers, quiz_payload, review, shuffle, timing
from .errors import Conflict, Invalid, NotFound
from .grading import (
    GradableQuestion,
    GradingContext,
    parse_number,
    percentage_of,
    quantize,
    run_grader,
)
from .questions import MAX_TEXT_LENGTH
from .quizzes import check_can_start

log = logging.getLogger(__name__)

#: Why an attempt ended (``AttemptSubmitted.reason``).
REASON_STUDENT = "student"
REASON_DEADLINE = "deadline"
REASON_VIOLATIONS = "violations"
#: A teacher ended the attempt on a running exam (status ``force_submitted``).
REASON_TEACHER = "teacher"
AUTO_REASONS = (REASON_DEADLINE, REASON_VIOLATIONS)

#: Attempts to insert a new attempt when concurrent starts collide on the unique key.
START_TRIES = 3
MAX_CLIENT_SEQ = 2**63 - 1  # student_answers.client_seq is BIGINT
MAX_IDEMPOTENCY_KEY_LENGTH = 200
IDEMPOTENCY_TTL_SECONDS = 24 * 3600
USER_AGENT_LENGTH = 1000


def _grace(session: Session) -> int:
    return settings_of(session)["quizcore.answer_grace_seconds"]


def effective_deadline(attempt: QuizAttempt) -> dt.datetime:
    """The stored deadline; for an attempt stored without one, computed from its quiz."""
    if attempt.deadline_at is not None:
        return attempt.deadline_at
    quiz = attempt.quiz
    return timing.compute_deadline(attempt.started_at, quiz.time_limit_minutes, quiz.end_date)


def expires_at(attempt: QuizAttempt, grace_seconds: int) -> dt.datetime:
    """When the server ends ``attempt`` if the student has not (its quiz's overdue
    handling: :func:`quizcore.domain.overdue.submit_until`)."""
    quiz = attempt.quiz
    return overdue.submit_until(effective_deadline(attempt), quiz.overdue_handling,
                                quiz.grace_period_minutes, grace_seconds)


def is_expired(attempt: QuizAttempt, now: dt.datetime, grace_seconds: int) -> bool:
    """In progress and past :func:`expires_at`: the server must end it."""
    quiz = attempt.quiz
    return overdue.is_expired(attempt.status, effective_deadline(attempt), now,
                              mode=quiz.overdue_handling, minutes=quiz.grace_period_minutes,
                              network_grace_seconds=grace_seconds)


def _grace_minutes_in_use(session: Session) -> list[int]:
    return sorted(m for m in session.scalars(
        sa.select(Quiz.grace_period_minutes).distinct()
        .where(Quiz.overdue_handling == overdue.GRACEPERIOD,
               Quiz.grace_period_minutes.is_not(None))) if m)


def expired_condition(session: Session, now: dt.datetime,
                      grace_seconds: int) -> sa.ColumnElement[bool]:
    """A condition on ``QuizAttempt`` joined with its ``Quiz``: in progress with a stored
    deadline, and past the moment its quiz's overdue handling ends it (portable SQL: one
    branch per grace period in use)."""
    cutoff = timing.expiry_cutoff(now, grace_seconds)
    branches = [sa.and_(Quiz.overdue_handling != overdue.GRACEPERIOD,
                        QuizAttempt.deadline_at < cutoff)]
    for minutes in _grace_minutes_in_use(session):
        branches.append(sa.and_(Quiz.overdue_handling == overdue.GRACEPERIOD,
                                Quiz.grace_period_minutes == minutes,
                                QuizAttempt.deadline_at < cutoff - dt.timedelta(
                                    minutes=minutes)))
    return sa.and_(QuizAttempt.status == AttemptStatus.IN_PROGRESS, sa.or_(*branches))


def running_attempt_condition(session: Session, quiz: Quiz,
                              now: dt.datetime) -> sa.ColumnElement[bool]:
    """A condition on ``QuizAttempt`` true for the attempts at ``quiz`` still running at
    ``now``: in progress and not yet past the moment the server ends them."""
    slack = dt.timedelta(seconds=_grace(session),
                         minutes=overdue.grace_minutes(quiz.overdue_handling,
                                                       quiz.grace_period_minutes))
    return sa.and_(QuizAttempt.status == AttemptStatus.IN_PROGRESS,
                   sa.or_(QuizAttempt.deadline_at.is_(None),
                          QuizAttempt.deadline_at >= now - slack))


# -- start / resume --------------------------------------------------------------------------


@dataclass
class StartResult:
    attempt: QuizAttempt
    resumed: bool
    view: quiz_payload.StudentView
    answers: list[StudentAnswer]
    #: Attempts this call auto-submitted because they had expired.
    expired: list[SubmitResult]
    #: The student's effective limits of the quiz (overrides, accommodation).
    limits: overrides.Effective | None = None


def _attempts_of(session: Session, quiz_id: str, student_id: str) -> list[QuizAttempt]:
    return list(session.scalars(
        sa.select(QuizAttempt)
        .where(QuizAttempt.quiz_id == quiz_id, QuizAttempt.student_id == student_id)
        .order_by(QuizAttempt.attempt_number)
        .execution_options(populate_existing=True)))


def start_attempt(session: Session, quiz_id: str, user: User, *, now: dt.datetime | None = None,
                  client_addr: str | None = None, user_agent: str | None = None,
                  password: str | None = None) -> StartResult:
    """Start an attempt at a quiz for a student, or resume the one in progress.

    Raises :class:`NotFound` (unknown or draft quiz), :class:`Forbidden` (class not assigned,
    closed, outside its window, no attempts left, outside the allowed networks, wrong quiz
    password, released sitting over) or :class:`Conflict` (no questions, not released yet:
    the student is recorded as waiting). Gates and released start: :mod:`.gates`.
    An expired attempt found on the way is auto-submitted first (``StartResult.expired``);
    callers should commit that even when they then report a refusal.
    """
    now = now or utcnow()
    quiz = session.get(Quiz, quiz_id)
    student = session.get(Student, user.id)
    if quiz is None or student is None:
        raise NotFound("Quiz")
    gates.check_network(quiz, client_addr)
    grace = _grace(session)
    expired: list[SubmitResult] = []
    for _ in range(START_TRIES):
        attempts = _attempts_of(session, quiz.id, student.id)
        open_attempt = next((a for a in attempts if a.status == AttemptStatus.IN_PROGRESS),
                            None)
        if open_attempt is not None:
            if is_expired(open_attempt, now, grace):
                expired.append(auto_submit_attempt(session, open_attempt,
                                                   reason=REASON_DEADLINE, now=now))
                continue
            return _started(session, quiz, open_attempt, user, resumed=True, expired=expired,
                            limits=overrides.limits_for(session, quiz, student))
        limits = overrides.limits_for(session, quiz, student)
        check_can_start(quiz, student.class_id, now, len(attempts), limits=limits)
        refusal = gates.release_refusal(quiz, limits, now)
        if refusal is not None:
            if refusal.reason == "waiting_for_release":
                gates.record_waiting(session, quiz, user)
            raise refusal
        gates.check_password(quiz, password)
        attempt = QuizAttempt(
            id=new_uuid(), quiz_id=quiz.id, student_id=student.id,
            attempt_number=max((a.attempt_number for a in attempts), default=0) + 1,
            started_at=now, status=AttemptStatus.IN_PROGRESS,
            deadline_at=gates.clock_start_deadline(quiz, limits, now),
            ip_address=(client_addr or None) and client_addr[:45],
            user_agent=(user_agent or None) and user_agent[:USER_AGENT_LENGTH],
        )
        try:
            with session.begin_nested():
                session.add(attempt)
                session.flush()
                # The paper is drawn with the attempt row: a start that loses the race
                # rolls both back and resumes the winner's attempt and paper.
                papers.draw_for_attempt(session, quiz, attempt)
        except IntegrityError:
            # A concurrent start (a double click) inserted this attempt number first and has
            # committed: look again and resume its attempt.
            log.info("Concurrent start of quiz %s by %s; resuming.", quiz.id, student.id)
            continue
        return _started(session, quiz, attempt, user, resumed=False, expired=expired,
                        limits=limits)
    raise Conflict("Another start of this quiz is in progress; please try again.",
                   reason="start_in_progress")


def _started(session: Session, quiz: Quiz, attempt: QuizAttempt, user: User, *, resumed: bool,
             expired: list, limits: overrides.Effective) -> StartResult:
    view = papers.view_of_attempt(session, attempt)
    answers = list(session.scalars(
        sa.select(StudentAnswer).where(StudentAnswer.attempt_id == attempt.id)))
    emit(session, AttemptStarted(
        actor_id=user.id, attempt_id=attempt.id, quiz_id=quiz.id, student_id=attempt.student_id,
        student_name=user.name, attempt_number=attempt.attempt_number,
        total_questions=len(view.questions), resumed=resumed))
    return StartResult(attempt, resumed, view, answers, expired, limits)


def shown_answer_data(attempt_id: str, view: quiz_payload.StudentView,
                      answer: StudentAnswer) -> dict[str, Any]:
    """The structured answer fields of ``answer`` (richer types) in this attempt's shown
    indexes: ``answer_options``, ``answer_number``, ``answer_matches``, ``answer_order``."""
    lookup = view.lookup(answer.question_id)
    if answer.answer_data is None or lookup.meta is None:
        return {}
    count, qtype = lookup.meta.option_count, lookup.meta.type
    option_perm = shuffle.option_order(attempt_id, answer.question_id, count, qtype,
                                       view.randomize_options)
    choice_perm = shuffle.choice_order(attempt_id, answer.question_id, count)
    return review.structured_answer(qtype, answer.answer_data, option_perm, choice_perm)


def shown_answer_option(attempt_id: str, view: quiz_payload.StudentView,
                        answer: StudentAnswer) -> int | None:
    """The stored (original) option index of ``answer`` as this attempt shows it."""
    if answer.answer_option is None:
        return None
    lookup = view.lookup(answer.question_id)
    if lookup.meta is None:
        return answer.answer_option
    perm = shuffle.option_order(attempt_id, answer.question_id, lookup.meta.option_count,
                                lookup.meta.type, view.randomize_options)
    if not 0 <= answer.answer_option < len(perm):
        return answer.answer_option
    return shuffle.to_shown(perm, answer.answer_option)


# -- saving answers --------------------------------------------------------------------------


@dataclass(frozen=True)
class SaveResult:
    saved_at: dt.datetime
    #: Position of the question in the quiz (0-based, the teacher's order).
    question_index: int | None
    answered_count: int | None
    total_questions: int | None
    #: True when the save was a retry of one already acknowledged (Idempotency-Key).
    duplicate: bool = False
    #: The attempt's deadline as of this save (a teacher may have extended it).
    deadline_at: dt.datetime | None = None


_answers = StudentAnswer.__table__
_attempts = QuizAttempt.__table__

_questions = Question.__table__
_quiz_questions = QuizQuestion.__table__
_paper = AttemptQuestion.__table__
_quizzes = Quiz.__table__


def _scalar(statement):
    return statement.scalar_subquery()


#: Everything a save needs in one round trip: the attempt row (locked: a submit waits for
#: saves in flight, and they for it), whether the question belongs to the attempt's paper
#: (its stored paper, else its quiz's fixed list; position, type and options), the quiz's
#: shuffle setting and the paper's question count, and how many *other* questions the
#: attempt has answered (for the progress event; an emptied text box is no answer).
#: Subqueries of a locking read are plain reads in InnoDB: only the attempt row is locked,
#: never the quiz or its questions that every student reads.
_ATTEMPT_FOR_SAVE = (
    sa.select(
        _attempts.c.quiz_id, _attempts.c.student_id, _attempts.c.status,
        _attempts.c.deadline_at,
        sa.func.coalesce(
            _scalar(sa.select(_paper.c.position).where(
                _paper.c.attempt_id == _attempts.c.id,
                _paper.c.question_id == sa.bindparam("question_id"))),
            _scalar(sa.select(_quiz_questions.c.order_index).where(
                _quiz_questions.c.quiz_id == _attempts.c.quiz_id,
                _quiz_questions.c.question_id == sa.bindparam("question_id"),
                ~sa.exists(sa.select(_paper.c.id).where(
                    _paper.c.attempt_id == _attempts.c.id))))).label("position"),
        _scalar(sa.select(_questions.c.type).where(
            _questions.c.id == sa.bindparam("question_id"))).label("question_type"),
        _scalar(sa.select(_questions.c.options).where(
            _questions.c.id == sa.bindparam("question_id"))).label("options"),
        _scalar(sa.select(_questions.c.details).where(
            _questions.c.id == sa.bindparam("question_id"))).label("details"),
        _scalar(sa.select(_quizzes.c.randomize_options).where(
            _quizzes.c.id == _attempts.c.quiz_id)).label("randomize_options"),
        sa.func.coalesce(
            sa.func.nullif(_scalar(sa.select(sa.func.count()).select_from(_paper).where(
                _paper.c.attempt_id == _attempts.c.id)), 0),
            _scalar(sa.select(sa.func.count()).select_from(_quiz_questions).where(
                _quiz_questions.c.quiz_id == _attempts.c.quiz_id))).label("question_count"),
        _scalar(sa.select(sa.func.count()).select_from(_answers).where(
            _answers.c.attempt_id == _attempts.c.id,
            _answers.c.question_id != sa.bindparam("question_id"),
            sa.or_(_answers.c.answer_option.is_not(None), _answers.c.answer_data.is_not(None),
                   sa.and_(_answers.c.answer_text.is_not(None), _answers.c.answer_text != ""))
        )).label("answered_others"),
    )
    .where(_attempts.c.id == sa.bindparam("attempt_id"))
    .with_for_update()
)


def _lookup_from(row) -> quiz_payload.QuestionLookup:
    meta = None
    details = row.details if isinstance(row.details, dict) else {}
    if row.position is not None:
        qtype = str(row.question_type)
        if qtype == QuestionType.TRUE_FALSE.value:
            count = 2
        elif qtype in (QuestionType.MCQ.value, QuestionType.MULTIPLE_ANSWER.value):
            count = len(row.options or ())
        elif qtype == QuestionType.MATCHING.value:
            count = len(details.get("pairs") or ())
        elif qtype == QuestionType.ORDERING.value:
            count = len(details.get("items") or ())
        else:
            count = 0
        meta = quiz_payload.QuestionMeta(row.position, qtype, count)
    return quiz_payload.QuestionLookup(meta, row.question_count, bool(row.randomize_options),
                                       bool(details.get("decimal_comma")))


def _idempotency_key(attempt_id: str, key: str) -> str:
    return f"quizcore:answer-idempotency:{attempt_id}:{key}"


def _seen_save(session: Session, attempt_id: str, key: str | None) -> str | None:
    if not key:
        return None
    try:
        return redis_of(session).get(_idempotency_key(attempt_id, key))
    except REDIS_ERRORS as exc:
        # Without Redis a retry is applied again; client_seq still orders the saves.
        log.warning("Idempotency keys unavailable (%s).", exc)
        return None


def _remember_save(client, attempt_id: str, key: str, saved_at: str) -> None:
    try:
        client.set(_idempotency_key(attempt_id, key), saved_at, ex=IDEMPOTENCY_TTL_SECONDS)
    except REDIS_ERRORS as exc:
        log.warning("Could not remember idempotency key: %s", exc)


_ANSWER_COLUMNS = ("id", "attempt_id", "question_id", "answer_option", "answer_text",
                   "answer_data", "client_seq", "answered_at", "updated_at", "is_final")


def _build_upsert(mysql: bool):
    table = _answers
    values = {name: sa.bindparam(name, type_=table.c[name].type) for name in _ANSWER_COLUMNS}
    if mysql:
        insert = mysql_insert(table).values(values)
        new = insert.inserted
        newer = sa.or_(new.client_seq.is_(None), table.c.client_seq.is_(None),
                       new.client_seq >= table.c.client_seq)

        def pick(column):
            return sa.case((newer, getattr(new, column)), else_=table.c[column])

        # MySQL assigns left to right and later expressions see earlier assignments, so
        # client_seq (which the guard reads) is assigned last.
        return insert.on_duplicate_key_update([
            ("answer_option", pick("answer_option")),
            ("answer_text", pick("answer_text")),
            ("answer_data", pick("answer_data")),
            ("updated_at", pick("updated_at")),
            ("client_seq", sa.case((newer, sa.func.coalesce(new.client_seq,
                                                            table.c.client_seq)),
                                   else_=table.c.client_seq)),
        ])
    insert = sqlite_insert(table).values(values)
    new = insert.excluded
    return insert.on_conflict_do_update(
        index_elements=[table.c.attempt_id, table.c.question_id],
        set_={"answer_option": new.answer_option, "answer_text": new.answer_text,
              "answer_data": new.answer_data, "updated_at": new.updated_at,
              "client_seq": sa.func.coalesce(new.client_seq, table.c.client_seq)},
        where=sa.or_(new.client_seq.is_(None), table.c.client_seq.is_(None),
                     new.client_seq >= table.c.client_seq),
    )


#: The upsert statements, built once: autosave is the hottest path, and building the
#: statement (with its aliased "inserted" table) costs more than running it.
_UPSERT = {True: _build_upsert(mysql=True), False: _build_upsert(mysql=False)}


def upsert_answer(session: Session, *, attempt_id: str, question_id: str,
                  answer_option: int | None, answer_text: str | None,
                  client_seq: int | None, now: dt.datetime,
                  answer_data: dict | None = None) -> None:
    """Insert or replace the answer to one question, unless a newer save is stored.

    A stored answer is replaced when the new save has no ``client_seq``, the stored one has
    none, or the new number is at least the stored one (equal: a retry of the same save).
    The stored ``client_seq`` never decreases.
    """
    session.execute(_UPSERT[is_mysql(session)], {
        "id": new_uuid(), "attempt_id": attempt_id, "question_id": question_id,
        "answer_option": answer_option, "answer_text": answer_text,
        "answer_data": answer_data, "client_seq": client_seq,
        "answered_at": now, "updated_at": now, "is_final": False})
    mark_changed(session)


@dataclass(frozen=True)
class StructuredAnswer:
    """The answer fields of the richer types, as the student sent them (shown indexes)."""

    options: Any = None
    number: Any = None
    matches: Any = None
    order: Any = None


def _shown_indexes(value: Any, count: int, field: str) -> list[int]:
    if not isinstance(value, list | tuple) or len(value) > count:
        raise Invalid(f"{field} is a list of indexes from 0 to {count - 1}.", field=field)
    for item in value:
        if isinstance(item, bool) or not isinstance(item, int) or not 0 <= item < count:
            raise Invalid(f"{field} is a list of indexes from 0 to {count - 1}.", field=field)
    if len(set(value)) != len(value):
        raise Invalid(f"{field} lists an index twice.", field=field)
    return list(value)


def _structured_answer(lookup: quiz_payload.QuestionLookup, attempt_id: str, question_id: str,
                       answer_text, extra: StructuredAnswer
                       ) -> tuple[str | None, dict | None] | None:
    """(text, answer_data) to store for the richer types (indexes translated to the
    original order), None for the other types. :class:`Invalid` for a wrong shape, so
    nothing malformed is ever stored for grading."""
    meta = lookup.meta
    count = meta.option_count
    if meta.type == QuestionType.MULTIPLE_ANSWER.value:
        if extra.options is None:
            raise Invalid("This question is answered with answer_options (the indexes of the "
                          "chosen options).", field="answer_options")
        perm = shuffle.option_order(attempt_id, question_id, count, meta.type,
                                    lookup.randomize_options)
        shown = _shown_indexes(extra.options, count, "answer_options")
        return None, {"options": sorted(shuffle.to_original(perm, i) for i in shown)}
    if meta.type == QuestionType.NUMERICAL.value:
        raw = extra.number if extra.number is not None else answer_text
        if raw is None:
            raise Invalid("This question is answered with answer_text (the number as typed) "
                          "or answer_number.", field="answer_text")
        if isinstance(raw, str) and not raw.strip():
            return "", None  # an emptied box: no answer
        number = parse_number(raw, lookup.decimal_comma if isinstance(raw, str) else False)
        if number is None:
            separator = "a decimal comma (3,14)" if lookup.decimal_comma else \
                "a decimal point (3.14)"
            raise Invalid(f"The answer is not a number; this question takes {separator}.",
                          field="answer_text" if extra.number is None else "answer_number")
        text = raw if isinstance(raw, str) else str(raw)
        return text[:MAX_TEXT_LENGTH], {"number": str(number)}
    if meta.type == QuestionType.MATCHING.value:
        if not isinstance(extra.matches, dict):
            raise Invalid("This question is answered with answer_matches "
                          "({left index: choice index}).", field="answer_matches")
        perm = shuffle.choice_order(attempt_id, question_id, count)
        matches = {}
        for left, choice in extra.matches.items():
            left_index = int(left) if isinstance(left, str) and left.isdigit() else left
            if isinstance(left_index, bool) or not isinstance(left_index, int) or \
                    not 0 <= left_index < count or isinstance(choice, bool) or \
                    not isinstance(choice, int) or not 0 <= choice < count:
                raise Invalid(f"answer_matches maps left indexes to choice indexes, both "
                              f"from 0 to {count - 1}.", field="answer_matches")
            matches[str(left_index)] = shuffle.to_original(perm, choice)
        return None, {"matches": matches}
    if meta.type == QuestionType.ORDERING.value:
        if extra.order is None:
            raise Invalid("This question is answered with answer_order (the shown indexes "
                          "in the chosen order).", field="answer_order")
        shown = _shown_indexes(extra.order, count, "answer_order")
        if len(shown) != count:
            raise Invalid(f"answer_order lists every one of the {count} items once.",
                          field="answer_order")
        perm = shuffle.choice_order(attempt_id, question_id, count)
        return None, {"order": [shuffle.to_original(perm, i) for i in shown]}
    return None


def _checked_answer(lookup: quiz_payload.QuestionLookup, attempt_id: str, question_id: str,
                    answer_option, answer_text) -> tuple[int | None, str | None]:
    """The (original option index, text) to store for an answer as the student sent it."""
    meta = lookup.meta
    if meta.type in (QuestionType.MCQ.value, QuestionType.TRUE_FALSE.value):
        if answer_option is None and isinstance(answer_text, str) and \
                answer_text.strip().isdigit():
            answer_option = int(answer_text.strip())  # "answer": "2" from older clients
        if answer_option is None:
            raise Invalid("This question is answered with answer_option (the index of the "
                          "chosen option).", field="answer_option")
        if isinstance(answer_option, bool) or not isinstance(answer_option, int) or \
                not 0 <= answer_option < meta.option_count:
            raise Invalid(f"answer_option must be an option index from 0 to "
                          f"{meta.option_count - 1}.", field="answer_option")
        perm = shuffle.option_order(attempt_id, question_id, meta.option_count, meta.type,
                                    lookup.randomize_options)
        return shuffle.to_original(perm, answer_option), None
    if answer_text is None:
        raise Invalid("This question is answered with answer_text.", field="answer_text")
    if not isinstance(answer_text, str):
        raise Invalid("answer_text must be text.", field="answer_text")
    if len(answer_text) > MAX_TEXT_LENGTH:
        raise Invalid(f"answer_text is longer than {MAX_TEXT_LENGTH} characters.",
                      field="answer_text")
    return None, answer_text


def save_answer(session: Session, attempt_id: str, student_id: str, question_id: str, *,
                answer_option: int | None = None, answer_text: str | None = None,
                structured: StructuredAnswer | None = None,
                client_seq: int | None = None, idempotency_key: str | None = None,
                student_name: str = "", now: dt.datetime | None = None) -> SaveResult:
    """Save (upsert) a student's answer to one question of their attempt.

    ``answer_option`` is an index into the options *as this attempt shows them*; the
    original index is stored. Raises :class:`NotFound` (not the student's attempt),
    :class:`Conflict` with ``reason`` ``submitted`` or ``time_over``, or :class:`Invalid`
    (question not in the quiz, answer of the wrong shape).
    """
    now = now or utcnow()
    if client_seq is not None and not 0 <= client_seq <= MAX_CLIENT_SEQ:
        raise Invalid("client_seq must be a non-negative 64-bit integer.", field="client_seq")
    if idempotency_key is not None and len(idempotency_key) > MAX_IDEMPOTENCY_KEY_LENGTH:
        raise Invalid(f"Idempotency-Key is longer than {MAX_IDEMPOTENCY_KEY_LENGTH} "
                      "characters.", field="Idempotency-Key")
    row = session.execute(_ATTEMPT_FOR_SAVE, {"attempt_id": attempt_id,
                                              "question_id": question_id}).one_or_none()
    if row is None or row.student_id != student_id:
        raise NotFound("Attempt")
    deadline = row.deadline_at
    seen = _seen_save(session, attempt_id, idempotency_key)
    if seen is not None:
        return SaveResult(dt.datetime.fromisoformat(seen), None, None, None, duplicate=True,
                          deadline_at=deadline)
    if deadline is None:
        deadline = effective_deadline(session.get(QuizAttempt, attempt_id))
    refusal = timing.save_refusal(row.status, deadline, now, _grace(session))
    if refusal == timing.SUBMITTED:
        raise Conflict("This attempt has been submitted; answers can no longer change.",
                       reason=refusal)
    if refusal == timing.TIME_OVER:
        raise Conflict("Time is over for this attempt; the answer was not saved.",
                       reason=refusal, deadline_at=deadline)
    lookup = _lookup_from(row)
    if lookup.meta is None:
        raise Invalid("This question is not part of this quiz.", field="question_id")
    rich = _structured_answer(lookup, attempt_id, question_id, answer_text,
                              structured or StructuredAnswer())
    if rich is not None:
        option, (text, data) = None, rich
    else:
        option, text = _checked_answer(lookup, attempt_id, question_id, answer_option,
                                       answer_text)
        data = None
    upsert_answer(session, attempt_id=attempt_id, question_id=question_id,
                  answer_option=option, answer_text=text, answer_data=data,
                  client_seq=client_seq, now=now)
    if idempotency_key:
        after_commit(session, _remember_save, redis_of(session), attempt_id, idempotency_key,
                     now.isoformat())
    # Progress in the teacher's terms: the question's position in the quiz, as the monitor's
    # snapshot reports it, whatever order this student sees.
    position = lookup.meta.position
    answered = row.answered_others + (1 if option is not None or text or data else 0)
    emit(session, AnswerSaved(
        actor_id=student_id, attempt_id=attempt_id, quiz_id=row.quiz_id, student_id=student_id,
        student_name=student_name, question_index=position, answered_count=answered,
        total_questions=lookup.question_count))
    return SaveResult(now, position, answered, lookup.question_count, deadline_at=deadline)


# -- submitting ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubmitResult:
    attempt_id: str
    status: AttemptStatus
    score: Decimal | None
    total_marks: int | None
    percentage: Decimal | None
    passed: bool | None
    submitted_at: dt.datetime | None
    auto_submitted_due_to_violations: bool
    #: True when this call did not end the attempt (it had already ended).
    already_submitted: bool

    @property
    def pending(self) -> bool:
        """The final result is not known yet: no grader, or answers await a teacher."""
        return self.passed is None

    @classmethod
    def of(cls, attempt: QuizAttempt, already_submitted: bool) -> SubmitResult:
        return cls(attempt.id, attempt.status, attempt.score, attempt.total_marks,
                   attempt.percentage, attempt.passed, attempt.submitted_at,
                   attempt.auto_submitted_due_to_violations, already_submitted)


def lock_attempt(session: Session, attempt_id: str) -> QuizAttempt | None:
    """Load the attempt with ``SELECT ... FOR UPDATE`` (fresh from the database)."""
    return session.execute(
        sa.select(QuizAttempt).where(QuizAttempt.id == attempt_id).with_for_update()
        .execution_options(populate_existing=True)).scalar_one_or_none()


def submit_attempt(session: Session, attempt_id: str, *, student_id: str | None = None,
                   now: dt.datetime | None = None) -> SubmitResult:
    """The student submits. Idempotent: a second (or concurrent) submit returns the first
    result. Past the deadline plus grace (with the quiz's grace period, ``graceperiod``) it
    becomes the server's end of the attempt (reason ``deadline``; ``notcounted``: closed
    ungraded).
    ``student_id`` restricts the attempt to its owner (:class:`NotFound` otherwise)."""
    now = now or utcnow()
    attempt = lock_attempt(session, attempt_id)
    if attempt is None or (student_id is not None and attempt.student_id != student_id):
        raise NotFound("Attempt")
    if attempt.status != AttemptStatus.IN_PROGRESS:
        return SubmitResult.of(attempt, already_submitted=True)
    if is_expired(attempt, now, _grace(session)):
        return _finish(session, attempt, REASON_DEADLINE, now)
    return _finish(session, attempt, REASON_STUDENT, now, actor_id=student_id)


def auto_submit_attempt(session: Session, attempt: QuizAttempt | str, *, reason: str,
                        now: dt.datetime | None = None) -> SubmitResult:
    """End an attempt on the server's initiative, inside the caller's transaction.

    ``reason="violations"`` (the anti-cheat plugin, at its threshold): status
    ``auto_submitted``, ``auto_submitted_due_to_violations`` set, ``submitted_at`` now.
    ``reason="deadline"`` (lazy expiry, the sweeper): status ``auto_submitted``,
    ``submitted_at`` the deadline. Both grade through the grading hook with every saved
    answer. Idempotent: an attempt that already ended is returned as it is.
    """
    if reason not in AUTO_REASONS:
        raise ValueError(f"reason must be one of {AUTO_REASONS}")
    now = now or utcnow()
    attempt_id = attempt.id if isinstance(attempt, QuizAttempt) else attempt
    locked = lock_attempt(session, attempt_id)
    if locked is None:
        raise NotFound("Attempt")
    if locked.status != AttemptStatus.IN_PROGRESS:
        return SubmitResult.of(locked, already_submitted=True)
    return _finish(session, locked, reason, now)


def finish_locked(session: Session, attempt: QuizAttempt, reason: str, now: dt.datetime, *,
                  actor_id: str | None = None) -> SubmitResult:
    """End ``attempt`` (locked by the caller with :func:`lock_attempt`, in progress) for
    ``reason`` and grade it through the grading hook."""
    return _finish(session, attempt, reason, now, actor_id=actor_id)


def grading_context(session: Session, attempt: QuizAttempt, *, reason: str,
                    now: dt.datetime | None = None) -> GradingContext:
    """What the grader is given for ``attempt``: its quiz, every question of its paper
    (:func:`quizcore.domain.papers.questions_of_attempt`) with its marks, and the saved
    answers. The grading plugin builds the same context
    to regrade an attempt after an answer-key correction."""
    quiz = attempt.quiz
    answers = {answer.question_id: answer for answer in session.scalars(
        sa.select(StudentAnswer).where(StudentAnswer.attempt_id == attempt.id))}
    questions = tuple(GradableQuestion(item.question, item.marks, item.position)
                      for item in papers.questions_of_attempt(session, attempt))
    return GradingContext(session=session, attempt=attempt, quiz=quiz, questions=questions,
                          answers=answers, reason=reason, now=now or utcnow())


def _finish(session: Session, attempt: QuizAttempt, reason: str, now: dt.datetime, *,
            actor_id: str | None = None) -> SubmitResult:
    quiz = attempt.quiz
    if reason == REASON_DEADLINE and quiz.overdue_handling == overdue.NOTCOUNTED:
        return _close_not_counted(session, attempt, now)
    if reason == REASON_DEADLINE:
        attempt.submitted_at = timing.auto_submitted_at(effective_deadline(attempt), now)
    else:
        attempt.submitted_at = now
    if reason == REASON_VIOLATIONS:
        attempt.auto_submitted_due_to_violations = True

    context = grading_context(session, attempt, reason=reason, now=now)
    answers = context.answers
    outcome = run_grader(registry_of(session), context)
    attempt.total_marks = context.total_marks
    graded = False
    if outcome is not None:
        attempt.total_marks = outcome.total_marks
        attempt.score = quantize(outcome.score)
        attempt.percentage = quantize(outcome.percentage) if outcome.percentage is not None \
            else percentage_of(outcome.score, outcome.total_marks)
        if outcome.pending:
            attempt.passed = None
        elif outcome.passed is not None:
            attempt.passed = bool(outcome.passed)
        else:
            attempt.passed = attempt.percentage >= quiz.passing_percentage
        graded = not outcome.pending
    if reason in AUTO_REASONS:
        attempt.status = AttemptStatus.AUTO_SUBMITTED
    elif reason == REASON_TEACHER:
        attempt.status = AttemptStatus.FORCE_SUBMITTED
    else:
        attempt.status = AttemptStatus.GRADED if graded else AttemptStatus.SUBMITTED
    for answer in answers.values():
        answer.is_final = True
    session.flush()

    student_name = session.scalar(sa.select(User.name).where(User.id == attempt.student_id))
    score = float(attempt.score) if attempt.score is not None else None
    emit(session, AttemptSubmitted(
        actor_id=actor_id, attempt_id=attempt.id, quiz_id=quiz.id, student_id=attempt.student_id,
        student_name=student_name or "", submitted_at=attempt.submitted_at,
        status=str(attempt.status), reason=reason, score=score,
        pending_manual_grading=outcome is not None and outcome.pending))
    if outcome is not None:
        emit(session, AttemptGraded(
            actor_id=actor_id, attempt_id=attempt.id, quiz_id=quiz.id,
            student_id=attempt.student_id,
            score=score, total_marks=attempt.total_marks,
            percentage=float(attempt.percentage) if attempt.percentage is not None else None,
            passed=attempt.passed, status=str(attempt.status)))
    return SubmitResult.of(attempt, already_submitted=False)


def _close_not_counted(session: Session, attempt: QuizAttempt,
                       now: dt.datetime) -> SubmitResult:
    """``notcounted``: the attempt was not submitted by its deadline. It is closed with its
    answers kept (final) but not graded: no score, status ``not_counted``."""
    attempt.submitted_at = timing.auto_submitted_at(effective_deadline(attempt), now)
    attempt.status = AttemptStatus.NOT_COUNTED
    attempt.score = attempt.percentage = attempt.passed = None
    for answer in session.scalars(
            sa.select(StudentAnswer).where(StudentAnswer.attempt_id == attempt.id)):
        answer.is_final = True
    session.flush()
    student_name = session.scalar(sa.select(User.name).where(User.id == attempt.student_id))
    emit(session, AttemptSubmitted(
        actor_id=None, attempt_id=attempt.id, quiz_id=attempt.quiz_id,
        student_id=attempt.student_id, student_name=student_name or "",
        submitted_at=attempt.submitted_at, status=str(attempt.status),
        reason=REASON_DEADLINE, score=None, pending_manual_grading=False))
    return SubmitResult.of(attempt, already_submitted=False)


# -- expiry ----------------------------------------------------------------------------------


def expire_if_due(session: Session, attempt: QuizAttempt,
                  now: dt.datetime | None = None) -> SubmitResult | None:
    """Auto-submit ``attempt`` if its deadline and grace are over (lazy expiry)."""
    now = now or utcnow()
    if not is_expired(attempt, now, _grace(session)):
        return None
    return expire_attempt(session, attempt.id, now=now)


def expire_attempt(session: Session, attempt_id: str, *,
                   now: dt.datetime | None = None) -> SubmitResult | None:
    """Lock the attempt and auto-submit it (reason ``deadline``) if it is still in progress
    and expired; None otherwise (the student submitted meanwhile, or time remains)."""
    now = now or utcnow()
    attempt = lock_attempt(session, attempt_id)
    if attempt is None or not is_expired(attempt, now, _grace(session)):
        return None
    return _finish(session, attempt, REASON_DEADLINE, now)


def expired_attempt_ids(session: Session, *, now: dt.datetime, grace_seconds: int,
                        limit: int = 500) -> list[str]:
    """In-progress attempts past the moment their quiz's overdue handling ends them, oldest
    deadline first."""
    ids = list(session.scalars(
        sa.select(QuizAttempt.id).join(Quiz, Quiz.id == QuizAttempt.quiz_id)
        .where(expired_condition(session, now, grace_seconds))
        .order_by(QuizAttempt.deadline_at).limit(limit)))
    # Attempts stored without a deadline (imported data): computed from their quiz.
    for attempt in session.scalars(
            sa.select(QuizAttempt).where(QuizAttempt.status == AttemptStatus.IN_PROGRESS,
                                         QuizAttempt.deadline_at.is_(None)).limit(limit)):
        if is_expired(attempt, now, grace_seconds):
            ids.append(attempt.id)
    return ids[:limit]
