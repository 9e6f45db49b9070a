"""/api/auth: login, refresh, logout, me, change-password, claim-account over HTTP."""

from __future__ import annotations

from quizcore.domain import passwords
from quizcore.models import RefreshToken, User
from tests import factories
from tests.helpers import assert_error

from .conftest import bearer, login_body

INVALID = "Incorrect e-mail/registration number or password."


# -- login -----------------------------------------------------------------------------------


def test_login_returns_tokens_and_the_user(testapp, teacher, dbsession):
    body = testapp.post_json("/api/auth/login", login_body(teacher.email.upper())).json
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3600
    assert body["user"] == {"id": teacher.id, "email": teacher.email, "name": teacher.name,
                            "role": "teacher"}
    me = testapp.get("/api/auth/me", headers=bearer(body["access_token"])).json
    assert me["id"] == teacher.id
    dbsession.refresh(teacher)
    assert teacher.last_login is not None
    stored = dbsession.query(RefreshToken).filter_by(user_id=teacher.id).one()
    assert stored.token != body["refresh_token"]


def test_login_accepts_email_as_an_alias(testapp, teacher):
    body = testapp.post_json("/api/auth/login", {"email": teacher.email,
                                                 "password": factories.PASSWORD}).json
    assert body["user"]["id"] == teacher.id


def test_login_needs_an_identifier(testapp):
    body = assert_error(testapp.post_json("/api/auth/login", {"password": "x"}, status=400), 400)
    assert body["errors"][0]["name"] == "email_or_reg_no"


def test_student_logs_in_with_a_registration_number_of_any_format(testapp, school_class):
    user = factories.StudentFactory(school_class=school_class, registration_number="9b/2024-17")
    body = testapp.post_json("/api/auth/login", login_body("9B/2024-17")).json
    assert body["user"]["id"] == user.id
    assert body["user"]["registration_number"] == "9b/2024-17"


def test_unknown_user_and_wrong_password_get_the_same_401(testapp, teacher):
    unknown = testapp.post_json("/api/auth/login", login_body("ghost@school.example"),
                                status=401)
    wrong = testapp.post_json("/api/auth/login", login_body(teacher.email, "wrong password"),
                              status=401)
    assert assert_error(unknown, 401) == assert_error(wrong, 401)
    assert unknown.json["message"] == INVALID


def test_inactive_account_gets_403(testapp, teacher, dbsession):
    teacher.is_active = False
    dbsession.flush()
    body = assert_error(testapp.post_json("/api/auth/login", login_body(teacher.email),
                                          status=403), 403)
    assert body["reason"] == "inactive"


def test_unclaimed_student_gets_403(testapp, school_class):
    user = factories.StudentFactory(school_class=school_class, claimed=False)
    body = assert_error(testapp.post_json("/api/auth/login", login_body(user.email, "anything"),
                                          status=403), 403)
    assert body["reason"] == "unclaimed"


def test_login_rehashes_when_the_cost_setting_changed(app_with, teacher, dbsession):
    app_with(**{"quizcore.bcrypt_rounds": "5"}).post_json("/api/auth/login",
                                                          login_body(teacher.email))
    dbsession.refresh(teacher)
    assert passwords.hash_rounds(teacher.password_hash) == 5


def test_login_events_are_emitted_and_a_failed_login_commits(events, teacher):
    client, log = events
    client.post_json("/api/auth/login", login_body(teacher.email, "wrong"), status=401)
    client.post_json("/api/auth/login", login_body("ghost@school.example"), status=401)
    client.post_json("/api/auth/login", login_body(teacher.email))
    failed = log.named("auth.login_failed")
    # After-commit events prove the failed logins' transactions committed.
    assert [(e.user_id, e.reason) for e in failed] == [
        (teacher.id, "invalid_credentials"), (None, "invalid_credentials")]
    assert [e.user_id for e in log.named("auth.login")] == [teacher.id]


# -- refresh ---------------------------------------------------------------------------------


def test_refresh_rotates_and_old_token_is_refused(testapp, teacher, sign_in):
    tokens = sign_in(teacher)
    fresh = testapp.post_json("/api/auth/refresh", {"refresh_token": tokens["refresh_token"]}).json
    assert fresh["token_type"] == "bearer" and fresh["expires_in"] == 3600
    assert fresh["refresh_token"] != tokens["refresh_token"]
    testapp.get("/api/auth/me", headers=bearer(fresh["access_token"]), status=200)
    # The rotated-out token is refused, and its reuse kills the family: the new one too.
    reuse = testapp.post_json("/api/auth/refresh", {"refresh_token": tokens["refresh_token"]},
                              status=401)
    assert assert_error(reuse, 401)["reason"] == "reused"
    revoked = testapp.post_json("/api/auth/refresh", {"refresh_token": fresh["refresh_token"]},
                                status=401)
    assert revoked.json["reason"] == "revoked"


