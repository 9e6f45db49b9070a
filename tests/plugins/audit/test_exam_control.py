"""A teacher's actions on a running exam are in the audit trail, with who acted."""

import pytest

from quiz_plugins.audit.models import AuditLog
from tests import factories
from tests.plugins.exam_control import teacher_actions

pytestmark = pytest.mark.plugin("quiz_plugins.audit")


def test_extend_force_submit_and_reopen_are_audited(testapp, auth, teacher, school_class,
                                                    dbsession):
    exam = teacher_actions(testapp, auth, teacher, school_class)
    rows = {row.action: row for row in dbsession.query(AuditLog).filter(
        AuditLog.entity_id.in_([exam["ada_attempt"], exam["bob_attempt"]]))}
    extended = rows["attempt.extended"]
    assert extended.user_id == teacher.id and extended.entity_id == exam["ada_attempt"]
    assert extended.old_value["deadline_at"] < extended.new_value["deadline_at"]
    forced = rows["attempt.force_submitted"]
    assert forced.user_id == teacher.id
    assert forced.new_value["reason"] == "Phone on the desk"
    assert rows["attempt.reopened"].new_value["attempts_allowed"] == 2
    # The force-submission is one row (not also an "attempt.submitted").
    assert "attempt.submitted" not in rows


def test_a_grant_of_more_attempts_is_audited_with_its_reason(testapp, auth, teacher,
                                                             school_class, student, dbsession):
    quiz = factories.QuizFactory(owner=teacher, classes=[school_class],
                                 questions=[factories.QuestionFactory(owner=teacher)])
    path = f"/api/quizzes/{quiz.id}/grant-attempts"
    testapp.post_json(path, {"student_id": student.id, "additional_attempts": 2,
                             "reason": "Power cut"}, headers=auth(teacher))
    testapp.post_json(path, {"additional_attempts": 1, "reason": "Fire drill"},
                      headers=auth(teacher))
    one, whole = sorted(dbsession.query(AuditLog).filter_by(action="attempts.granted",
                                                             entity_id=quiz.id),
                        key=lambda row: "student_id" not in row.new_value)
    assert one.user_id == teacher.id and one.entity_type == "quiz"
    assert one.new_value == {"additional_attempts": 2, "reason": "Power cut",
                             "student_id": student.id, "attempts_allowed": 3, "students": 1}
    assert whole.new_value == {"additional_attempts": 1, "reason": "Fire drill",
                               "class_ids": [school_class.id], "students": 1}
