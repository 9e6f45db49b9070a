"""Every account endpoint for every kind of caller, from one table.

Callers: ``admin``; ``owner`` (the teacher assigned to the class the target student is in,
and the target teacher themselves); ``non_owner`` (another teacher); ``self`` (the target
student); ``other`` (a student of another class); ``anon`` (no token).

Expected: 2xx allowed, 401 no token, 403 the role may not use the endpoint, 404 the object is
not visible to the caller. Each case runs in its own rolled-back transaction, so destructive
cases (DELETE) do not affect the others.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from tests import factories
from tests.helpers import fill

ROLES = ("admin", "owner", "non_owner", "self", "other", "anon")


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    expected: dict[str, int]
    body: dict | None = None

    def ids(self):
        return f"{self.method} {self.path}"


def expect(admin, owner, non_owner, self_, other, anon=401) -> dict[str, int]:
    return dict(zip(ROLES, (admin, owner, non_owner, self_, other, anon), strict=True))


ALL_SIGNED_IN = expect(200, 200, 200, 200, 200)
ADMIN_ONLY = expect(200, 403, 403, 403, 403)
STAFF_LIST = expect(200, 200, 200, 403, 403)
STAFF_OWNED = expect(200, 200, 404, 403, 403)

CASES = [
    # auth (signed in)
    Case("GET", "/api/auth/me", ALL_SIGNED_IN),
    Case("POST", "/api/auth/change-password", ALL_SIGNED_IN,
         {"current_password": factories.PASSWORD, "new_password": "changed password 1"}),
    Case("POST", "/api/auth/logout", ALL_SIGNED_IN, {}),
    Case("PUT", "/api/auth/profile", ALL_SIGNED_IN, {}),
    # auth (public: the same answer whoever calls)
    Case("POST", "/api/auth/forgot-password", expect(200, 200, 200, 200, 200, 200),
         {"email": "anyone@school.example"}),
    Case("POST", "/api/auth/verify-reset-code", expect(400, 400, 400, 400, 400, 400),
         {"email": "anyone@school.example", "code": "000000"}),
    Case("POST", "/api/auth/reset-password", expect(400, 400, 400, 400, 400, 400),
         {"reset_token": "not-a-token", "new_password": "changed password 1"}),
    Case("POST", "/api/auth/refresh", expect(401, 401, 401, 401, 401, 401),
         {"refresh_token": "not-a-token"}),
    Case("POST", "/api/auth/claim-account", expect(404, 404, 404, 404, 404, 404),
         {"registration_number": "no-such", "password": "pw123456",
          "confirm_password": "pw123456"}),
    Case("POST", "/api/auth/login", expect(401, 401, 401, 401, 401, 401),
         {"email_or_reg_no": "nobody@school.example", "password": "wrong"}),
    # users (admins)
    Case("GET", "/api/users", ADMIN_ONLY),
    Case("POST", "/api/users", expect(201, 403, 403, 403, 403),
         {"email": "n@school.example", "name": "N", "role": "teacher",
          "password": "teacher password"}),
    Case("GET", "/api/users/{teacher}", ADMIN_ONLY),
    Case("PUT", "/api/users/{teacher}", ADMIN_ONLY, {"name": "Renamed"}),
    Case("DELETE", "/api/users/{other_teacher}", ADMIN_ONLY),
    # teachers
    Case("GET", "/api/teachers", STAFF_LIST),
    Case("GET", "/api/teachers/{teacher}", STAFF_OWNED),
    Case("GET", "/api/teachers/{teacher}/classes", STAFF_OWNED),
    Case("GET", "/api/teachers/{teacher}/students", STAFF_OWNED),
    # students
    Case("GET", "/api/students", STAFF_LIST),
    Case("POST", "/api/students", expect(201, 201, 404, 403, 403),
         {"name": "New Kid", "email": "kid@school.example", "registration_number": "K-1",
          "class_id": "{class}"}),
    Case("GET", "/api/students/{student}", expect(200, 200, 404, 200, 404)),
    Case("PUT", "/api/students/{student}", STAFF_OWNED, {"name": "Renamed"}),
    Case("DELETE", "/api/students/{student}", STAFF_OWNED),
    # classes
    Case("GET", "/api/classes", STAFF_LIST),
    Case("POST", "/api/classes", expect(201, 403, 403, 403, 403), {"name": "Grade 12"}),
    Case("GET", "/api/classes/{class}", STAFF_OWNED),
    Case("PUT", "/api/classes/{class}", ADMIN_ONLY, {"name": "Renamed class"}),
    Case("DELETE", "/api/classes/{class}", ADMIN_ONLY),
    Case("POST", "/api/classes/{class}/assign-teacher", ADMIN_ONLY,
         {"teacher_id": "{other_teacher}"}),
    Case("DELETE", "/api/classes/{class}/teachers/{teacher}", ADMIN_ONLY),
    Case("POST", "/api/classes/{class}/assign-students", STAFF_OWNED,
         {"student_ids": ["{student}"]}),
    Case("DELETE", "/api/classes/{class}/students/{student}", STAFF_OWNED),
]

PARAMS = [pytest.param(case, role, id=f"{case.ids()} as {role}")
          for case in CASES for role in ROLES]


@pytest.mark.parametrize("case, role", PARAMS)
def test_role_matrix(testapp, auth, admin, teacher, other_teacher, school_class, student,
                     other_student, case, role):
    callers = {"admin": admin, "owner": teacher, "non_owner": other_teacher, "self": student,
               "other": other_student, "anon": None}
    ids = {"teacher": teacher.id, "other_teacher": other_teacher.id, "class": school_class.id,
           "student": student.id}
    caller = callers[role]
    headers = auth(caller) if caller is not None else {}
    path = fill(case.path, ids)
    expected = case.expected[role]
    kwargs = {"headers": headers, "status": expected}
    if case.method == "GET":
        response = testapp.get(path, **kwargs)
    elif case.method == "DELETE":
        response = testapp.delete(path, **kwargs)
    else:
        send = testapp.post_json if case.method == "POST" else testapp.put_json
        response = send(path, fill(case.body, ids), **kwargs)
    assert response.content_type == "application/json"
    if expected >= 400:
        assert response.json["error"] and response.json["message"]


def test_every_account_route_is_in_the_matrix(app_with):
    """A new endpoint under these paths must be added to the table above. (Plugins add
    routes beside them, such as /api/students/bulk-import; they are tested with the plugin.)"""
    from pyramid.interfaces import IRoutesMapper

    registry = app_with(**{"quizcore.plugins": ""}).app.registry

    def shape(path):
        return re.sub(r"\{[^}]+\}", "{}", path)

    prefixes = ("/api/auth", "/api/users", "/api/teachers", "/api/students", "/api/classes")
    routes = {shape(route.pattern) for route in registry.getUtility(IRoutesMapper).get_routes()
              if route.pattern.startswith(prefixes)}
    assert routes == {shape(case.path) for case in CASES}
