"""A teacher's actions on a running exam are in the audit trail, with who acted."""

import pytest

from quiz_plugins.audit.models import AuditLog
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
