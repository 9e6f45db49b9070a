"""Import options sent as multipart form fields, as a browser's FormData sends them beside
the file: honoured like the query string's, refused when both disagree, never ignored."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from quizcore.models import Question, Student
from tests.helpers import assert_error
from tests.plugins.csv_import.files import STUDENT_HEADER, csv_bytes

pytestmark = pytest.mark.plugin("quiz_plugins.csv_import")

STUDENTS = csv_bytes([STUDENT_HEADER, ["Ada Obi", "ada@form.example", "REG-F1", "", "", "",
                                       "", "", ""]])
GIFT = b"Water is wet.{TRUE}\n"


def count(dbsession, model) -> int:
    return dbsession.scalar(sa.select(sa.func.count()).select_from(model))


def post_form(testapp, path, data, headers, status=200, query="", **fields):
    return testapp.post(path + query, params=fields, upload_files=[("file", "f", data)],
                        headers=headers, status=status)


def test_a_dry_run_in_the_form_writes_nothing(testapp, teacher, school_class, auth,
                                              dbsession):
    body = post_form(testapp, "/api/students/bulk-import", STUDENTS, auth(teacher),
                     dry_run="true", class_id=school_class.id).json
    assert body["dry_run"] is True and body["imported"] == 1
    assert count(dbsession, Student) == 0
    body = post_form(testapp, "/api/questions/import", GIFT, auth(teacher),
                     query="?format=gift", dry_run="true").json
    assert body["dry_run"] is True and count(dbsession, Question) == 0


def test_class_id_in_the_form_places_the_students(testapp, teacher, school_class, auth,
                                                  dbsession):
    body = post_form(testapp, "/api/students/bulk-import", STUDENTS, auth(teacher),
                     class_id=school_class.id).json
    assert body["imported"] == 1
    assert dbsession.get(Student, body["imported_students"][0]["id"]).class_id == \
        school_class.id


def test_an_option_in_the_query_and_the_form_with_different_values_is_a_400(
        testapp, teacher, school_class, auth, dbsession):
    response = post_form(testapp, "/api/students/bulk-import", STUDENTS, auth(teacher),
                         status=400, query="?dry_run=false", dry_run="true",
                         class_id=school_class.id)
    error = assert_error(response, 400)
    assert "dry_run" in {e["name"] for e in error["errors"]}
    assert count(dbsession, Student) == 0
    # The same value twice is no conflict.
    body = post_form(testapp, "/api/students/bulk-import", STUDENTS, auth(teacher),
                     query="?dry_run=true", dry_run="true", class_id=school_class.id).json
    assert body["dry_run"] is True and count(dbsession, Student) == 0


def test_a_bad_option_value_in_the_form_is_a_400(testapp, teacher, auth, dbsession):
    response = post_form(testapp, "/api/questions/import", GIFT, auth(teacher), status=400,
                         query="?format=gift", atomic="perhaps")
    assert "atomic" in {e["name"] for e in assert_error(response, 400)["errors"]}
    assert count(dbsession, Question) == 0
