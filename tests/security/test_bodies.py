"""Oversized, deeply nested and unparseable request bodies: a clean 4xx in the API's error
format, never a 500."""

from __future__ import annotations

import http.client
import io
import json
import os
import uuid
import zipfile

import pytest
from webtest.http import StopableWSGIServer

from tests.helpers import assert_error

from .conftest import BODY_LIMIT, UPLOAD_LIMIT
from .world import build_world

JSON = "application/json"


@pytest.fixture
def world(dbsession):
    return build_world()


def post(client, path, body: bytes, headers, content_type=JSON, status="*"):
    return client.post(path, body, headers={**headers, "Content-Type": content_type},
                       status=status)


def test_a_json_body_over_the_limit_is_413(limited, world, auth):
    title = "x" * BODY_LIMIT
    body = json.dumps({"title": title, "subject": "Maths", "time_limit_minutes": 5}).encode()
    response = post(limited, "/api/quizzes", body, auth(world.users["teacher"]))
    error = assert_error(response, 413)
    assert error["limit"] == BODY_LIMIT


def test_the_body_limit_applies_before_authentication(limited):
    """An anonymous client cannot make the server read a large body either."""
    response = post(limited, "/api/auth/login", b"{" + b" " * BODY_LIMIT + b"}", {})
    assert_error(response, 413)


