"""Audit rows from the real question, quiz and attempt endpoints and the server's own
auto-submits, in the transaction of each change."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from quiz_plugins.audit.models import AuditLog
from quizcore.domain.attempts import auto_submit_attempt
from quizcore.models import QuizAttempt, QuizStatus, utcnow
from quizcore.scripts.sweep import sweep_expired
from tests import factories
from tests.plugins.fixtures import take_exam

pytestmark = pytest.mark.plugin("quiz_plugins.audit")


def trail(dbsession, **filters) -> list[AuditLog]:
    dbsession.expire_all()
    statement = sa.select(AuditLog).order_by(AuditLog.created_at, AuditLog.id)
    for name, value in filters.items():
        statement = statement.where(getattr(AuditLog, name) == value)
    return list(dbsession.scalars(statement))


def test_quiz_publish_archive_delete(emitter_app, dbsession, auth, exam, teacher,
                                     school_class):
    quiz, _, _ = exam
    headers = auth(teacher)
    emitter_app.post(f"/api/quizzes/{quiz.id}/publish", headers=headers)
    emitter_app.post(f"/api/quizzes/{quiz.id}/archive", headers=headers)
    emitter_app.delete(f"/api/quizzes/{quiz.id}", headers=headers)
    rows = trail(dbsession, entity_id=quiz.id)
    assert [(r.action, r.user_id, r.entity_type) for r in rows] == [
        ("quiz.published", teacher.id, "quiz"), ("quiz.archived", teacher.id, "quiz"),
        ("quiz.delete", teacher.id, "quiz")]
    assert rows[0].new_value == {"status": "published", "title": "Plants",
                                 "class_ids": [school_class.id]}
    assert rows[2].old_value["title"] == "Plants"


def test_question_and_quiz_edits_keep_old_and_new_values(emitter_app, dbsession, auth, teacher):
    headers = auth(teacher)
    question = emitter_app.post_json("/api/questions", {
        "text": "2 + 2?", "type": "mcq", "options": ["3", "4"], "correct_answer": 1,
        "marks": 1, "topic": "Arithmetic", "difficulty": "easy"}, headers=headers,
        status=201).json
    emitter_app.put_json(f"/api/questions/{question['id']}", {"marks": 2}, headers=headers)
    create, update = trail(dbsession, entity_id=question["id"])
    assert (create.action, update.action) == ("question.create", "question.update")
    assert (update.old_value, update.new_value) == ({"marks": 1}, {"marks": 2})
    assert create.user_id == update.user_id == teacher.id


@pytest.fixture
def published(dbsession, exam):
    quiz, choice, essay = exam
    quiz.status = QuizStatus.PUBLISHED
    dbsession.flush()
    return quiz, choice, essay


def test_taking_an_exam(emitter_app, dbsession, auth, published, exam_grader, student):
    quiz, choice, essay = published
    headers = auth(student)
    attempt_id = take_exam(emitter_app, quiz.id, headers, {choice.id: 1}, submit=False)
    emitter_app.post(f"/api/quizzes/{quiz.id}/start", headers=headers)  # a resume: no row
    emitter_app.post(f"/api/attempts/{attempt_id}/submit", headers=headers)
    emitter_app.post(f"/api/attempts/{attempt_id}/submit", headers=headers)  # no change: no row
    rows = trail(dbsession, entity_id=attempt_id)
    assert [(r.action, r.user_id) for r in rows] == [
        ("attempt.started", student.id), ("attempt.submitted", student.id),
        ("attempt.graded", student.id)]
    assert rows[1].new_value == {"quiz_id": quiz.id, "student_id": student.id,
                                 "status": "graded", "reason": "student", "score": 2.0,
                                 "pending_manual_grading": False}
    assert rows[2].new_value["how"] == "auto" and rows[2].new_value["passed"] is False
    # Autosaves are not recorded (quizcore.audit.skip_events).
    assert trail(dbsession, action="attempt.answer_saved") == []


def test_answer_saves_are_recorded_when_not_skipped(app_variant, dbsession, auth, published,
                                                    student):
    client = app_variant(**{"quizcore.audit.skip_events": ""})
    quiz, choice, _ = published
    attempt_id = take_exam(client, quiz.id, auth(student), {choice.id: 1}, submit=False)
    (row,) = trail(dbsession, action="attempt.answer_saved")
    assert row.entity_id == attempt_id and row.new_value["answered_count"] == 1


def test_the_server_auto_submits_anonymously(emitter_app, dbsession, auth, published,
                                             exam_grader, student, server_request):
    quiz, choice, _ = published
    cheater = take_exam(emitter_app, quiz.id, auth(student), {choice.id: 1}, submit=False)
    with server_request.tm:
        auto_submit_attempt(server_request.dbsession, cheater, reason="violations")
    late_student = factories.StudentFactory(school_class=factories.ClassFactory())
    expired = factories.QuizAttemptFactory(quiz=quiz, student=late_student,
                                           started_at=utcnow() - dt.timedelta(hours=3))
    assert [r.attempt_id for r in sweep_expired(server_request)] == [expired.id]

    violations = trail(dbsession, entity_id=cheater, action="attempt.auto_submitted")
    deadline = trail(dbsession, entity_id=expired.id, action="attempt.auto_submitted")
    assert [(r.user_id, r.new_value["reason"]) for r in violations] == [(None, "violations")]
    assert [(r.user_id, r.new_value["reason"]) for r in deadline] == [(None, "deadline")]
    assert deadline[0].ip_address is None
    assert [r.action for r in trail(dbsession, entity_id=expired.id)] == [
        "attempt.auto_submitted", "attempt.graded"]


def test_a_submit_whose_commit_fails_leaves_no_row(emitter_app, dbsession, auth, published,
                                                   exam_grader, student):
    quiz, choice, _ = published
    attempt_id = take_exam(emitter_app, quiz.id, auth(student), {choice.id: 1}, submit=False)
    written = emitter_app.app.registry["testemitter.written"]
    written.clear()
    emitter_app.post(f"/api/attempts/{attempt_id}/submit", status=500,
                     headers={**auth(student), "X-Test-Fail-Commit": "1"})
    assert written[0]["audit_logs"] == 3  # started + submitted + graded, in the transaction
    assert [r.action for r in trail(dbsession, entity_id=attempt_id)] == ["attempt.started"]
    dbsession.expire_all()
    assert dbsession.get(QuizAttempt, attempt_id).status == "in_progress"


def test_a_vetoed_publish_leaves_no_row(emitter_app, dbsession, auth, exam, teacher):
    quiz, _, _ = exam
    emitter_app.post(f"/api/quizzes/{quiz.id}/publish", status=409,
                     headers={**auth(teacher), "X-Test-Veto": "quiz.published"})
    assert trail(dbsession) == []
