"""The grading API (``/api/grading``): what waits for a teacher, marking by hand, regrade.

Only the quiz's teacher and admins see or mark a quiz's attempts; anyone else gets the same
404 as for an unknown id (students: 403, like every teacher endpoint).
"""

from __future__ import annotations

import sqlalchemy as sa

from quizcore.domain import attempts as lifecycle
from quizcore.domain import review, visibility
from quizcore.domain.errors import NotFound
from quizcore.errors import bad_request
from quizcore.models import (
    AttemptQuestion,
    Question,
    QuestionType,
    Quiz,
    QuizAttempt,
    QuizQuestion,
    Student,
    StudentAnswer,
    User,
)
from quizcore.rest import Service, iso, page_params, paginate, validator

from . import marking
from .schemas import AttemptRequest, GradeRequest, GradingListRequest, RegradeRequest
from .scoring import AnswerKey, is_blank

pending = Service(name="grading_pending", path="/api/grading/pending",
                  description="Ended attempts with descriptive answers waiting for marks, "
                              "oldest submission first (filters quiz_id, class_id).")
graded = Service(name="grading_graded", path="/api/grading/graded",
                 description="Attempts whose result is final, newest submission first "
                             "(filters quiz_id, class_id).")
attempt_detail = Service(name="grading_attempt", path="/api/grading/attempts/{attempt_id}",
                         description="An attempt's answers for marking, with the sample "
                                     "answers and rubrics.")
attempt_grade = Service(
    name="grading_attempt_grade", path="/api/grading/attempts/{attempt_id}/grade",
    description="Mark answers of an ended attempt: marks_awarded from 0 to the question's "
                "marks in the quiz (at most two decimals), optional feedback. Marking again "
                "replaces the marks; the totals follow.")
statistics = Service(
    name="grading_statistics", path="/api/grading/statistics",
    description="How far marking has come: attempts, ended, waiting for marks, final "
                "(filters quiz_id, class_id).")
quiz_regrade = Service(
    name="grading_quiz_regrade", path="/api/grading/quizzes/{id}/regrade",
    description="Mark every ended attempt of the quiz again with its current answer key (after "
                "a correction); marks given by hand are kept. dry_run=true reports the "
                "changes without making them.")


def _scope(statement, user: User):
    """Attempts (joined with their quiz) the user may mark: staff see those of the quizzes
    they manage (students never reach these routes)."""
    return statement.where(visibility.attempt_condition(user))


def _attempt_rows(query: dict, user: User):
    """Attempts with their quiz and student, scoped and filtered."""
    statement = _scope(
        sa.select(QuizAttempt, Quiz.title, User.name, Student.registration_number)
        .join(Quiz, Quiz.id == QuizAttempt.quiz_id)
        .join(User, User.id == QuizAttempt.student_id)
        .join(Student, Student.id == QuizAttempt.student_id)
        .where(QuizAttempt.status.in_(marking.ENDED_STATUSES)), user)
    if "quiz_id" in query:
        statement = statement.where(QuizAttempt.quiz_id == query["quiz_id"])
    if "class_id" in query:
        statement = statement.where(Student.class_id == query["class_id"])
    return statement


def _attempt_item(attempt: QuizAttempt, title: str, name: str, registration: str) -> dict:
    return {
        "attempt_id": attempt.id,
        "student": {"id": attempt.student_id, "name": name,
                    "registration_number": registration},
        "quiz": {"id": attempt.quiz_id, "title": title},
        "attempt_number": attempt.attempt_number, "status": str(attempt.status),
        "submitted_at": iso(attempt.submitted_at),
        "auto_submitted_due_to_violations": attempt.auto_submitted_due_to_violations,
    }


