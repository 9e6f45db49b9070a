"""The authorisation matrix: every route and method the application exposes, for every
persona (see :mod:`tests.security.world`), with the status each must get.

Expected statuses follow API.md: 401 without a valid token, 403 when the role may not use
the endpoint at all, 404 when the object exists but is not visible to the caller (its
existence is never revealed across classes or teachers), 2xx (or the 4xx of a rule, such as
409) when the caller is allowed. The table is the single place where access rules are
declared: an exposed route missing from it fails :func:`test_every_exposed_route_is_declared`,
so a new endpoint cannot ship without stating who may use it.

Each cell runs in its own rolled-back transaction against a fresh world, so destructive
cases (DELETE, submit, logout) never influence one another.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.helpers import assert_error, fill

from .routes import exposed_operations, plugin_of, route
from .world import PERSONAS, build_world

GRADING = "quiz_plugins.grading"
ANTICHEAT = "quiz_plugins.anticheat"
NOTIFICATIONS = "quiz_plugins.notifications"
AUDIT = "quiz_plugins.audit"
CSV_IMPORT = "quiz_plugins.csv_import"
EXPORTS = "quiz_plugins.exports"
ANALYTICS = "quiz_plugins.analytics"
SPA = "quiz_plugins.spa_compat"

STUDENTS_CSV = ("file", "students.csv",
                b"name,email,registration_number,class_name,section,academic_year\n"
                b"Imported Kid,imported@school.example,IMP-1,Class A,A,2025-2026\n")
QUESTIONS_CSV = ("file", "questions.csv",
                 b"text,type,option_a,option_b,correct_answer,marks\n"
                 b"2 + 2?,mcq,3,4,B,1\n")

QUESTIONS_GIFT = ("file", "questions.gift", b"::Sum:: 2 + 2? {=4 ~3}\n")

@dataclass(frozen=True)
class Case:
    route: str  # the Pyramid route name
    method: str
    path: str  # the concrete path, ``{name}`` filled from the world
    expected: dict  # persona -> status
    body: dict | None = None
    upload: tuple | None = None  # (field, file name, content): a multipart request
    plugin: str | None = None

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"


def case(route_name, method, path, statuses, body=None, upload=None, plugin=None) -> Case:
    """``statuses``: one status per persona, in :data:`PERSONAS` order:
    anon, student, other_student, teacher, other_teacher, admin."""
    codes = statuses.split()
    assert len(codes) == len(PERSONAS), statuses
    expected = {p: int(c) for p, c in zip(PERSONAS, codes, strict=True)}
    return Case(route_name, method, path, expected, body, upload, plugin)


MCQ = {"text": "3 + 4?", "type": "mcq", "marks": 1, "options": ["6", "7"], "correct_answer": 1}

# Common rows, personas in order: anon student other_student teacher other_teacher admin.
#: Anyone, signed in or not, gets the same answer.
PUBLIC = "200 200 200 200 200 200"
SIGNED_IN = "401 200 200 200 200 200"
ADMIN_ONLY = "401 403 403 403 403 200"
#: Any teacher (lists are filtered to what the caller may see); students may not.
STAFF = "401 403 403 200 200 200"
#: An object of teacher A: teacher B does not see it (404); students may not use the route.
OWNER = "401 403 403 200 404 200"
#: An attempt of student A, used through a student-only route: student B does not see it;
#: teachers may not use the route (403); admins hold every permission but have no attempt
#: of their own, so the object is not visible to them (404).
STUDENT_OWNER = "401 200 404 403 403 404"
RECIPIENT_ONLY = "401 200 404 404 404 404"
#: A public endpoint given a wrong code or reset token.
WRONG_CODE = "400 400 400 400 400 400"

CASES = [
    # -- public ----------------------------------------------------------------------------
    case("health", "GET", "/api/health", PUBLIC),
    case("openapi", "GET", "/api/openapi.json", PUBLIC),
    case("api_docs", "GET", "/api/docs", PUBLIC),
    case("__api/docs/static/", "GET", "/api/docs/static/swagger-ui.css", PUBLIC),
    # Public auth endpoints answer the same whoever calls: a token changes nothing.
    case("auth_login", "POST", "/api/auth/login", PUBLIC,
         {"email_or_reg_no": "{student_email}", "password": "{password}"}),
    case("auth_refresh", "POST", "/api/auth/refresh", "401 401 401 401 401 401",
         {"refresh_token": "not-a-token"}),
    case("auth_claim_account", "POST", "/api/auth/claim-account", PUBLIC,
         {"registration_number": "{newcomer_reg_no}", "password": "new password 1",
          "confirm_password": "new password 1"}),
    case("auth_forgot_password", "POST", "/api/auth/forgot-password", PUBLIC,
         {"email": "{student_email}"}),
    case("auth_verify_reset_code", "POST", "/api/auth/verify-reset-code", WRONG_CODE,
         {"email": "{student_email}", "code": "000000"}),
    case("auth_reset_password", "POST", "/api/auth/reset-password", WRONG_CODE,
         {"reset_token": "not-a-token", "new_password": "new password 1",
          "confirm_password": "new password 1"}),
    # -- the signed-in user ----------------------------------------------------------------
    case("auth_me", "GET", "/api/auth/me", SIGNED_IN),
    case("auth_logout", "POST", "/api/auth/logout", SIGNED_IN, {}),
    # Every signed-in user may send back their own profile unchanged (a change of what the
    # role may not edit is a 403, tests/accounts/test_own_profile.py).
    case("auth_profile", "PUT", "/api/auth/profile", SIGNED_IN, {}),
    case("auth_change_password", "POST", "/api/auth/change-password", SIGNED_IN,
         {"current_password": "{password}", "new_password": "changed password 1"}),
    # -- users (administration) ------------------------------------------------------------
    case("users", "GET", "/api/users", ADMIN_ONLY),
    case("users", "POST", "/api/users", "401 403 403 403 403 201",
         {"email": "new.teacher@school.example", "name": "New Teacher", "role": "teacher",
          "password": "teacher password"}),
    case("user", "GET", "/api/users/{teacher}", ADMIN_ONLY),
    case("user", "PUT", "/api/users/{teacher}", ADMIN_ONLY, {"name": "Renamed"}),
    case("user", "DELETE", "/api/users/{other_teacher}", ADMIN_ONLY),
    # -- teachers --------------------------------------------------------------------------
    case("teachers", "GET", "/api/teachers", STAFF),
    case("teacher", "GET", "/api/teachers/{teacher}", OWNER),
    case("teacher_classes", "GET", "/api/teachers/{teacher}/classes", OWNER),
    case("teacher_students", "GET", "/api/teachers/{teacher}/students", OWNER),
    # -- students --------------------------------------------------------------------------
    case("students", "GET", "/api/students", STAFF),
    # Teacher B names class A, which they cannot see.
    case("students", "POST", "/api/students", "401 403 403 201 404 201",
         {"name": "New Kid", "email": "kid@school.example", "registration_number": "K-1",
          "class_id": "{class}"}),
    # A student reads their own record; student B does not see student A.
    case("student", "GET", "/api/students/{student}", "401 200 404 200 404 200"),
    case("student", "PUT", "/api/students/{student}", OWNER, {"name": "Renamed"}),
    case("student", "DELETE", "/api/students/{spare_student}", OWNER),
    # -- classes ---------------------------------------------------------------------------
    case("classes", "GET", "/api/classes", STAFF),
    case("classes", "POST", "/api/classes", "401 403 403 403 403 201", {"name": "Grade 12"}),
    case("class", "GET", "/api/classes/{class}", OWNER),
    case("class", "PUT", "/api/classes/{class}", ADMIN_ONLY, {"name": "Renamed class"}),
    case("class", "DELETE", "/api/classes/{class}", ADMIN_ONLY),
    case("class_assign_teacher", "POST", "/api/classes/{class}/assign-teacher", ADMIN_ONLY,
         {"teacher_id": "{other_teacher}"}),
    case("class_teacher", "DELETE", "/api/classes/{class}/teachers/{teacher}", ADMIN_ONLY),
    case("class_assign_students", "POST", "/api/classes/{class}/assign-students",
         OWNER, {"student_ids": ["{spare_student}"]}),
    case("class_student", "DELETE", "/api/classes/{class}/students/{spare_student}",
         OWNER),
    # -- question bank ---------------------------------------------------------------------
    case("questions", "GET", "/api/questions", STAFF),
    case("questions", "POST", "/api/questions", "401 403 403 201 201 201", MCQ),
    case("question", "GET", "/api/questions/{question}", OWNER),
    case("question", "PUT", "/api/questions/{spare_question}", OWNER,
         {"topic": "Renamed topic"}),
    case("question", "DELETE", "/api/questions/{spare_question}", OWNER),
    # -- quizzes ---------------------------------------------------------------------------
    case("quizzes", "GET", "/api/quizzes", SIGNED_IN),
    # Teacher B may create quizzes, but not from teacher A's question bank: a 400 that names
    # the field, worded as for a question that does not exist.
    case("quizzes", "POST", "/api/quizzes", "401 403 403 201 400 201",
         {"title": "New quiz", "subject": "Mathematics", "time_limit_minutes": 20,
          "question_ids": ["{question}"], "class_ids": ["{class}"]}),
    # A published quiz of another class: 403 for student B, as for its access code (a
    # deliberate rule of quizcore.domain.quizzes); teacher B does not see it at all.
    case("quiz", "GET", "/api/quizzes/{quiz}", "401 200 404 200 404 200"),
    case("quiz", "PUT", "/api/quizzes/{draft}", OWNER, {"title": "Renamed quiz"}),
    case("quiz", "DELETE", "/api/quizzes/{draft}", OWNER),
    case("quiz_publish", "POST", "/api/quizzes/{draft}/publish", OWNER, {}),
    case("quiz_archive", "POST", "/api/quizzes/{quiz}/archive", OWNER, {}),
    # Opening and starting are for students; an admin passes the role check but is not a
    # student of any class (404 for the start, 403 for the access code like any staff).
    case("quiz_access", "GET", "/api/quizzes/access/{access_code}", "401 200 403 403 403 403"),
    case("quiz_start", "POST", "/api/quizzes/{quiz}/start", "401 200 404 403 403 404", {}),
    case("quiz_monitor", "GET", "/api/quizzes/{quiz}/monitor", OWNER),
    case("quiz_access_code", "POST", "/api/quizzes/{quiz}/access-code", OWNER, {}),
    # -- attempts --------------------------------------------------------------------------
    case("attempts", "GET", "/api/attempts", SIGNED_IN),
    # The owner student and the quiz's teacher read an attempt; nobody else sees it.
    case("attempt", "GET", "/api/attempts/{attempt}", "401 200 404 200 404 200"),
    case("attempt_status", "GET", "/api/attempts/{attempt}/status", STUDENT_OWNER),
    case("attempt_answer", "POST", "/api/attempts/{attempt}/answer", STUDENT_OWNER,
         {"question_id": "{question}", "answer_option": 1}),
    case("attempt_submit", "POST", "/api/attempts/{attempt}/submit", STUDENT_OWNER, {}),
    # -- exam control: the quiz's owner and admins ------------------------------------------
    case("quiz_overrides", "GET", "/api/quizzes/{quiz}/overrides", OWNER),
    case("quiz_overrides", "POST", "/api/quizzes/{quiz}/overrides", "401 403 403 201 404 201",
         {"student_id": "{student}", "extra_attempts": 1}),
    case("quiz_override", "PUT", "/api/quizzes/{quiz}/overrides/{override}", OWNER,
         {"extra_attempts": 2}),
    case("quiz_override", "DELETE", "/api/quizzes/{quiz}/overrides/{override}", OWNER),
    case("quiz_extend", "POST", "/api/quizzes/{quiz}/extend", OWNER, {"minutes": 5}),
    case("attempt_extend", "POST", "/api/attempts/{attempt}/extend", OWNER, {"minutes": 5}),
    case("attempt_force_submit", "POST", "/api/attempts/{attempt}/force-submit", OWNER,
         {"reason": "Left the room"}),
    case("attempt_reopen", "POST", "/api/attempts/{ended_attempt}/reopen", OWNER, {}),
    # The matrix's quiz starts by its window: releasing it is a 409 for those who may.
    case("quiz_release", "POST", "/api/quizzes/{quiz}/release", "401 403 403 409 404 409", {}),
    case("quiz_release_state", "GET", "/api/quizzes/{quiz}/release-state",
         "401 200 404 200 404 200"),
    # -- plugins ---------------------------------------------------------------------------
    case("grading_pending", "GET", "/api/grading/pending", STAFF, plugin=GRADING),
    case("grading_graded", "GET", "/api/grading/graded", STAFF, plugin=GRADING),
    case("grading_attempt", "GET", "/api/grading/attempts/{ended_attempt}", OWNER,
         plugin=GRADING),
    case("grading_attempt_grade", "POST", "/api/grading/attempts/{ended_attempt}/grade",
         OWNER, {"grades": [{"answer_id": "{essay_answer}", "marks_awarded": 2,
                             "feedback": "Good"}]}, plugin=GRADING),
    case("grading_quiz_regrade", "POST", "/api/grading/quizzes/{quiz}/regrade", OWNER,
         {}, plugin=GRADING),
    case("anticheat_attempt_violations", "POST", "/api/attempts/{attempt}/violations",
         STUDENT_OWNER, {"violation_type": "tab_switch", "question_index": 0},
         plugin=ANTICHEAT),
    case("anticheat_quiz_violations", "GET", "/api/quizzes/{quiz}/violations", OWNER,
         plugin=ANTICHEAT),
    case("anticheat_spa_log_violation", "POST", "/api/attempts/{attempt}/log-violation",
         STUDENT_OWNER, {"violation_type": "TAB_SWITCH", "timestamp": "2026-01-05T10:00:00Z"},
         plugin=ANTICHEAT),
    case("anticheat_spa_verify_access_code", "POST",
         "/api/attempts/{attempt}/verify-access-code", STUDENT_OWNER,
         {"accessCode": "{access_code}", "deviceInfo": {"userAgent": "Mozilla/5.0"}},
         plugin=ANTICHEAT),
    case("anticheat_spa_violation_report", "GET", "/api/attempts/{attempt}/violation-report",
         "401 200 404 200 404 200", plugin=ANTICHEAT),
    case("anticheat_spa_device_info", "GET", "/api/attempts/{attempt}/device-info",
         "401 200 404 200 404 200", plugin=ANTICHEAT),
    case("notifications", "GET", "/api/notifications", SIGNED_IN, plugin=NOTIFICATIONS),
    case("notifications_unread_count", "GET", "/api/notifications/unread-count", SIGNED_IN,
         plugin=NOTIFICATIONS),
    case("spa_admin_dashboard_stats", "GET", "/api/admin/dashboard/stats", ADMIN_ONLY,
         plugin=SPA),
    case("spa_teacher_dashboard", "GET", "/api/teacher/dashboard", STAFF, plugin=SPA),
    case("spa_teacher_quizzes", "GET", "/api/teacher/quizzes?page=1&per_page=10", STAFF,
         plugin=SPA),
    case("spa_teacher_classes", "GET", "/api/teacher/classes", STAFF, plugin=SPA),
    case("spa_quiz_attempts", "GET", "/api/attempts/quiz/{quiz}", OWNER, plugin=SPA),
    case("spa_teacher_students", "GET", "/api/teacher/students", STAFF, plugin=SPA),
    # spa_compat question bank: the canonical /api/questions and /api/quizzes/{id} answer
    # (teacher B does not see teacher A's questions and quizzes: 404).
    case("spa_question_bank", "GET", "/api/quizzes/questions?page=1&per_page=20", STAFF,
         plugin=SPA),
    case("spa_question_bank", "POST", "/api/quizzes/questions", "401 403 403 201 201 201",
         {"type": "mcq", "text": "3 + 4?", "topic": "Sums", "difficulty": "easy", "marks": 1,
          "options": ["6", "7"], "correct_answer": 1}, plugin=SPA),
    case("spa_question_bank_item", "PUT", "/api/quizzes/questions/{spare_question}", OWNER,
         {"type": "mcq", "text": "3 + 5?", "topic": "Sums", "difficulty": "easy", "marks": 1,
          "options": ["8", "9"], "correct_answer": 0}, plugin=SPA),
    case("spa_question_bank_item", "DELETE", "/api/quizzes/questions/{spare_question}", OWNER,
         plugin=SPA),
    case("spa_quiz_add_question", "POST", "/api/quizzes/{draft}/questions",
         "401 403 403 201 404 201", {"question_id": "{spare_question}"}, plugin=SPA),
    case("spa_teacher_quiz", "GET", "/api/teacher/quizzes/{quiz}?include_questions=true",
         OWNER, plugin=SPA),
    case("spa_teacher_quiz_access_code", "POST", "/api/teacher/quizzes/{quiz}/access-code",
         OWNER, {}, plugin=SPA),
    case("spa_admin_users", "GET", "/api/admin/users?page=1&per_page=50", ADMIN_ONLY,
         plugin=SPA),
    case("spa_admin_users", "POST", "/api/admin/users", "401 403 403 403 403 201",
         {"name": "New Teacher", "email": "new.teacher@school.example", "role": "teacher",
          "subject": "Art"}, plugin=SPA),
    case("spa_admin_user", "PUT", "/api/admin/users/{teacher}", ADMIN_ONLY,
         {"name": "Renamed"}, plugin=SPA),
    case("spa_admin_user", "DELETE", "/api/admin/users/{other_teacher}", ADMIN_ONLY,
         plugin=SPA),
    case("spa_admin_user_toggle_active", "POST", "/api/admin/users/{teacher}/toggle-active",
         ADMIN_ONLY, {}, plugin=SPA),
    case("spa_admin_classes", "GET", "/api/admin/classes", ADMIN_ONLY, plugin=SPA),
    case("spa_admin_classes", "POST", "/api/admin/classes", "401 403 403 403 403 201",
         {"name": "Grade 12", "section": None}, plugin=SPA),
    case("spa_admin_class", "PUT", "/api/admin/classes/{class}", ADMIN_ONLY,
         {"name": "Renamed class"}, plugin=SPA),
    case("spa_admin_class", "DELETE", "/api/admin/classes/{class}", ADMIN_ONLY, plugin=SPA),
    case("spa_admin_class_assign_teacher", "POST", "/api/admin/classes/{class}/assign-teacher",
         ADMIN_ONLY, {"teacher_id": "{other_teacher}"}, plugin=SPA),
    case("spa_admin_class_assign_student", "POST", "/api/admin/classes/{class}/assign-student",
         ADMIN_ONLY, {"student_id": "{spare_student}"}, plugin=SPA),
    case("spa_auth_register", "POST", "/api/auth/register", "403 403 403 403 403 403",
         {"email": "new@school.example", "password": "x", "name": "New", "role": "admin"},
         plugin=SPA),
    case("spa_student_dashboard", "GET", "/api/student/dashboard",
         "401 200 200 403 403 403", plugin=SPA),
    case("spa_student_quizzes", "GET", "/api/student/quizzes", "401 200 200 403 403 403",
         plugin=SPA),
    case("spa_student_results", "GET", "/api/student/results?page=1&per_page=10",
         "401 200 200 403 403 403", plugin=SPA),
    case("spa_student_start", "POST", "/api/student/quiz/{quiz}/start",
         "401 200 404 403 403 403", {}, plugin=SPA),
    case("spa_student_answer", "POST", "/api/student/attempt/{attempt}/answer",
         "401 200 404 403 403 403", {"question_id": "{question}", "answer": 1}, plugin=SPA),
    case("spa_student_submit", "POST", "/api/student/attempt/{attempt}/submit",
         "401 200 404 403 403 403", {}, plugin=SPA),
    # A student reads their own; staff get the canonical list filtered to that student.
    case("spa_student_attempts", "GET", "/api/attempts/student/{student}",
         "401 200 404 200 200 200", plugin=SPA),
    # -- spa_compat teacher tools: more attempts (over the core's grant-attempts) and the
    # SPA's grading calls (served by the grading plugin) ----------------------------------
    case("quiz_grant_attempts", "POST", "/api/quizzes/{quiz}/grant-attempts", OWNER,
         {"student_id": "{student}", "additional_attempts": 1, "reason": "Power cut"}),
    case("spa_reset_student_attempts", "POST",
         "/api/attempts/student/{student}/quiz/{quiz}/reset", OWNER,
         {"additional_attempts": 1, "reason": "Power cut"}, plugin=SPA),
    case("spa_reset_quiz_attempts", "POST", "/api/attempts/quiz/{quiz}/reset", OWNER,
         {"additional_attempts": 1, "reason": "Power cut"}, plugin=SPA),
    case("grading_statistics", "GET", "/api/grading/statistics", STAFF, plugin=GRADING),
    case("grading_spa_grade_attempt", "POST", "/api/grading/attempt/{ended_attempt}", OWNER,
         {"grades": [{"question_id": "{essay}", "marks_awarded": 2, "feedback": "Good"}]},
         plugin=GRADING),
    case("grading_spa_grade_answer", "POST", "/api/teacher/grade-answer", OWNER,
         {"attempt_id": "{ended_attempt}", "question_id": "{essay}", "marks_awarded": 2,
          "feedback": "Good"}, plugin=GRADING),
    case("grading_spa_teacher_pending", "GET", "/api/teacher/grading/pending?page=1&per_page=20",
         STAFF, plugin=GRADING),
    case("notifications_read_all", "POST", "/api/notifications/read-all", SIGNED_IN, {},
         plugin=NOTIFICATIONS),
    # Student A's notification: nobody else sees it, admins included.
    case("notification", "DELETE", "/api/notifications/{notification}", RECIPIENT_ONLY,
         plugin=NOTIFICATIONS),
    case("notification_read", "POST", "/api/notifications/{notification}/read",
         RECIPIENT_ONLY, {}, plugin=NOTIFICATIONS),
    case("audit_logs", "GET", "/api/audit-logs", ADMIN_ONLY, plugin=AUDIT),
    # Teacher B's import names class A: a row error in a 200 report (see the test below).
    case("csv_import_students", "POST", "/api/students/bulk-import", STAFF,
         upload=STUDENTS_CSV, plugin=CSV_IMPORT),
    case("csv_import_questions", "POST", "/api/questions/bulk-import", STAFF,
         upload=QUESTIONS_CSV, plugin=CSV_IMPORT),
    case("interchange_import", "POST", "/api/questions/import?format=gift", STAFF,
         upload=QUESTIONS_GIFT, plugin=CSV_IMPORT),
    # Each teacher exports their own bank (an administrator every bank).
    case("interchange_export", "GET", "/api/questions/export?format=gift", STAFF,
         plugin=CSV_IMPORT),
    case("exports_students", "GET", "/api/exports/students?class_id={class}", OWNER,
         plugin=EXPORTS),
    case("exports_students_alias", "GET", "/api/students/export?class_id={class}",
         OWNER, plugin=EXPORTS),
    case("exports_quiz_results", "GET", "/api/exports/quiz/{quiz}/results", OWNER,
         plugin=EXPORTS),
    # A student downloads their own attempt; the quiz's teacher and admins do too.
    case("exports_attempt_pdf", "GET", "/api/exports/attempts/{ended_attempt}/pdf",
         "401 200 404 200 404 200", plugin=EXPORTS),
    # The analytics download on the exports path: served by the analytics plugin.
    case("exports_analytics", "GET", "/api/exports/analytics/{quiz}", OWNER,
         plugin=ANALYTICS),
    case("analytics_admin", "GET", "/api/analytics/admin", ADMIN_ONLY, plugin=ANALYTICS),
    case("analytics_teacher", "GET", "/api/analytics/teacher/{teacher}", OWNER,
         plugin=ANALYTICS),
    case("analytics_student", "GET", "/api/analytics/student/{student}", "401 200 404 200 404 200",
         plugin=ANALYTICS),
    case("analytics_quiz", "GET", "/api/analytics/quiz/{quiz}", OWNER,
         plugin=ANALYTICS),
    case("analytics_quiz_export", "GET", "/api/analytics/quiz/{quiz}/export", OWNER,
         plugin=ANALYTICS),
]


def call(testapp, case: Case, world, persona: str, auth, status):
    """Send ``case`` as ``persona``; ``status`` is what WebTest must see (``"*"``: any)."""
    user = world.users[persona]
    headers = auth(user) if user is not None else {}
    path = fill(case.path, world.ids)
    if case.upload is not None:
        return testapp.post(path, upload_files=[case.upload], headers=headers, status=status)
    if case.method in ("GET", "DELETE"):
        return getattr(testapp, case.method.lower())(path, headers=headers, status=status)
    send = {"POST": testapp.post_json, "PUT": testapp.put_json, "PATCH": testapp.patch_json}
    return send[case.method](path, fill(case.body, world.ids), headers=headers, status=status)


PARAMS = [pytest.param(c, persona, id=f"{c.id} as {persona}",
                       marks=[pytest.mark.plugin(c.plugin)] if c.plugin else [])
          for c in CASES for persona in PERSONAS]


@pytest.mark.parametrize("case, persona", PARAMS)
def test_matrix(app, testapp, dbsession, auth, case, persona):
    if (case.route, case.method) not in exposed_operations(app.registry):
        pytest.skip(f"{case.plugin} is not enabled in this run")
    world = build_world()
    expected = case.expected[persona]
    response = call(testapp, case, world, persona, auth, expected)
    if expected >= 400:
        assert_error(response, expected)


def test_every_exposed_route_is_declared(app):
    """A route the application serves but the table does not declare fails here: add a row
    that says who may use it."""
    declared = {(c.route, c.method) for c in CASES}
    missing = sorted(set(exposed_operations(app.registry)) - declared)
    assert not missing, f"routes without a row in the authorisation matrix: {missing}"


def test_every_declared_route_exists(app):
    """A row for a route the application does not serve is stale, unless the row's plugin is
    disabled in this run (make test-plugins-off)."""
    exposed = exposed_operations(app.registry)
    enabled = set(app.registry.settings["quizcore.plugins"])
    stale = [c.id for c in CASES if (c.route, c.method) not in exposed
             and (c.plugin is None or c.plugin in enabled)]
    assert not stale, f"rows for routes this application does not serve: {stale}"


def test_each_row_names_its_route_and_plugin(app):
    """The concrete path of a row is served by the route it names, and a row is marked with
    the plugin that serves it (so make test-plugins-off skips exactly the right rows)."""
    exposed = exposed_operations(app.registry)
    ids = {name: "x" for name in _placeholders()}
    for c in CASES:
        if (c.route, c.method) not in exposed:
            continue
        path = fill(c.path, ids).split("?")[0]
        assert route(app.registry, c.route).match(path) is not None, c.id
        assert plugin_of(exposed[(c.route, c.method)]) == c.plugin, c.id


def _placeholders() -> set[str]:
    import string

    names = set()
    for c in CASES:
        names |= {field for _, field, _, _ in string.Formatter().parse(c.path) if field}
    return names


@pytest.mark.plugin(CSV_IMPORT)
def test_an_import_into_another_teachers_class_imports_nothing(testapp, dbsession, auth):
    """The 200 teacher B gets for an import naming class A (above) reports a row error."""
    world = build_world()
    body = testapp.post("/api/students/bulk-import", upload_files=[STUDENTS_CSV],
                        headers=auth(world.users["other_teacher"])).json
    assert (body["imported"], body["failed"]) == (0, 1), body
