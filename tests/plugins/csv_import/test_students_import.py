"""POST /api/students/bulk-import: who may import where, row validation, duplicates, classes,
dry runs, atomic imports, upload limits and hostile files (nothing written on refusal)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from quizcore.models import UNUSABLE_PASSWORD, SchoolClass, Student, User
from tests import factories
from tests.helpers import assert_error
from tests.plugins.csv_import.files import (
    STUDENT_HEADER,
    Formula,
    csv_bytes,
    student_rows,
    upload,
    xlsx_bytes,
    zip_bytes,
)

pytestmark = pytest.mark.plugin("quiz_plugins.csv_import")

PATH = "/api/students/bulk-import"


def student_count(dbsession) -> int:
    return dbsession.scalar(sa.select(sa.func.count()).select_from(Student))


def class_named(dbsession, name: str) -> list[SchoolClass]:
    return list(dbsession.scalars(sa.select(SchoolClass).where(SchoolClass.name == name)))


def row(name="Ada Obi", email="ada@import.example", number="REG-1", class_name="Grade 9",
        section="A", year="2025-2026", dob="2011-04-30", parent_email="", phone=""):
    return [name, email, number, class_name, section, year, dob, parent_email, phone]


# -- importing -------------------------------------------------------------------------------


def test_admin_imports_students_and_missing_classes_are_created_once(testapp, admin, auth,
                                                                    dbsession):
    data = csv_bytes([STUDENT_HEADER,
                      row(),
                      row("Bo Eze", "Bo@Import.example", "REG-2", "grade 9", "a"),
                      row("Cy Uche", "cy@import.example", "REG-3", "Grade 10", "", "")])
    body = upload(testapp, PATH, data, headers=auth(admin)).json
    assert body["imported"] == 3 and body["failed"] == 0 and body["errors"] == []
    assert body["dry_run"] is False and body["format"] == "csv"
    assert [s["row"] for s in body["imported_students"]] == [2, 3, 4]
    created = {(c["name"], c["section"], c["academic_year"]) for c in body["classes_created"]}
    assert created == {("Grade 9", "A", "2025-2026"), ("Grade 10", None, None)}
    grade9 = class_named(dbsession, "Grade 9")
    assert len(grade9) == 1 and grade9[0].created_by == admin.id
    first, second, third = (dbsession.get(Student, s["id"]) for s in body["imported_students"])
    assert first.class_id == second.class_id == grade9[0].id
    assert third.school_class.name == "Grade 10" and third.school_class.section is None
    assert second.user.email == "bo@import.example"
    assert first.date_of_birth == dt.date(2011, 4, 30)
    for profile in (first, second, third):
        assert profile.is_account_claimed is False
        assert profile.user.password_hash == UNUSABLE_PASSWORD
    assert body["imported_students"][0]["class"]["id"] == grade9[0].id
    assert body["message"] == "Imported 3 students and 2 new classes."


def test_existing_class_is_found_by_name_section_and_year_case_insensitively(
        testapp, admin, auth, dbsession):
    existing = factories.ClassFactory(name="Grade 7", section="B", academic_year="2025-2026")
    data = csv_bytes([STUDENT_HEADER, row(class_name="GRADE 7", section="b")])
    body = upload(testapp, PATH, data, headers=auth(admin)).json
    assert body["classes_created"] == []
    assert body["imported_students"][0]["class"]["id"] == existing.id


def test_ambiguous_class_asks_for_the_missing_part(testapp, admin, auth, dbsession):
    factories.ClassFactory(name="Grade 7", section="A", academic_year="2024-2025")
    factories.ClassFactory(name="Grade 7", section="A", academic_year="2025-2026")
    data = csv_bytes([STUDENT_HEADER, row(class_name="Grade 7", section="A", year="")])
    body = upload(testapp, PATH, data, headers=auth(admin)).json
    assert body["imported"] == 0
    assert "ambiguous" in body["errors"][0]["error"]
    assert body["errors"][0]["column"] == "class_name"


def test_xlsx_file_with_numbers_and_date_cells(testapp, admin, auth, dbsession):
    data = xlsx_bytes([["Name", "Email", "Registration Number", "Class Name", "Date of Birth",
                        "Parent Phone"],
                       ["Ada Obi", "ada@import.example", 2025001, "Grade 9",
                        dt.date(2011, 4, 30), 447946000000]])
    body = upload(testapp, PATH, data, headers=auth(admin), filename="whatever.csv").json
    assert body["format"] == "xlsx" and body["imported"] == 1
    profile = dbsession.get(Student, body["imported_students"][0]["id"])
    assert profile.registration_number == "2025001"
    assert profile.date_of_birth == dt.date(2011, 4, 30)
    assert profile.parent_phone == "447946000000"


def test_semicolon_csv_with_bom_from_a_spreadsheet(testapp, admin, auth):
    data = csv_bytes([["Name", "E-mail", "Registration Number"],
                      ["Zoë Ärger", "zoe@import.example", "R;1"]], delimiter=";", bom=True)
    body = upload(testapp, PATH, data, headers=auth(admin)).json
    assert body["imported_students"][0]["name"] == "Zoë Ärger"
    assert body["imported_students"][0]["registration_number"] == "R;1"
    assert body["imported_students"][0]["class"] is None


def test_teacher_imports_into_their_own_class(testapp, teacher, school_class, auth, dbsession):
    data = csv_bytes([STUDENT_HEADER, row(class_name=school_class.name,
                                          section=school_class.section,
                                          year=school_class.academic_year)])
    body = upload(testapp, PATH, data, headers=auth(teacher)).json
    assert body["imported"] == 1 and body["classes_created"] == []
    assert dbsession.get(Student, body["imported_students"][0]["id"]).class_id == \
        school_class.id


def test_teacher_name_only_finds_their_single_class_of_that_name(testapp, teacher,
                                                                 school_class, auth):
    data = csv_bytes([["name", "email", "registration_number", "class"],
                      ["Ada", "ada@import.example", "R-1", school_class.name.upper()]])
    body = upload(testapp, PATH, data, headers=auth(teacher)).json
    assert body["imported_students"][0]["class"]["id"] == school_class.id


def test_teacher_cannot_import_into_unknown_or_foreign_classes_nor_create_them(
        testapp, teacher, other_teacher, school_class, auth, dbsession):
    foreign = factories.ClassFactory(name="Foreign", section="A", academic_year="2025-2026")
    factories.TeacherClassFactory(teacher=other_teacher, school_class=foreign)
    data = csv_bytes([STUDENT_HEADER,
                      row("A", "a@import.example", "R-1", "Foreign"),
                      row("B", "b@import.example", "R-2", "Nowhere"),
                      row("C", "c@import.example", "R-3", "", "", ""),
                      row("D", "d@import.example", "R-4", school_class.name, "", "")])
    body = upload(testapp, PATH, data, headers=auth(teacher)).json
    assert body["imported"] == 1 and body["failed"] == 3
    errors = {e["row"]: e["error"] for e in body["errors"]}
    assert "not one of your classes" in errors[2] and "not one of your classes" in errors[3]
    assert "class_name is required" in errors[4]
    assert class_named(dbsession, "Nowhere") == []
    # A foreign class and an unknown one get the same answer: nothing is revealed.
    assert errors[2].replace("Foreign / A / 2025-2026", "X") == \
        errors[3].replace("Nowhere / A / 2025-2026", "X")


def test_class_id_takes_rows_without_a_class(testapp, teacher, school_class, auth, dbsession):
    data = csv_bytes([["name", "email", "registration_number"],
                      ["Ada", "ada@import.example", "R-1"]])
    body = upload(testapp, PATH, data, headers=auth(teacher), class_id=school_class.id).json
    assert body["imported_students"][0]["class"]["id"] == school_class.id


def test_class_id_of_a_class_the_teacher_may_not_use_is_404(testapp, other_teacher,
                                                             school_class, auth, dbsession):
    data = csv_bytes([["name", "email", "registration_number"], ["Ada", "a@import.example",
                                                                  "R-1"]])
    assert_error(upload(testapp, PATH, data, headers=auth(other_teacher),
                        class_id=school_class.id, status=404), 404)
    assert student_count(dbsession) == 0


def test_students_may_not_import_and_anonymous_users_must_sign_in(testapp, student, auth):
    data = csv_bytes(student_rows(1))
    assert_error(upload(testapp, PATH, data, headers=auth(student), status=403), 403)
    assert_error(upload(testapp, PATH, data, status=401), 401)


# -- row validation --------------------------------------------------------------------------


def test_each_bad_row_is_reported_with_its_spreadsheet_row_and_the_good_rows_go_in(
        testapp, admin, auth, dbsession):
    data = csv_bytes([STUDENT_HEADER,
                      row("Good One", "good1@import.example", "G-1"),       # 2
                      row("Bad Mail", "not-an-address", "B-1"),             # 3
                      row("", "noname@import.example", "B-2"),              # 4
                      row("Long Reg", "long@import.example", "R" * 51),     # 5
                      row("Bad Date", "date@import.example", "B-3", dob="30/04/2011"),  # 6
                      row("Future", "future@import.example", "B-4", dob="2999-01-01"),  # 7
                      row("Feb 30", "feb@import.example", "B-5", dob="2011-02-30"),     # 8
                      row("X" * 256, "x@import.example", "B-6"),            # 9
                      row("Parent", "p@import.example", "B-7", parent_email="nope"),    # 10
                      row("Phone", "ph@import.example", "B-8", phone="1" * 21),         # 11
                      row("No Reg", "noreg@import.example", ""),            # 12
                      row("Section", "sec@import.example", "B-9", class_name=""),       # 13
                      row("Good Two", "good2@import.example", "G-2"),       # 14
                      ])
    body = upload(testapp, PATH, data, headers=auth(admin)).json
    assert body["imported"] == 2 and body["failed"] == 11
    assert [s["row"] for s in body["imported_students"]] == [2, 14]
    by_row = {e["row"]: e for e in body["errors"]}
    expected = {3: "email", 4: "name", 5: "registration_number", 6: "date_of_birth",
                7: "date_of_birth", 8: "date_of_birth", 9: "name", 10: "parent_email",
                11: "parent_phone", 12: "registration_number", 13: "class_name"}
    assert {r: e["column"] for r, e in by_row.items()} == expected
    assert "YYYY-MM-DD" in by_row[6]["error"]
    assert "255" in by_row[9]["error"] and "50" in by_row[5]["error"]
    assert student_count(dbsession) == 2


def test_duplicates_inside_the_file_name_the_first_row(testapp, admin, auth, dbsession):
    data = csv_bytes([STUDENT_HEADER,
                      row("A", "same@import.example", "R-1"),
                      row("B", "SAME@import.example", "R-2"),
                      row("C", "c@import.example", "r-1"),
                      row("D", "d@import.example", "R-4")])
    body = upload(testapp, PATH, data, headers=auth(admin)).json
    assert [s["row"] for s in body["imported_students"]] == [2, 5]
    assert body["errors"] == [
        {"row": 3, "column": "email", "error": "email 'same@import.example' is also on row 2"},
        {"row": 4, "column": "registration_number",
         "error": "registration_number 'r-1' is also on row 2"}]


def test_duplicates_against_the_school_are_found_case_and_accent_insensitively(
        testapp, admin, auth, student, dbsession):
    existing = factories.StudentFactory(email="jose@school.example",
                                        registration_number="STU-2024-7")
    data = csv_bytes([STUDENT_HEADER,
                      row("A", student.email.upper(), "NEW-1"),
                      row("B", "b@import.example", "stu-2024-7"),
                      row("C", "José@School.example", "NEW-3"),
                      row("D", "d@import.example", "NEW-4")])
    body = upload(testapp, PATH, data, headers=auth(admin)).json
    assert [s["row"] for s in body["imported_students"]] == [5]
    errors = {e["row"]: e for e in body["errors"]}
    assert errors[2]["column"] == "email" and "already exists" in errors[2]["error"]
    assert errors[3]["column"] == "registration_number"
    assert errors[4]["column"] == "email"
    assert existing.student.registration_number == "STU-2024-7"


def test_required_columns_missing_from_the_header_refuse_the_file(testapp, admin, auth,
                                                                  dbsession):
    data = csv_bytes([["name", "mail address"], ["Ada", "ada@import.example"]])
    body = assert_error(upload(testapp, PATH, data, headers=auth(admin), status=400), 400)
    assert "email, registration_number" in body["message"]
    assert body["errors"][0]["row"] == 1
    assert student_count(dbsession) == 0


# -- dry runs and atomic imports -------------------------------------------------------------


def test_dry_run_reports_what_would_happen_and_writes_nothing(testapp, admin, auth, dbsession):
    data = csv_bytes([STUDENT_HEADER, row(), row("B", "bad", "R-2"), row("C", "c@i.example",
                                                                         "R-3", "New Class")])
    body = upload(testapp, PATH, data, headers=auth(admin), dry_run="true").json
    assert body["dry_run"] is True and body["imported"] == 2 and body["failed"] == 1
    assert body["message"].startswith("Dry run:") and "Nothing was written" in body["message"]
    assert all(s["id"] is None for s in body["imported_students"])
    assert {c["name"] for c in body["classes_created"]} == {"Grade 9", "New Class"}
    assert body["import_id"] is None
    assert student_count(dbsession) == 0
    assert class_named(dbsession, "New Class") == []


def test_atomic_import_with_a_bad_row_writes_nothing_and_lists_the_errors(testapp, admin, auth,
                                                                          dbsession):
    data = csv_bytes([STUDENT_HEADER, row(), row("B", "bad", "R-2"),
                      row("C", "c@import.example", "R-3", "New Class")])
    body = assert_error(upload(testapp, PATH, data, headers=auth(admin), atomic="true",
                               status=400), 400)
    assert body["imported"] == 0 and body["failed"] == 1
    assert body["errors"][0]["row"] == 3 and body["errors"][0]["column"] == "email"
    assert body["errors"][0]["location"] == "body" and "row 3" in \
        body["errors"][0]["description"]
    assert body["imported_students"] == [] and body["classes_created"] == []
    assert "Nothing was imported" in body["message"]
    assert student_count(dbsession) == 0
    assert class_named(dbsession, "New Class") == []


def test_atomic_dry_run_answers_as_the_atomic_import_would(testapp, admin, auth, dbsession):
    data = csv_bytes([STUDENT_HEADER, row(), row("B", "bad", "R-2")])
    body = assert_error(upload(testapp, PATH, data, headers=auth(admin), atomic="true",
                               dry_run="true", status=400), 400)
    assert body["dry_run"] is True
    assert body["message"] == ("Dry run: nothing would be imported: 1 row has errors (atomic "
                               "import). Nothing was written.")
    good = csv_bytes([STUDENT_HEADER, row()])
    assert upload(testapp, PATH, good, headers=auth(admin), atomic="true",
                  dry_run="true").json["imported"] == 1
    assert student_count(dbsession) == 0


def test_atomic_import_without_errors_writes_everything(testapp, admin, auth, dbsession):
    body = upload(testapp, PATH, csv_bytes(student_rows(5)), headers=auth(admin),
                  atomic="true").json
    assert body["imported"] == 5 and student_count(dbsession) == 5


def test_bad_query_flags_are_a_400(testapp, admin, auth):
    assert_error(upload(testapp, PATH, csv_bytes(student_rows(1)), headers=auth(admin),
                        dry_run="maybe", status=400), 400)


# -- events ----------------------------------------------------------------------------------


def test_one_summary_event_per_import_and_one_per_created_class(events, admin, auth, dbsession):
    client, committed = events
    body = upload(client, PATH, csv_bytes(student_rows(3) + [row("X", "bad", "R-X")]),
                  headers=auth(admin), filename="year9.csv").json
    changes = [e for e in committed if e.name == "entity.changed"]
    assert [(e.action, e.entity_type) for e in changes] == [("create", "class"),
                                                            ("import", "student")]
    summary = changes[1]
    assert summary.entity_id == body["import_id"] and summary.actor_id == admin.id
    assert summary.new["count"] == 3 and summary.new["failed_rows"] == 1
    assert summary.new["ids"] == [s["id"] for s in body["imported_students"]]
    assert summary.new["file_name"] == "year9.csv"
    assert changes[0].entity_id == body["classes_created"][0]["id"]


def test_dry_runs_and_refused_imports_announce_nothing(events, admin, auth, dbsession):
    client, committed = events
    upload(client, PATH, csv_bytes(student_rows(2)), headers=auth(admin), dry_run="true")
    upload(client, PATH, csv_bytes(student_rows(2) + [row("X", "bad", "R-X")]),
           headers=auth(admin), atomic="true", status=400)
    assert [e for e in committed if e.name == "entity.changed"] == []


# -- uploads and hostile files ---------------------------------------------------------------


def test_file_over_the_upload_limit_is_413_in_the_json_error_format(app_with, admin, auth,
                                                                    dbsession):
    client = app_with(**{"quizcore.csv_import.max_upload_bytes": 2048})
    data = csv_bytes(student_rows(60))
    assert len(data) > 2048
    body = assert_error(upload(client, PATH, data, headers=auth(admin), status=413), 413)
    assert body["limit"] == 2048
    huge = csv_bytes(student_rows(2000))
    assert_error(upload(client, PATH, huge, headers=auth(admin), status=413), 413)
    assert student_count(dbsession) == 0


def test_more_rows_than_allowed_is_a_400(app_with, admin, auth, dbsession):
    client = app_with(**{"quizcore.csv_import.max_rows": 5})
    body = assert_error(upload(client, PATH, csv_bytes(student_rows(6)), headers=auth(admin),
                               status=400), 400)
    assert "more than 5 data rows" in body["message"]
    assert upload(client, PATH, csv_bytes(student_rows(5)), headers=auth(admin)).json[
        "imported"] == 5


HOSTILE = {
    "formula": csv_bytes([STUDENT_HEADER, row(), row("=HYPERLINK(\"http://evil\",\"x\")",
                                                     "b@import.example", "R-2")]),
    "xlsx formula": xlsx_bytes([STUDENT_HEADER, row(),
                                ["B", "b@import.example", Formula("=1+1"), "Grade 9"]]),
    "nul bytes": csv_bytes([STUDENT_HEADER, row()]) + b"B,b@import.example\x00,R-2\r\n",
    "ten megabyte line": csv_bytes([STUDENT_HEADER, row()]) + b"B" * (10 * 1024 * 1024) +
    b",b@import.example,R-2\r\n",
    "latin-1": csv_bytes([STUDENT_HEADER, row("José", "jose@import.example")],
                         encoding="latin-1"),
    "empty": b"",
    "header only": csv_bytes([STUDENT_HEADER]),
    "broken xlsx": xlsx_bytes([STUDENT_HEADER, row()])[:1500],
    "zip bomb": zip_bytes({"xl/workbook.xml": b"<workbook/>",
                           "xl/worksheets/sheet1.xml": b"<" * (40 * 1024 * 1024)}),
    "pdf": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n",
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_or_broken_files_are_a_clear_400_and_write_nothing(kind, testapp, admin, auth,
                                                                  dbsession):
    body = assert_error(upload(testapp, PATH, HOSTILE[kind], headers=auth(admin),
                               filename="students.csv", status=400), 400)
    assert body["error"] == "Invalid file"
    assert body["errors"] and all(e["location"] == "body" for e in body["errors"])
    assert student_count(dbsession) == 0
    assert class_named(dbsession, "Grade 9") == []


def test_a_request_without_a_file_field_is_a_400(testapp, admin, auth):
    response = testapp.post(PATH, {"other": "x"}, headers=auth(admin),
                            content_type="multipart/form-data", status=400)
    assert assert_error(response, 400)["errors"][0]["name"] == "file"


def test_a_json_body_is_refused_with_415(testapp, admin, auth):
    assert_error(testapp.post_json(PATH, {"file": "name,email"}, headers=auth(admin),
                                   status=415), 415)


def test_a_malformed_multipart_body_is_a_400_not_a_500(testapp, admin, auth):
    response = testapp.post(PATH, b"garbage", headers={
        **auth(admin), "Content-Type": "multipart/form-data"}, status=400)
    assert "multipart" in assert_error(response, 400)["message"]


# -- route order -----------------------------------------------------------------------------


def test_bulk_import_path_is_not_taken_for_a_student_id(testapp, admin, student, auth):
    """/api/students/{id} matches UUIDs only, so the plugin's path, added after the core's
    routes, is reached; other methods get 405 from the plugin's route, not 404 "Student"."""
    response = testapp.get(PATH, headers=auth(admin), status=405)
    assert "POST" in response.headers["Allow"]
    assert testapp.get(f"/api/students/{student.id}", headers=auth(admin)).json["id"] == \
        student.id