def _waiting_answers():
    """Per attempt: descriptive answers that hold text and no marks yet, and their marks."""
    # The marks on the attempt's paper: its drawn paper's, else the quiz's fixed list's.
    return (sa.select(StudentAnswer.attempt_id,
                      sa.func.count().label("answers"),
                      sa.func.sum(sa.func.coalesce(AttemptQuestion.marks,
                                                   QuizQuestion.marks_override,
                                                   Question.marks)).label("marks"))
            .join(Question, Question.id == StudentAnswer.question_id)
            .join(QuizAttempt, QuizAttempt.id == StudentAnswer.attempt_id)
            .outerjoin(AttemptQuestion,
                       sa.and_(AttemptQuestion.attempt_id == StudentAnswer.attempt_id,
                               AttemptQuestion.question_id == StudentAnswer.question_id))
            .outerjoin(QuizQuestion,
                       sa.and_(QuizQuestion.quiz_id == QuizAttempt.quiz_id,
                               QuizQuestion.question_id == StudentAnswer.question_id))
            .where(sa.or_(AttemptQuestion.id.is_not(None), QuizQuestion.id.is_not(None)),
                   Question.type == QuestionType.DESCRIPTIVE,
                   StudentAnswer.marks_awarded.is_(None),
                   StudentAnswer.answer_text.is_not(None),
                   sa.func.trim(StudentAnswer.answer_text) != "")
            .group_by(StudentAnswer.attempt_id).subquery())


def _descriptive_counts():
    """Per quiz: how many of its questions are descriptive."""
    return (sa.select(QuizQuestion.quiz_id, sa.func.count().label("count"))
            .join(Question, Question.id == QuizQuestion.question_id)
            .where(Question.type == QuestionType.DESCRIPTIVE)
            .group_by(QuizQuestion.quiz_id).subquery())


@pending.get(permission="teach", schema=GradingListRequest(), validators=(validator,))
def list_pending(request):
    """Attempts waiting for a teacher's marks: ``descriptive_questions_count`` (in the
    quiz), ``pending_answers`` and ``pending_marks`` (what still waits), and
    ``auto_graded_score`` (the marks so far)."""
    query = request.validated["querystring"]
    waiting = _waiting_answers()
    counts = _descriptive_counts()
    statement = (_attempt_rows(query, request.user)
                 .add_columns(waiting.c.answers, waiting.c.marks, counts.c.count)
                 .join(waiting, waiting.c.attempt_id == QuizAttempt.id)
                 .outerjoin(counts, counts.c.quiz_id == QuizAttempt.quiz_id)
                 .order_by(QuizAttempt.submitted_at, QuizAttempt.id))

    def serialize(row):
        attempt, title, name, registration, answers, marks, descriptive = row
        item = _attempt_item(attempt, title, name, registration)
        item.update(descriptive_questions_count=descriptive or 0,
                    pending_answers=answers, pending_marks=int(marks or 0),
                    auto_graded_score=attempt.score, total_marks=attempt.total_marks)
        return item

    page, limit = page_params(request.validated)
    return paginate(request.dbsession, statement, page, limit, serialize, scalars=False)


@graded.get(permission="teach", schema=GradingListRequest(), validators=(validator,))
def list_graded(request):
    """Attempts whose result is final (every answer marked): score, percentage, passed, when
    the last mark was given and how many answers a teacher marked by hand."""
    query = request.validated["querystring"]

    def per_attempt(column):
        # Correlated, so only the attempts of the page are looked at (by the attempt_id index).
        return (sa.select(column).where(StudentAnswer.attempt_id == QuizAttempt.id)
                .correlate(QuizAttempt).scalar_subquery())

    statement = (_attempt_rows(query, request.user)
                 .add_columns(per_attempt(sa.func.max(StudentAnswer.graded_at)),
                              per_attempt(sa.func.count(StudentAnswer.graded_by)))
                 .where(QuizAttempt.passed.is_not(None))
                 .order_by(QuizAttempt.submitted_at.desc(), QuizAttempt.id))

    def serialize(row):
        attempt, title, name, registration, graded_at, manual = row
        item = _attempt_item(attempt, title, name, registration)
        item.update(final_score=attempt.score, score=attempt.score,
                    total_marks=attempt.total_marks, percentage=attempt.percentage,
                    passed=attempt.passed, graded_at=iso(graded_at),
                    manually_graded_answers=manual or 0)
        return item

    page, limit = page_params(request.validated)
    return paginate(request.dbsession, statement, page, limit, serialize, scalars=False)


def _visible_attempt(request) -> QuizAttempt:
    attempt = request.dbsession.get(QuizAttempt, request.validated["path"]["attempt_id"])
    if attempt is None or not visibility.manages(request.user, attempt.quiz):
        raise NotFound("Attempt")
    return attempt


#: The answer fields and key fields of the richer question types a review entry may carry.
STRUCTURED_ANSWERS = ("answer_options", "answer_number", "answer_matches", "answer_order")
STRUCTURED_KEYS = ("correct_answers", "scoring", "numeric_answers", "correct_matches",
                   "correct_order", "case_sensitive")


