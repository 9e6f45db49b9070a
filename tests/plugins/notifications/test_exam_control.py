"""The student is told in the app when a teacher extends, ends or reopens their attempt."""

import pytest

from quiz_plugins.notifications.models import Notification
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