def test_no_bcrypt_work_per_row(testapp, admin, auth, dbsession, monkeypatch):
    import bcrypt

    def refuse(*args, **kwargs):
        raise AssertionError("bcrypt called during an import")

    headers = auth(admin)
    monkeypatch.setattr(bcrypt, "hashpw", refuse)
    monkeypatch.setattr(bcrypt, "gensalt", refuse)
    body = upload(testapp, PATH, csv_bytes(student_rows(20)), headers=headers).json
    assert body["imported"] == 20
    hashes = set(dbsession.scalars(sa.select(User.password_hash).where(
        User.id.in_([s["id"] for s in body["imported_students"]]))))
    assert hashes == {UNUSABLE_PASSWORD}


def test_a_collision_that_persists_is_retried_then_answered_409(testapp, admin, auth,
                                                                dbsession, monkeypatch):
    """A unique key refusing the INSERT (a concurrent import) rolls the request back and
    pyramid_retry runs it again; when every attempt collides, the answer is 409."""
    from sqlalchemy.exc import IntegrityError

    from quizcore.domain import bulk_students

    calls = []

    def collide(session, students, now=None):
        calls.append(len(students))
        raise IntegrityError("INSERT INTO users ...", {}, Exception(1062, "Duplicate entry"))

    monkeypatch.setattr(bulk_students, "insert_students", collide)
    body = assert_error(upload(testapp, PATH, csv_bytes(student_rows(3)), headers=auth(admin),
                               status=409), 409)
    assert "nothing was imported" in body["message"]
    assert calls == [3, 3, 3]  # retry.attempts = 3
    assert student_count(dbsession) == 0 and class_named(dbsession, "Grade 9") == []