def _grading_entry(entry: dict) -> dict:
    """A review entry (staff view) reshaped for marking."""
    question = dict(entry["question"])
    for key in ("correct_answer", "accepted_answers", "sample_answer", "marking_rubric"):
        question[key] = entry.get(key)
    for key in STRUCTURED_KEYS:
        if key in entry:
            question[key] = entry[key]
    key = AnswerKey(type=question["type"], marks=question["marks"],
                    correct_answer=question["correct_answer"],
                    accepted_answers=question["accepted_answers"])
    text, option = entry["answer_text"], entry["answer_option"]
    choice = question["type"] in (QuestionType.MCQ.value, QuestionType.TRUE_FALSE.value)
    options = question.get("options") or []
    return {
        "answer_id": entry["answer_id"], "question_id": entry["question_id"],
        "question": question,
        "student_answer": option if choice else text,
        # The chosen option's text, so a teacher need not count options.
        "selected_option": options[option] if choice and option is not None and
        0 <= option < len(options) else None,
        "answer_option": option, "answer_text": text,
        **{name: entry[name] for name in STRUCTURED_ANSWERS if name in entry},
        "current_marks": entry["marks_awarded"], "current_feedback": entry["feedback"],
        "is_correct": entry["is_correct"],
        "needs_grading": entry["marks_awarded"] is None and key.needs_teacher and
        not is_blank(text),
    }


@attempt_detail.get(permission="teach", schema=AttemptRequest(), validators=(validator,))
def get_attempt_for_grading(request):
    """The attempt, its student and quiz, and each answer with the question (with its key,
    sample answer and rubric), the student's answer, and the current marks and feedback.
    Unanswered questions are left out (there is nothing to mark). An attempt whose time is
    over is submitted first (the core's lazy expiry)."""
    attempt = _visible_attempt(request)
    if lifecycle.expire_if_due(request.dbsession, attempt) is not None:
        request.dbsession.refresh(attempt)  # its time was over: submitted (and marked) now
    quiz = attempt.quiz
    student = request.dbsession.get(Student, attempt.student_id)
    entries = review.attempt_answers(request.dbsession, attempt, quiz, review.STAFF_POLICY)
    answers = [_grading_entry(entry) for entry in entries if entry["answer_id"]]
    waiting = [a for a in answers if a["needs_grading"]]
    return {
        "attempt": {"id": attempt.id, "attempt_number": attempt.attempt_number,
                    "status": str(attempt.status), "started_at": iso(attempt.started_at),
                    "submitted_at": iso(attempt.submitted_at), "score": attempt.score,
                    "total_marks": attempt.total_marks, "percentage": attempt.percentage,
                    "passed": attempt.passed, "total_violations": attempt.total_violations,
                    "auto_submitted_due_to_violations":
                        attempt.auto_submitted_due_to_violations},
        "student": {"id": attempt.student_id, "name": student.user.name,
                    "registration_number": student.registration_number},
        "quiz": {"id": quiz.id, "title": quiz.title, "subject": quiz.subject,
                 "passing_percentage": quiz.passing_percentage},
        "answers": answers,
        "pending_answers": len(waiting),
        "pending_marks": sum(a["question"]["marks"] for a in waiting),
    }


def refuse_boolean_marks(sent: list, prefix: str = "grades.") -> None:
    """colander reads true as 1.0; marks are numbers, never booleans (``sent``: the grade
    items as the client sent them)."""
    for index, item in enumerate(sent):
        if isinstance(item, dict) and isinstance(item.get("marks_awarded"), bool):
            raise bad_request("marks_awarded must be a number.",
                              name=f"{prefix}{index}.marks_awarded")


def _grades(request) -> list[marking.Grade]:
    refuse_boolean_marks(request.json_body["grades"])
    return [marking.Grade(item["answer_id"], item["marks_awarded"], item.get("feedback"))
            for item in request.validated["body"]["grades"]]


@attempt_grade.post(permission="teach", schema=GradeRequest(), validators=(validator,),
                    content_type=("application/json",))
def grade_attempt(request):
    """Mark answers by hand; the attempt's totals are recomputed (``passed`` stays null while
    other answers still wait). 400 for marks out of range or answers of another attempt."""
    done = marking.grade_answers(request.dbsession, request.validated["path"]["attempt_id"],
                                 _grades(request), request.user)
    return graded_answer(done)


