"""The student is told in the app when a teacher extends, ends or reopens their attempt."""

import pytest

from quiz_plugins.notifications.models import Notification
from tests import factories
from tests.plugins.exam_control import teacher_actions

pytestmark = pytest.mark.plugin("quiz_plugins.notifications")


def test_the_student_is_told_of_each_teacher_action(testapp, auth, teacher, school_class,
                                                    dbsession):
    exam = teacher_actions(testapp, auth, teacher, school_class)
    ada = {n.type: n for n in dbsession.query(Notification).filter_by(user_id=exam["ada"].id)}
    bob = {n.type: n for n in dbsession.query(Notification).filter_by(user_id=exam["bob"].id)}
    assert set(ada) == {"attempt_extended"}
    assert ada["attempt_extended"].link == f"/attempts/{exam['ada_attempt']}"
    assert {"attempt_force_submitted", "attempt_reopened"} <= set(bob)
    assert "Phone on the desk" in bob["attempt_force_submitted"].message
    assert bob["attempt_reopened"].link == f"/quizzes/{exam['quiz'].id}"


def test_each_student_granted_more_attempts_is_told(testapp, auth, teacher, school_class,
                                                    student, dbsession):
    other = factories.StudentFactory(school_class=school_class)
    quiz = factories.QuizFactory(owner=teacher, classes=[school_class], max_attempts=1,
                                 questions=[factories.QuestionFactory(owner=teacher)])
    path = f"/api/quizzes/{quiz.id}/grant-attempts"
    testapp.post_json(path, {"student_id": student.id, "additional_attempts": 2,
                             "reason": "Power cut"}, headers=auth(teacher))
    testapp.post_json(path, {"additional_attempts": 1, "reason": "Fire drill"},
                      headers=auth(teacher))
    mine = [n.message for n in dbsession.query(Notification).filter_by(
        user_id=student.id, type="attempts_granted")]
    theirs = [n.message for n in dbsession.query(Notification).filter_by(
        user_id=other.id, type="attempts_granted")]
    assert len(mine) == 2 and len(theirs) == 1
    assert any("2 more attempt(s)" in m and "(3 in all)" in m for m in mine)
    assert "(2 in all)" in theirs[0]
    # The reason is for the audit trail: the student is not told it.
    assert not any("Power cut" in m or "Fire drill" in m for m in mine + theirs)