def test_refresh_accepts_the_token_as_a_bearer_header(testapp, teacher, sign_in):
    tokens = sign_in(teacher)
    fresh = testapp.post("/api/auth/refresh", headers=bearer(tokens["refresh_token"])).json
    testapp.get("/api/auth/me", headers=bearer(fresh["access_token"]), status=200)


def test_refresh_without_a_token_is_a_400(testapp):
    assert_error(testapp.post_json("/api/auth/refresh", {}, status=400), 400)


def test_refresh_with_an_unknown_token_is_a_401(testapp):
    body = assert_error(testapp.post_json("/api/auth/refresh", {"refresh_token": "nope"},
                                          status=401), 401)
    assert body["reason"] == "unknown"


def test_deactivated_user_cannot_refresh(testapp, admin, teacher, sign_in, auth):
    tokens = sign_in(teacher)
    testapp.put_json(f"/api/users/{teacher.id}", {"is_active": False}, headers=auth(admin))
    testapp.post_json("/api/auth/refresh", {"refresh_token": tokens["refresh_token"]},
                      status=401)
    testapp.get("/api/auth/me", headers=bearer(tokens["access_token"]), status=401)


# -- logout ----------------------------------------------------------------------------------


def test_logout_revokes_this_session_and_the_access_token(testapp, teacher, sign_in):
    laptop, phone = sign_in(teacher), sign_in(teacher)
    testapp.post_json("/api/auth/logout", {"refresh_token": laptop["refresh_token"]},
                      headers=bearer(laptop["access_token"]))
    testapp.get("/api/auth/me", headers=bearer(laptop["access_token"]), status=401)
    testapp.post_json("/api/auth/refresh", {"refresh_token": laptop["refresh_token"]},
                      status=401)
    # The phone's access token stopped too (token version), but its refresh token works.
    testapp.get("/api/auth/me", headers=bearer(phone["access_token"]), status=401)
    fresh = testapp.post_json("/api/auth/refresh",
                              {"refresh_token": phone["refresh_token"]}).json
    testapp.get("/api/auth/me", headers=bearer(fresh["access_token"]), status=200)


def test_logout_without_a_refresh_token_ends_every_session(testapp, teacher, sign_in):
    laptop, phone = sign_in(teacher), sign_in(teacher)
    testapp.post("/api/auth/logout", headers=bearer(laptop["access_token"]))
    for session in (laptop, phone):
        testapp.post_json("/api/auth/refresh", {"refresh_token": session["refresh_token"]},
                          status=401)


def test_logout_with_only_a_refresh_token_works_after_the_access_token_expired(testapp, teacher,
                                                                             sign_in):
    tokens = sign_in(teacher)
    testapp.post_json("/api/auth/logout", {"refresh_token": tokens["refresh_token"]})
    testapp.post_json("/api/auth/refresh", {"refresh_token": tokens["refresh_token"]},
                      status=401)


def test_anonymous_logout_is_a_401(testapp):
    assert_error(testapp.post_json("/api/auth/logout", {}, status=401), 401)


def test_logout_emits_logged_out(events, teacher, sign_in):
    client, log = events
    tokens = sign_in(teacher, app=client)
    client.post_json("/api/auth/logout", {"refresh_token": tokens["refresh_token"]})
    assert [e.user_id for e in log.named("auth.logout")] == [teacher.id]


# -- me --------------------------------------------------------------------------------------


def test_me_for_a_student(testapp, student, school_class, auth):
    body = testapp.get("/api/auth/me", headers=auth(student)).json
    assert body["registration_number"] == student.student.registration_number
    assert body["class_id"] == school_class.id and body["class_name"] == school_class.name
    assert body["is_account_claimed"] is True
    assert "password_hash" not in body


def test_me_for_a_teacher_lists_their_classes(testapp, teacher, school_class, auth):
    body = testapp.get("/api/auth/me", headers=auth(teacher)).json
    assert body["subject"] == "Mathematics"
    assert [c["id"] for c in body["classes"]] == [school_class.id]
    for field in ("phone", "department", "bio"):
        assert field in body


# -- change password -------------------------------------------------------------------------