def test_a_chunked_body_over_the_limit_is_413(limited_app, dbsession):
    """Without Content-Length (chunked transfer), through waitress as in production."""
    server = StopableWSGIServer.create(limited_app)
    assert server.wait()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.adj.port, timeout=30)
        chunks = (b" " * 1024 for _ in range(BODY_LIMIT // 1024 + 8))
        connection.request("POST", "/api/auth/login", body=chunks, encode_chunked=True,
                           headers={"Content-Type": JSON, "Transfer-Encoding": "chunked"})
        response = connection.getresponse()
        body = json.loads(response.read())
        assert response.status == 413 and body["error"] and body["message"], body
        connection.close()
    finally:
        server.shutdown()


@pytest.mark.plugin("quiz_plugins.csv_import")
def test_an_upload_over_the_upload_limit_is_413(limited, world, auth):
    rows = b"".join(b"Kid %d,kid%d@school.example,R-%d,Class A\n" % (i, i, i)
                    for i in range(200))
    data = b"name,email,registration_number,class_name\n" + rows
    assert UPLOAD_LIMIT < len(data) < BODY_LIMIT
    response = limited.post("/api/students/bulk-import", upload_files=[
        ("file", "students.csv", data)], headers=auth(world.users["teacher"]), status="*")
    assert_error(response, 413)


@pytest.mark.plugin("quiz_plugins.csv_import")
def test_an_upload_over_the_body_limit_is_413(limited, world, auth):
    data = b"name,email,registration_number,class_name\n" + b"x" * BODY_LIMIT
    response = limited.post("/api/questions/bulk-import", upload_files=[
        ("file", "questions.csv", data)], headers=auth(world.users["teacher"]), status="*")
    assert_error(response, 413)


@pytest.mark.parametrize("body", [
    b"[" * 100_000 + b"]" * 100_000,
    b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    b'{"text": "deep", "options": ' + b"[" * 33 + b'"x"' + b"]" * 33 + b"}",
], ids=["array_100000_deep", "object_50000_deep", "field_34_deep"])
def test_deeply_nested_json_is_400(testapp, world, auth, body):
    response = post(testapp, "/api/questions", body, auth(world.users["teacher"]))
    assert "nested deeper" in assert_error(response, 400)["message"]


@pytest.mark.plugin("quiz_plugins.anticheat")
def test_nested_violation_details_are_stored_up_to_the_limit(testapp, world, auth):
    """The anti-cheat plugin keeps free-form details: nested ones are refused past the
    nesting limit (they used to exhaust the stack), accepted below it."""
    def details(levels):
        value = {"x": 1}
        for _ in range(levels):
            value = {"x": value}
        return value

    path = f"/api/attempts/{world.ids['attempt']}/violations"
    headers = auth(world.users["student"])
    for levels, status in ((500, 400), (31, 400), (29, 200)):
        body = {"violation_type": "tab_switch", "question_index": 0, "metadata": details(levels)}
        response = testapp.post_json(path, body, headers=headers, status="*")
        assert response.status_code == status, (levels, response.text)
        if status >= 400:
            assert_error(response, status)


@pytest.mark.parametrize("path, body", [
    ("/api/quizzes", {"title": "t", "subject": "s", "time_limit_minutes": 5,
                      "question_ids": [str(uuid.uuid4()) for _ in range(20_000)]}),
    ("/api/questions", {"text": "t", "type": "mcq", "marks": 1, "options": ["o"] * 50_000,
                        "correct_answer": 0}),
    ("/api/classes/{class}/assign-students",
     {"student_ids": [str(uuid.uuid4()) for _ in range(20_000)]}),
    pytest.param("/api/grading/attempts/{ended_attempt}/grade",
                 {"grades": [{"answer_id": str(uuid.uuid4()), "marks_awarded": 1}] * 20_000},
                 marks=pytest.mark.plugin("quiz_plugins.grading")),
    ("/api/questions", {"text": "x" * 2_000_000, "type": "mcq", "marks": 1,
                        "options": ["a", "b"], "correct_answer": 0}),
], ids=["quiz_question_ids", "question_options", "class_student_ids", "grades",
        "question_text"])
def test_huge_arrays_and_strings_are_400(testapp, world, auth, path, body):
    response = testapp.post_json(path.format(**world.ids), body,
                                 headers=auth(world.users["teacher"]), status="*")
    assert_error(response, 400)


@pytest.mark.parametrize("body, content_type", [
    (b'{"email": "a@school.example"}', "multipart/form-data"),  # no boundary
    (b"--x\r\nbroken", "multipart/form-data; boundary=x"),
    (b"\xff\xfe{", JSON),
    (b'{"email": ', JSON),
    (b'"a string"', JSON),
    (b'{"email": 1' + b"0" * 5000 + b"}", JSON),  # an integer too long to convert
])
def test_unreadable_bodies_are_400(testapp, body, content_type):
    response = post(testapp, "/api/auth/forgot-password", body, {}, content_type)
    assert_error(response, 400)


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<a>" + b"0" * 5_000_000 + b"</a>")
    return buffer.getvalue()


HEADER = b"name,email,registration_number,class_name\n"
HOSTILE_UPLOADS = {
    "garbage.xlsx": os.urandom(4096),
    "truncated.xlsx": _zip_bomb()[:300],
    "bomb.xlsx": _zip_bomb(),
    "nul.csv": HEADER + b"A\x00B,a@school.example,R\x00-1,Class A\n",
    "utf16.csv": (HEADER.decode() + "A,a@school.example,R-1,Class A\n").encode("utf-16"),
    "latin1.csv": HEADER + "Jos\xe9,a@school.example,R-1,Class A\n".encode("latin-1"),
    "long_line.csv": HEADER + b"x" * 1_000_000 + b"\n",
    "many_columns.csv": b",".join(b"c%d" % i for i in range(20_000)) + b"\n",
    "unterminated_quote.csv": HEADER + b'"unterminated,a@school.example\n',
    "empty.csv": b"",
    "../../../etc/passwd": HEADER + b"Kid,kid@school.example,R-7,Class A\n",
}


@pytest.mark.plugin("quiz_plugins.csv_import")
@pytest.mark.parametrize("name", sorted(HOSTILE_UPLOADS))
def test_hostile_uploads_are_refused_or_imported_never_a_500(testapp, world, auth, name):
    for path in ("/api/students/bulk-import", "/api/questions/bulk-import"):
        response = testapp.post(path, upload_files=[("file", name, HOSTILE_UPLOADS[name])],
                                headers=auth(world.users["teacher"]), status="*")
        assert response.status_code < 500, response.text
        if response.status_code >= 400:
            assert_error(response, response.status_code)


@pytest.mark.plugin("quiz_plugins.csv_import")
def test_an_upload_without_a_multipart_boundary_is_400(testapp, world, auth):
    response = post(testapp, "/api/students/bulk-import", b"name,email\n",
                    auth(world.users["teacher"]), "multipart/form-data")
    assert_error(response, 400)