def graded_answer(done: marking.GradingDone) -> dict:
    """The answer to marking by hand: ``message``, the attempt's ``status``,
    ``final_score``, ``total_marks``, ``percentage``, ``passed`` and what still waits."""
    attempt, result = done.attempt, done.result
    return {
        "message": "Grades saved." if not result.pending else
        f"Grades saved; {result.pending_answers} answer(s) still wait for marks.",
        "attempt_id": attempt.id, "status": str(attempt.status),
        "final_score": attempt.score, "total_marks": attempt.total_marks,
        "percentage": attempt.percentage, "passed": attempt.passed,
        "pending_answers": result.pending_answers, "pending_marks": result.pending_marks,
    }


@statistics.get(permission="teach", schema=GradingListRequest(), validators=(validator,))
def grading_statistics(request):
    """Counts over the attempts the user may mark (filters ``quiz_id``, ``class_id``):
    ``total_attempts`` (in progress included), ``ended_attempts``, ``pending_attempts``
    (ended, with answers waiting for a teacher: the ``/pending`` list), ``graded_attempts``
    (result final: the ``/graded`` list) and ``grading_progress``, the percentage of ended
    attempts whose result is final (0 when none has ended)."""
    query = request.validated["querystring"]
    session = request.dbsession

    def count(statement) -> int:
        return session.scalar(sa.select(sa.func.count()).select_from(
            statement.order_by(None).subquery())) or 0

    every = (_scope(sa.select(QuizAttempt.id).join(Quiz, Quiz.id == QuizAttempt.quiz_id)
                    .join(Student, Student.id == QuizAttempt.student_id), request.user))
    if "quiz_id" in query:
        every = every.where(QuizAttempt.quiz_id == query["quiz_id"])
    if "class_id" in query:
        every = every.where(Student.class_id == query["class_id"])
    ended = _attempt_rows(query, request.user).with_only_columns(QuizAttempt.id)
    waiting = _waiting_answers()
    pending_count = count(ended.join(waiting, waiting.c.attempt_id == QuizAttempt.id))
    graded_count = count(ended.where(QuizAttempt.passed.is_not(None)))
    ended_count = count(ended)
    return {"total_attempts": count(every), "ended_attempts": ended_count,
            "pending_attempts": pending_count, "graded_attempts": graded_count,
            "grading_progress": round(100 * graded_count / ended_count, 1)
            if ended_count else 0}


def _dry_run(validated: dict) -> bool:
    # Either place may ask for a dry run; asking in either is enough (the safe reading).
    return bool(validated["querystring"].get("dry_run") or validated["body"].get("dry_run"))


@quiz_regrade.post(permission="teach", schema=RegradeRequest(), validators=(validator,))
def regrade(request):
    """Regrade the quiz's ended attempts. The report lists each attempt whose marks or result
    change (old and new score, percentage, passed, status, and the answers whose marks
    change); ``attempts_checked`` counts every ended attempt looked at."""
    quiz = request.dbsession.get(Quiz, request.validated["path"]["id"])
    if quiz is None or not visibility.manages(request.user, quiz):
        raise NotFound("Quiz")
    dry_run = _dry_run(request.validated)
    report = marking.regrade_quiz(request.dbsession, quiz, request.user, dry_run=dry_run)
    names = dict(request.dbsession.execute(
        sa.select(User.id, User.name).where(
            User.id.in_([change.attempt.student_id for change in report.changed])))
        .all()) if report.changed else {}
    changes = [{
        "attempt_id": change.attempt.id,
        "student": {"id": change.attempt.student_id,
                    "name": names.get(change.attempt.student_id)},
        "old": change.old.as_dict(), "new": change.new.as_dict(),
        "answers": [{"answer_id": mark.answer.id, "question_id": mark.answer.question_id,
                     "old_marks": mark.old, "new_marks": mark.new} for mark in change.answers],
    } for change in report.changed]
    verb = "would change" if dry_run else "changed"
    return {
        "message": f"{len(changes)} of {report.checked} ended attempt(s) {verb}.",
        "quiz_id": quiz.id, "dry_run": dry_run, "attempts_checked": report.checked,
        "attempts_changed": len(changes), "changes": changes,
    }


SERVICES = (pending, graded, attempt_detail, attempt_grade, statistics, quiz_regrade)
