"""Quizzes: their settings, questions and classes, their life (draft, published, archived)
and who may take them when.

Rules kept here:

* settings: a time limit of 1 minute to 7 days; a passing percentage of 0-100; 1-100
  attempts; dates from 1970 to 2037 (TIMESTAMP columns end in January 2038), the end after
  the start;
* questions: an ordered list of the owner's questions (an admin may use any), each with an
  optional ``marks_override``; no duplicates; the quiz total may not exceed 999 marks
  (scores are DECIMAL(5,2)). The list may also hold new questions, added to the owner's
  bank in the same transaction (:mod:`quizcore.domain.inline_questions`);
* classes: a teacher sets a quiz only for classes assigned to them (an admin for any);
* once a quiz has attempts its question list (with marks overrides) and its shuffle settings
  (``randomize_questions`` / ``randomize_options``) are frozen: students in the middle of an
  attempt keep the questions and the order they were shown. Title, dates, time limit (for new
  attempts: a started attempt keeps its deadline), review settings and classes may change;
* publish refuses a quiz without questions; a published quiz keeps at least one question;
  a create or update body may ask for ``status`` published or archived, which applies the
  same rules after the change (:func:`move_to_status`); quizzes never return to draft;
* a new access code (:func:`new_access_code`) replaces the old one at once;
* delete is refused while attempts exist, unless the quiz is archived first (its attempts
  and answers are then deleted with it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..events import QuizArchived, QuizPublished, emit
from ..models import (
    Question,
    Quiz,
    QuizAttempt,
    QuizClass,
    QuizQuestion,
    QuizSection,
    QuizStatus,
    SchoolClass,
    TeacherClass,
)
from . import access_codes, gates, inline_questions, overdue, papers, quiz_payload, review
from .errors import Conflict, Forbidden, Invalid, NotFound
from .inline_questions import Entry, QuestionRef
from .questions import MAX_MARKS
from .timing import storable, to_naive_utc
from .values import text_value, whole_number

MAX_TIME_LIMIT_MINUTES = 7 * 24 * 60
MAX_ATTEMPTS = 100
MAX_TOTAL_MARKS = MAX_MARKS
MAX_QUESTIONS = 500

#: Settings of a quiz (beside its questions, classes and access code).
SETTINGS_FIELDS = (
    "title", "subject", "description", "time_limit_minutes", "start_date", "end_date",
    "passing_percentage", "max_attempts", "show_answers_after_submission",
    "randomize_questions", "randomize_options", "allow_review", "negative_marking",
    "overdue_handling", "grace_period_minutes", "review_settings", "start_mode",
    "allowed_networks",
)
#: The older review flags (:mod:`quizcore.domain.review` maps them onto ``review``).
REVIEW_FLAGS = ("allow_review", "show_answers_after_submission")
#: Settings frozen once the quiz has attempts (they decide what an attempt shows).
FROZEN_ONCE_ATTEMPTED = ("randomize_questions", "randomize_options", "start_mode")
#: ``update_quiz(password_hash=KEEP)``: the quiz password stays as it is.
KEEP = object()

DEFAULTS: dict[str, Any] = {
    "description": None, "start_date": None, "end_date": None, "passing_percentage": 40,
    "max_attempts": 1, "show_answers_after_submission": False, "randomize_questions": False,
    "randomize_options": False, "allow_review": True, "negative_marking": Decimal(0),
    "overdue_handling": overdue.DEFAULT_MODE, "grace_period_minutes": None,
    "review_settings": None, "start_mode": gates.WINDOW, "allowed_networks": None,
}


def _bounded_int(values: Mapping[str, Any], field: str, low: int, high: int) -> int:
    value = whole_number(values.get(field), field)
    if not low <= value <= high:
        raise Invalid(f"{field} must be between {low} and {high}.", field=field)
    return value


def _date(values: Mapping[str, Any], field: str) -> dt.datetime | None:
    value = values.get(field)
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        raise Invalid(f"{field} must be an ISO 8601 date and time.", field=field)
    try:
        value = to_naive_utc(value)
    except OverflowError:  # e.g. 9999-12-31T23:59-14:00 has no UTC datetime
        value = None
    if value is None or not storable(value):
        raise Invalid(f"{field} must be between 1970-01-01 and 2037-12-31 (UTC).", field=field)
    return value


def clean_settings(values: Mapping[str, Any]) -> dict[str, Any]:
    """Check a complete set of quiz settings (:data:`SETTINGS_FIELDS`); return them cleaned.

    ``review`` (a request's partial review object) is merged onto the stored one and sets
    the older flags to match."""
    values = {**DEFAULTS, **values}
    for field in ("passing_percentage", "max_attempts"):
        if values[field] is None:
            values[field] = DEFAULTS[field]
    cleaned = {
        "title": text_value(values.get("title"), "title", 255, required=True),
        "subject": text_value(values.get("subject"), "subject", 100, required=True),
        "description": text_value(values.get("description"), "description", 10_000),
        "time_limit_minutes": _bounded_int(values, "time_limit_minutes", 1,
                                           MAX_TIME_LIMIT_MINUTES),
        "start_date": _date(values, "start_date"),
        "end_date": _date(values, "end_date"),
        "passing_percentage": _bounded_int(values, "passing_percentage", 0, 100),
        "max_attempts": _bounded_int(values, "max_attempts", 1, MAX_ATTEMPTS),
    }
    for flag in ("show_answers_after_submission", "randomize_questions", "randomize_options",
                 "allow_review"):
        cleaned[flag] = bool(values.get(flag))
    cleaned["negative_marking"] = _fraction(values.get("negative_marking"), "negative_marking")
    cleaned.update(overdue.clean(values))
    cleaned["start_mode"] = gates.clean_start_mode(values.get("start_mode"))
    cleaned["allowed_networks"] = gates.clean_networks(values.get("allowed_networks"))
    cleaned["review_settings"] = values.get("review_settings")
    if values.get("review") is not None:
        base = review.review_from_flags(cleaned["allow_review"],
                                        cleaned["show_answers_after_submission"])
        base.update(cleaned["review_settings"] or {})
        cleaned["review_settings"] = review.clean_review(values["review"], base)
        cleaned.update(review.flags_from_review(cleaned["review_settings"]))
    if cleaned["start_date"] and cleaned["end_date"] and \
            cleaned["end_date"] <= cleaned["start_date"]:
        raise Invalid("end_date must be after start_date.", field="end_date")
    return cleaned


def _fraction(value: Any, field: str) -> Decimal:
    """A fraction 0..1 with at most two decimals (None: 0)."""
    if value is None:
        return Decimal(0)
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise Invalid(f"{field} must be a number from 0 to 1.", field=field)
    number = Decimal(str(value))
    if not number.is_finite() or not 0 <= number <= 1 or number != number.quantize(
            Decimal("0.01")):
        raise Invalid(f"{field} must be a number from 0 to 1 with at most two decimals.",
                      field=field)
    return number.quantize(Decimal("0.01"))


def settings_of(quiz: Quiz) -> dict[str, Any]:
    return {field: getattr(quiz, field) for field in SETTINGS_FIELDS}


# -- questions and classes -------------------------------------------------------------------


def resolve_questions(session: Session, refs: Sequence[QuestionRef],
                      owner_id: str | None) -> list[tuple[Question, int | None]]:
    """The questions ``refs`` name, in order. ``owner_id`` restricts them to one teacher's
    bank (None: any question, for admins). Raises :class:`Invalid` for unknown, foreign or
    repeated questions, bad overrides, or a total above 999 marks."""
    if len(refs) > MAX_QUESTIONS:
        raise Invalid(f"A quiz has at most {MAX_QUESTIONS} questions.", field="question_ids")
    ids = [ref.question_id for ref in refs]
    repeated = {qid for qid in ids if ids.count(qid) > 1}
    if repeated:
        raise Invalid(f"Question {sorted(repeated)[0]} is listed more than once.",
                      field="question_ids")
    query = sa.select(Question).where(Question.id.in_(ids)) if ids else None
    found = {q.id: q for q in session.scalars(query)} if query is not None else {}
    resolved = []
    for ref in refs:
        question = found.get(ref.question_id)
        if question is None or (owner_id is not None and question.created_by != owner_id):
            raise Invalid(f"Question {ref.question_id} does not exist in your question bank.",
                          field="question_ids")
        if ref.marks_override is not None and not 1 <= ref.marks_override <= MAX_MARKS:
            raise Invalid(f"marks_override must be between 1 and {MAX_MARKS}.",
                          field="marks_override")
        resolved.append((question, ref.marks_override))
    total = sum(override if override is not None else q.marks for q, override in resolved)
    if total > MAX_TOTAL_MARKS:
        raise Invalid(f"The quiz would be worth {total} marks; the most is {MAX_TOTAL_MARKS}.",
                      field="question_ids")
    return resolved


def resolve_classes(session: Session, class_ids: Iterable[str],
                    teacher_id: str | None) -> list[SchoolClass]:
    """The classes named, checked to be assigned to ``teacher_id`` (None: any, for admins)."""
    ids = list(dict.fromkeys(class_ids))
    if not ids:
        return []
    query = sa.select(SchoolClass).where(SchoolClass.id.in_(ids))
    if teacher_id is not None:
        query = query.join(TeacherClass, TeacherClass.class_id == SchoolClass.id).where(
            TeacherClass.teacher_id == teacher_id)
    found = {c.id: c for c in session.scalars(query)}
    for class_id in ids:
        if class_id not in found:
            raise Invalid(f"Class {class_id} does not exist or is not assigned to you.",
                          field="class_ids")
    return [found[class_id] for class_id in ids]


@dataclass(frozen=True)
class SectionSpec:
    """A section as a teacher sends it (see :mod:`quizcore.domain.papers`)."""

    title: str
    draw: int
    marks_each: int
    pool: Mapping[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {"title": self.title, "draw": self.draw, "marks_each": self.marks_each,
                "pool": papers.clean_pool(self.pool)}


MAX_SECTIONS = 50


def resolve_sections(session: Session, specs: Sequence[SectionSpec],
                     owner_id: str | None) -> list[dict[str, Any]]:
    """The sections ``specs`` describe, checked: a pool names at least one criterion, and
    its explicit question ids are questions of the quiz owner's bank (``owner_id`` None:
    any question). Pool sizes are checked at publishing and at start."""
    if len(specs) > MAX_SECTIONS:
        raise Invalid(f"A quiz has at most {MAX_SECTIONS} sections.", field="sections")
    cleaned = []
    for spec in specs:
        data = spec.as_dict()
        if not data["title"].strip():
            raise Invalid("A section needs a title.", field="sections")
        if not 1 <= data["draw"] <= MAX_QUESTIONS:
            raise Invalid(f"draw must be between 1 and {MAX_QUESTIONS}.", field="sections")
        if not 1 <= data["marks_each"] <= MAX_MARKS:
            raise Invalid(f"marks_each must be between 1 and {MAX_MARKS}.", field="sections")
        pool = data["pool"]
        if not pool:
            raise Invalid("A section's pool names a topic, a difficulty or question_ids.",
                          field="sections")
        ids = pool.get("question_ids")
        if ids:
            query = sa.select(Question.id).where(Question.id.in_(ids))
            if owner_id is not None:
                query = query.where(Question.created_by == owner_id)
            found = set(session.scalars(query))
            unknown = [qid for qid in ids if qid not in found]
            if unknown:
                raise Invalid(f"Question {unknown[0]} does not exist in your question bank.",
                              field="sections")
        cleaned.append(data)
    return cleaned


def _set_sections(session: Session, quiz: Quiz, sections: list[dict[str, Any]]) -> None:
    if quiz.sections:
        quiz.sections.clear()
        session.flush()
    quiz.sections.extend(QuizSection(position=index, **data)
                         for index, data in enumerate(sections))


def sections_of(quiz: Quiz) -> list[dict[str, Any]]:
    return [{"title": s.title, "draw": s.draw, "marks_each": s.marks_each, "pool": s.pool}
            for s in quiz.sections]


def _check_total(fixed_total: int, sections: list[dict[str, Any]]) -> None:
    total = fixed_total + sum(s["draw"] * s["marks_each"] for s in sections)
    if total > MAX_TOTAL_MARKS:
        raise Invalid(f"The quiz would be worth {total} marks; the most is {MAX_TOTAL_MARKS}.",
                      field="sections")


def question_refs_of(quiz: Quiz) -> list[QuestionRef]:
    return [QuestionRef(link.question_id, link.marks_override) for link in quiz.quiz_questions]


def total_marks(quiz: Quiz) -> int:
    """The marks the whole quiz (every attempt's paper) is worth (overrides applied)."""
    return (sum(link.marks for link in quiz.quiz_questions)
            + sum(s.draw * s.marks_each for s in quiz.sections))


def question_count(quiz: Quiz) -> int:
    """How many questions every attempt's paper holds."""
    return len(quiz.quiz_questions) + sum(s.draw for s in quiz.sections)


def has_attempts(session: Session, quiz_id: str) -> bool:
    return bool(session.execute(sa.select(sa.exists(
        sa.select(QuizAttempt.id).where(QuizAttempt.quiz_id == quiz_id)))).scalar())


def _set_questions(session: Session, quiz: Quiz,
                   resolved: list[tuple[Question, int | None]]) -> None:
    if quiz.quiz_questions:
        # Remove the old rows first: (quiz_id, order_index) and (quiz_id, question_id) are
        # unique, and the unit of work would insert the new rows before deleting the old.
        quiz.quiz_questions.clear()
        session.flush()
    quiz.quiz_questions.extend(
        QuizQuestion(question_id=question.id, question=question, order_index=index,
                     marks_override=override)
        for index, (question, override) in enumerate(resolved))


def _set_classes(session: Session, quiz: Quiz, classes: list[SchoolClass]) -> None:
    if quiz.class_links:
        quiz.class_links.clear()
        session.flush()
    quiz.class_links.extend(QuizClass(class_id=c.id, school_class=c) for c in classes)


# -- access codes ----------------------------------------------------------------------------


def code_taken(session: Session, code: str, except_quiz_id: str | None = None) -> bool:
    query = sa.select(Quiz.id).where(Quiz.access_code == code)
    if except_quiz_id is not None:
        query = query.where(Quiz.id != except_quiz_id)
    return session.execute(sa.select(sa.exists(query))).scalar()


def checked_code(session: Session, code: str, except_quiz_id: str | None = None) -> str:
    """A teacher's chosen code, normalised; :class:`Invalid` or :class:`Conflict` if unusable."""
    code = access_codes.normalize(code)
    problem = access_codes.code_problem(code)
    if problem:
        raise Invalid(problem, field="access_code")
    if code_taken(session, code, except_quiz_id):
        raise Conflict(f"The access code {code} is already used by another quiz.",
                       reason="access_code_taken")
    return code


def _is_access_code_clash(error: IntegrityError) -> bool:
    return "access_code" in str(error.orig)


def _flush_with_code(session: Session, quiz: Quiz, chosen: bool) -> None:
    """Flush ``quiz``; when another quiz took its code at the same instant, draw a new one
    (or, for a code the teacher chose, report the conflict)."""
    for _ in range(access_codes.MAX_DRAWS):
        try:
            with session.begin_nested():
                session.add(quiz)
                session.flush()
            return
        except IntegrityError as error:
            if not _is_access_code_clash(error):
                raise
            if chosen:
                raise Conflict(f"The access code {quiz.access_code} is already used by "
                               "another quiz.", reason="access_code_taken") from None
            quiz.access_code = access_codes.unique_code(lambda c: code_taken(session, c))
    raise RuntimeError("Could not store a unique access code.")


# -- create, update, publish, archive, delete ------------------------------------------------


def create_quiz(session: Session, *, owner_id: str, settings: Mapping[str, Any],
                questions: Sequence[Entry], class_ids: Iterable[str],
                access_code: str | None, restrict_to_owner: bool,
                sections: Sequence[SectionSpec] = (), password_hash: str | None = None,
                actor_id: str | None = None) -> Quiz:
    """Create a draft quiz. ``restrict_to_owner``: questions and classes must be the owner's
    (a teacher creating their own quiz); an admin may use any. New questions among
    ``questions`` join the owner's bank (``actor_id``: who is announced as creating them)."""
    cleaned = clean_settings(settings)
    questions = inline_questions.add_to_bank(session, questions, owner_id, actor_id=actor_id)
    resolved = resolve_questions(session, questions, owner_id if restrict_to_owner else None)
    cleaned_sections = resolve_sections(session, sections,
                                        owner_id if restrict_to_owner else None)
    _check_total(sum(o if o is not None else q.marks for q, o in resolved), cleaned_sections)
    classes = resolve_classes(session, class_ids, owner_id if restrict_to_owner else None)
    chosen = access_code is not None
    code = checked_code(session, access_code) if chosen else \
        access_codes.unique_code(lambda c: code_taken(session, c))
    quiz = Quiz(created_by=owner_id, access_code=code, status=QuizStatus.DRAFT,
                password_hash=password_hash, **cleaned)
    _set_questions(session, quiz, resolved)
    _set_sections(session, quiz, cleaned_sections)
    _set_classes(session, quiz, classes)
    _flush_with_code(session, quiz, chosen)
    return quiz


def update_quiz(session: Session, quiz: Quiz, *, settings: Mapping[str, Any],
                questions: Sequence[Entry] | None, class_ids: Iterable[str] | None,
                access_code: str | None, restrict_to_owner: bool,
                sections: Sequence[SectionSpec] | None = None,
                password_hash: Any = KEEP, actor_id: str | None = None) -> tuple[dict, dict]:
    """Apply a partial update; returns ``(old, new)`` of the changed fields.
    ``password_hash``: the new quiz password's hash (None removes it; :data:`KEEP`).
    New questions among ``questions`` join the quiz owner's bank, once the question list
    may change (``actor_id``: who is announced as creating them)."""
    current = settings_of(quiz)
    settings = dict(settings)
    if settings.get("overdue_handling", overdue.GRACEPERIOD) != overdue.GRACEPERIOD and \
            "grace_period_minutes" not in settings:
        settings["grace_period_minutes"] = None  # leaving graceperiod drops its minutes
    if any(flag in settings for flag in REVIEW_FLAGS) and settings.get("review") is None:
        settings["review_settings"] = None  # the older flags decide again
    merged = clean_settings({**current, **settings})
    changed = [field for field in SETTINGS_FIELDS if merged[field] != current[field]]
    old: dict[str, Any] = {f: current[f] for f in changed}
    new: dict[str, Any] = {f: merged[f] for f in changed}
    attempted = None

    def frozen(what: str) -> Conflict:
        return Conflict(f"Students have already started this quiz, so its {what} can no "
                        "longer change. Copy the quiz to change it.", reason="quiz_has_attempts")

    frozen_settings = [f for f in changed if f in FROZEN_ONCE_ATTEMPTED]
    if frozen_settings:
        attempted = has_attempts(session, quiz.id)
        if attempted:
            raise frozen(", ".join(frozen_settings))

    owner = quiz.created_by if restrict_to_owner else None
    if questions is not None:
        before = question_refs_of(quiz)
        if list(questions) != before:
            if attempted is None:
                attempted = has_attempts(session, quiz.id)
            if attempted:
                raise frozen("questions")
            questions = inline_questions.add_to_bank(session, questions, quiz.created_by,
                                                     actor_id=actor_id)
            resolved = resolve_questions(session, questions, owner)
            _set_questions(session, quiz, resolved)
            old["questions"] = [ref.__dict__ for ref in before]
            new["questions"] = [ref.__dict__ for ref in questions]

    if sections is not None:
        before_sections = sections_of(quiz)
        cleaned_sections = resolve_sections(session, sections, owner)
        if cleaned_sections != before_sections:
            if attempted is None:
                attempted = has_attempts(session, quiz.id)
            if attempted:
                raise frozen("sections")
            _set_sections(session, quiz, cleaned_sections)
            old["sections"], new["sections"] = before_sections, cleaned_sections

    if questions is not None or sections is not None:
        _check_total(sum(link.marks for link in quiz.quiz_questions), sections_of(quiz))
        if quiz.status == QuizStatus.PUBLISHED:
            if not question_count(quiz):
                raise Conflict("A published quiz needs at least one question.",
                               reason="no_questions")
            session.flush()
            papers.check_pools(session, quiz)

    if class_ids is not None:
        before_classes = [link.class_id for link in quiz.class_links]
        wanted = list(dict.fromkeys(class_ids))
        if wanted != before_classes:
            _set_classes(session, quiz, resolve_classes(session, wanted, owner))
            old["class_ids"], new["class_ids"] = before_classes, wanted

    if access_code is not None:
        code = access_codes.normalize(access_code)
        if code != quiz.access_code:
            code = checked_code(session, code, except_quiz_id=quiz.id)
            old["access_code"], new["access_code"] = quiz.access_code, code
            quiz.access_code = code

    if password_hash is not KEEP and password_hash != quiz.password_hash:
        # Audited as whether there is one; the hash itself stays out of the log.
        old["has_password"] = quiz.password_hash is not None
        new["has_password"] = password_hash is not None
        quiz.password_hash = password_hash
    if "start_mode" in changed:
        quiz.released_at = None  # a new start mode starts unreleased
    for field in changed:
        setattr(quiz, field, merged[field])
    if "access_code" in new:
        _flush_with_code(session, quiz, chosen=True)
    else:
        session.flush()
    if new:
        quiz_payload.invalidate_after_commit(session, [quiz.id])
    return old, new


#: ``status`` values a create or update body may ask for (:func:`move_to_status`).
STATUS_REQUESTS = tuple(status.value for status in QuizStatus)


def move_to_status(session: Session, quiz: Quiz, status: str | None, *,
                   actor_id: str | None = None) -> bool:
    """Apply the ``status`` a create or update body asks for, after the rest of the change:
    ``published`` publishes (:func:`publish_quiz`, its refusals included), ``archived``
    archives (:func:`archive_quiz`); ``draft`` or None leaves the status as it is, since a
    quiz is created as a draft and never returns to draft (archive it to close it).
    Returns True when the status changed."""
    if status == QuizStatus.PUBLISHED:
        return publish_quiz(session, quiz, actor_id=actor_id)
    if status == QuizStatus.ARCHIVED:
        return archive_quiz(session, quiz, actor_id=actor_id)
    if status not in (None, QuizStatus.DRAFT):
        raise Invalid("status must be one of " + ", ".join(STATUS_REQUESTS) + ".",
                      field="status")
    return False


def new_access_code(session: Session, quiz: Quiz) -> tuple[str, str]:
    """Give ``quiz`` a newly drawn access code (unique, unambiguous); the old one stops
    working at once, for looking the quiz up and for re-entering an attempt. Returns
    ``(old, new)``."""
    old = quiz.access_code
    quiz.access_code = access_codes.unique_code(
        lambda code: code == old or code_taken(session, code))
    _flush_with_code(session, quiz, chosen=False)
    quiz_payload.invalidate_after_commit(session, [quiz.id])
    return old, quiz.access_code


def publish_quiz(session: Session, quiz: Quiz, *, actor_id: str | None = None) -> bool:
    """Publish a draft (or re-open an archived) quiz. Returns False if it already was
    published. Refuses a quiz without questions. Emits :class:`QuizPublished`."""
    if quiz.status == QuizStatus.PUBLISHED:
        return False
    if not question_count(quiz):
        raise Conflict("Add at least one question before publishing this quiz.",
                       reason="no_questions")
    papers.check_pools(session, quiz)
    quiz.status = QuizStatus.PUBLISHED
    session.flush()
    emit(session, QuizPublished(actor_id=actor_id, quiz_id=quiz.id, title=quiz.title,
                                teacher_id=quiz.created_by,
                                class_ids=sorted(class_ids_of(quiz))))
    quiz_payload.invalidate_after_commit(session, [quiz.id])
    return True


def archive_quiz(session: Session, quiz: Quiz, *, actor_id: str | None = None) -> bool:
    """Archive a quiz: students can no longer start it (attempts in progress may finish).
    Returns False if it already was archived. Emits :class:`QuizArchived`."""
    if quiz.status == QuizStatus.ARCHIVED:
        return False
    quiz.status = QuizStatus.ARCHIVED
    session.flush()
    emit(session, QuizArchived(actor_id=actor_id, quiz_id=quiz.id, title=quiz.title,
                               teacher_id=quiz.created_by))
    quiz_payload.invalidate_after_commit(session, [quiz.id])
    return True


def delete_quiz(session: Session, quiz: Quiz) -> None:
    """Delete a quiz; refused while it has attempts unless it is archived."""
    if quiz.status != QuizStatus.ARCHIVED and has_attempts(session, quiz.id):
        raise Conflict("Students have attempts at this quiz: archive it first, then delete "
                       "it (its attempts and answers are deleted with it).",
                       reason="quiz_has_attempts")
    session.delete(quiz)
    session.flush()
    quiz_payload.invalidate_after_commit(session, [quiz.id])


# -- students --------------------------------------------------------------------------------


def class_ids_of(quiz: Quiz) -> set[str]:
    return {link.class_id for link in quiz.class_links}


def student_listing_condition(class_id: str | None, now: dt.datetime | None):
    """SQL condition: published quizzes set for ``class_id`` whose window contains now
    (``now`` None: whatever their window)."""
    if class_id is None:
        return sa.false()
    assigned = sa.select(QuizClass.id).where(QuizClass.quiz_id == Quiz.id,
                                             QuizClass.class_id == class_id)
    if now is None:
        return sa.and_(Quiz.status == QuizStatus.PUBLISHED, sa.exists(assigned))
    return sa.and_(
        Quiz.status == QuizStatus.PUBLISHED,
        sa.exists(assigned),
        sa.or_(Quiz.start_date.is_(None), Quiz.start_date <= now),
        sa.or_(Quiz.end_date.is_(None), Quiz.end_date > now),
    )


def check_student_may_see(quiz: Quiz, student_class_id: str | None, *,
                          by_access_code: bool = False) -> None:
    """A student sees a quiz that is not a draft (drafts do not exist for them: 404) and
    is set for their class. A quiz of another class is invisible (404) when asked for by
    id; a student holding its access code has been told about it, so they hear why it is
    refused (403 ``class_not_assigned``), as API.md specifies for the access-code lookup."""
    if quiz.status == QuizStatus.DRAFT:
        raise NotFound("Quiz")
    if student_class_id is None or student_class_id not in class_ids_of(quiz):
        if not by_access_code:
            raise NotFound("Quiz")
        raise Forbidden("This quiz is not set for your class.", reason="class_not_assigned")


def start_refusal(quiz: Quiz, now: dt.datetime, limits=None) -> Forbidden | None:
    """Why a new attempt cannot start now because of the quiz's state or window.
    ``limits`` (:class:`quizcore.domain.overrides.Effective`): the student's own window."""
    start_date = limits.start_date if limits is not None else quiz.start_date
    end_date = limits.end_date if limits is not None else quiz.end_date
    if gates.bound_by_release(quiz, limits):
        start_date = None  # the teacher's release decides (gates.release_refusal)
    if quiz.status == QuizStatus.ARCHIVED:
        return Forbidden("This quiz is closed.", reason="quiz_closed")
    if start_date is not None and now < start_date:
        return Forbidden("This quiz has not started yet.", reason="not_started",
                         start_date=start_date)
    if end_date is not None and now >= end_date:
        return Forbidden("This quiz has ended.", reason="ended", end_date=end_date)
    return None


def check_can_start(quiz: Quiz, student_class_id: str | None, now: dt.datetime,
                    attempts_used: int, limits=None) -> None:
    """Every rule a new attempt must pass, in the order a student should hear about them.
    ``limits``: the student's effective limits (window and attempts allowed)."""
    check_student_may_see(quiz, student_class_id)
    refusal = start_refusal(quiz, now, limits)
    if refusal is not None:
        raise refusal
    allowed = limits.attempts_allowed if limits is not None else quiz.max_attempts
    if attempts_used >= allowed:
        raise Forbidden(f"You have used all {allowed} attempt(s) at this quiz.",
                        reason="max_attempts_reached", max_attempts=allowed)
    if not question_count(quiz):
        raise Conflict("This quiz has no questions yet.", reason="no_questions")
