"""Two imports of the same file at the same moment, with real threads and real commits:
every student exists once, and the loser reports the winner's rows as duplicates."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
import webtest

from quizcore.models import SchoolClass, Student
from tests import factories
from tests.helpers import run_together
from tests.plugins.csv_import.files import csv_bytes, student_rows, upload

pytestmark = [pytest.mark.plugin("quiz_plugins.csv_import"), pytest.mark.slow]

PATH = "/api/students/bulk-import"


def test_the_same_file_imported_twice_at_once_creates_each_student_once(app, committed_session,
                                                                       auth):
    admins = factories.AdminFactory(), factories.AdminFactory()
    committed_session.commit()
    data = csv_bytes(student_rows(300))
    responses = run_together(len(admins), lambda i: upload(
        webtest.TestApp(app), PATH, data, headers=auth(admins[i]), status="*"))
    # The loser either checked after the winner committed, or collided with it on a unique
    # key, rolled back and was retried: either way it reports every row as a duplicate.
    assert [response.status_code for response in responses] == [200, 200], \
        [response.text[:300] for response in responses]
    outcomes = sorted((body["imported"], body["failed"]) for body in
                      (response.json for response in responses))
    assert outcomes == [(0, 300), (300, 0)]
    loser = next(r.json for r in responses if r.json["imported"] == 0)
    assert "already exists" in loser["errors"][0]["error"]
    committed_session.expire_all()
    assert committed_session.scalar(sa.select(sa.func.count()).select_from(Student)) == 300
    assert committed_session.scalar(sa.select(sa.func.count()).select_from(SchoolClass)) == 1