def test_change_password_ends_other_sessions_and_keeps_this_one(testapp, teacher, sign_in,
                                                                dbsession):
    this, other = sign_in(teacher), sign_in(teacher)
    body = testapp.post_json("/api/auth/change-password",
                             {"current_password": factories.PASSWORD,
                              "new_password": "a much better password"},
                             headers=bearer(this["access_token"])).json
    for old in (this, other):
        testapp.get("/api/auth/me", headers=bearer(old["access_token"]), status=401)
        testapp.post_json("/api/auth/refresh", {"refresh_token": old["refresh_token"]},
                          status=401)
    testapp.get("/api/auth/me", headers=bearer(body["access_token"]), status=200)
    testapp.post_json("/api/auth/refresh", {"refresh_token": body["refresh_token"]}, status=200)
    testapp.post_json("/api/auth/login", login_body(teacher.email), status=401)
    testapp.post_json("/api/auth/login", login_body(teacher.email, "a much better password"))


def test_change_password_with_a_wrong_current_password_is_a_400(testapp, teacher, auth,
                                                                dbsession):
    before = teacher.password_hash
    body = assert_error(testapp.post_json("/api/auth/change-password", {
        "current_password": "not it", "new_password": "a much better password"},
        headers=auth(teacher), status=400), 400)
    assert body["errors"][0]["name"] == "current_password"
    dbsession.refresh(teacher)
    assert teacher.password_hash == before


def test_password_policy_is_a_400_naming_the_field(testapp, teacher, auth):
    for weak in ("short", "é" * 40):  # too short; 80 bytes > 72
        body = assert_error(testapp.post_json("/api/auth/change-password", {
            "current_password": factories.PASSWORD, "new_password": weak},
            headers=auth(teacher), status=400), 400)
        assert body["errors"][0]["name"] == "new_password"


def test_confirm_password_must_match_when_sent(testapp, teacher, auth):
    body = assert_error(testapp.post_json("/api/auth/change-password", {
        "current_password": factories.PASSWORD, "new_password": "a much better password",
        "confirm_password": "something else"}, headers=auth(teacher), status=400), 400)
    assert body["errors"][0]["name"] == "confirm_password"


def test_change_password_emits_password_changed(events, teacher, auth):
    client, log = events
    client.post_json("/api/auth/change-password", {
        "current_password": factories.PASSWORD, "new_password": "a much better password"},
        headers=auth(teacher))
    assert [(e.user_id, e.via) for e in log.named("auth.password_changed")] == \
        [(teacher.id, "change")]


# -- claim -----------------------------------------------------------------------------------


def claim(testapp, number, password="my first password", confirm=None,  # noqa: S107
          status=200):
    return testapp.post_json("/api/auth/claim-account", {
        "registration_number": number, "password": password,
        "confirm_password": confirm or password}, status=status)


def test_claim_then_login(testapp, school_class, events, dbsession):
    client, log = events
    user = factories.StudentFactory(school_class=school_class, claimed=False,
                                    registration_number="STU-2024-001")
    body = claim(client, "stu-2024-001").json
    assert body["user"]["id"] == user.id
    client.post_json("/api/auth/login", login_body("STU-2024-001", "my first password"))
    assert [e.user_id for e in log.named("auth.account_claimed")] == [user.id]


def test_claim_refusals(testapp, school_class, student):
    unclaimed = factories.StudentFactory(school_class=school_class, claimed=False)
    number = unclaimed.student.registration_number
    assert_error(claim(testapp, "no-such-number", status=404), 404)
    body = assert_error(claim(testapp, student.student.registration_number, status=400), 400)
    assert body["reason"] == "already_claimed"
    body = assert_error(claim(testapp, number, confirm="different one", status=400), 400)
    assert body["errors"][0]["name"] == "confirm_password"
    assert_error(claim(testapp, number, password="short", status=400), 400)
    # None of the refusals claimed the account.
    testapp.post_json("/api/auth/login", login_body(number, "my first password"), status=403)


def test_claim_by_an_inactive_student_is_a_403(testapp, school_class):
    user = factories.StudentFactory(school_class=school_class, claimed=False, is_active=False)
    assert_error(claim(testapp, user.student.registration_number, status=403), 403)


def test_unknown_registration_numbers_count_against_the_client_address(testapp, redis):
    assert_error(claim(testapp, "guess-1", status=404), 404)
    assert any("login_per_ip" in key for key in redis.keys("quizcore:ratelimit*"))


def test_user_rows_never_expose_password_hashes(testapp, admin, teacher, auth):
    text = testapp.get(f"/api/users/{teacher.id}", headers=auth(admin)).text
    assert teacher.password_hash not in text and "password" not in text


def test_user_model_has_no_plain_password_attribute():
    assert not hasattr(User, "password")


def test_overlong_password_at_login_is_a_401_not_a_crash(testapp, teacher):
    assert_error(testapp.post_json("/api/auth/login", login_body(teacher.email, "x" * 100),
                                   status=401), 401)
    assert_error(testapp.post_json("/api/auth/login", login_body(teacher.email, "é" * 500),
                                   status=401), 401)
