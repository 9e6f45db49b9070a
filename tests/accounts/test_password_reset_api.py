"""Forgot / verify / reset password over HTTP, with the code read from the test outbox."""

from __future__ import annotations

import re

import pytest

from quizcore.models import PasswordResetToken
from tests import factories
from tests.helpers import assert_error

from .conftest import bearer, login_body

NEW_PASSWORD = "a fresh new password"


def request_code(testapp, outbox, email) -> str:
    before = len(outbox)
    testapp.post_json("/api/auth/forgot-password", {"email": email})
    assert len(outbox) == before + 1, "no mail was sent"
    return re.search(r"\b(\d{6})\b", outbox[-1].get_body(("plain",)).get_content()).group(1)


def other_code(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def verify(testapp, email, code, status=200):
    return testapp.post_json("/api/auth/verify-reset-code", {"email": email, "code": code},
                             status=status)


def reset(testapp, token, password=NEW_PASSWORD, status=200):
    return testapp.post_json("/api/auth/reset-password", {
        "reset_token": token, "new_password": password, "confirm_password": password},
        status=status)


def test_full_reset_flow(testapp, outbox, teacher):
    code = request_code(testapp, outbox, teacher.email.upper())
    mail = outbox[-1]
    assert mail["To"] == teacher.email and "reset code" in mail["Subject"]
    token = verify(testapp, teacher.email, code).json["reset_token"]
    reset(testapp, token)
    testapp.post_json("/api/auth/login", login_body(teacher.email), status=401)
    testapp.post_json("/api/auth/login", login_body(teacher.email, NEW_PASSWORD))


def test_forgot_password_answers_the_same_for_unknown_addresses(testapp, outbox, teacher):
    known = testapp.post_json("/api/auth/forgot-password", {"email": teacher.email})
    unknown = testapp.post_json("/api/auth/forgot-password", {"email": "ghost@school.example"})
    assert known.status_code == unknown.status_code == 200
    assert known.json == unknown.json
    assert [m["To"] for m in outbox] == [teacher.email]


def test_no_code_for_inactive_or_unclaimed_accounts(testapp, outbox, school_class, dbsession):
    inactive = factories.TeacherFactory(is_active=False)
    unclaimed = factories.StudentFactory(school_class=school_class, claimed=False)
    for user in (inactive, unclaimed):
        testapp.post_json("/api/auth/forgot-password", {"email": user.email})
    assert outbox == []
    assert dbsession.query(PasswordResetToken).count() == 0


def test_mail_is_sent_only_after_commit(events_app, outbox, teacher, events, monkeypatch):
    """A failing in-transaction subscriber rolls the request back: no mail leaves."""
    from quizcore.events import PasswordResetRequested

    client, _ = events
    registry = events_app.registry

    def veto(event):
        if isinstance(event, PasswordResetRequested):
            raise RuntimeError("subscriber failure")

    registry.registerHandler(veto, (PasswordResetRequested,))
    try:
        client.post_json("/api/auth/forgot-password", {"email": teacher.email}, status=500)
    finally:
        registry.unregisterHandler(veto, (PasswordResetRequested,))
    # The events app shares the null mailer class, not the instance: read its own outbox.
    assert registry["quizcore.mail"].mailer.outbox == []


def test_wrong_code_is_a_400_and_is_counted(testapp, outbox, teacher, dbsession):
    code = request_code(testapp, outbox, teacher.email)
    body = assert_error(verify(testapp, teacher.email, other_code(code), status=400), 400)
    assert body["errors"][0]["name"] == "code"
    row = dbsession.query(PasswordResetToken).filter_by(user_id=teacher.id).one()
    dbsession.refresh(row)
    assert row.failed_attempts == 1  # committed although the answer was an error


def test_sixth_try_fails_even_with_the_right_code(app_with, teacher):
    # More verifications per address than the default limit allows within 15 minutes.
    testapp = app_with(**{"quizcore.ratelimit_reset_per_email": "20/15minutes"})
    outbox = testapp.app.registry["quizcore.mail"].mailer.outbox
    outbox.clear()
    code = request_code(testapp, outbox, teacher.email)
    for _ in range(5):
        verify(testapp, teacher.email, other_code(code), status=400)
    assert_error(verify(testapp, teacher.email, code, status=400), 400)
    # A new code works again.
    fresh = request_code(testapp, outbox, teacher.email)
    verify(testapp, teacher.email, fresh)


def test_only_the_newest_code_is_accepted(testapp, outbox, teacher):
    first = request_code(testapp, outbox, teacher.email)
    second = request_code(testapp, outbox, teacher.email)
    if first != second:
        verify(testapp, teacher.email, first, status=400)
    verify(testapp, teacher.email, second)


def test_unknown_email_gets_the_same_400_as_a_wrong_code(testapp, outbox, teacher):
    code = request_code(testapp, outbox, teacher.email)
    wrong = verify(testapp, teacher.email, other_code(code), status=400).json
    unknown = verify(testapp, "ghost@school.example", code, status=400).json
    assert wrong == unknown


@pytest.mark.parametrize("code", ["12345", "1234567", "abcdef", ""])
def test_malformed_codes_are_validation_errors(testapp, code):
    assert_error(verify(testapp, "someone@school.example", code, status=400), 400)


def test_reset_token_is_single_use_and_ends_all_sessions(testapp, outbox, teacher, sign_in,
                                                         events):
    session = sign_in(teacher)
    code = request_code(testapp, outbox, teacher.email)
    token = verify(testapp, teacher.email, code).json["reset_token"]
    reset(testapp, token)
    testapp.get("/api/auth/me", headers=bearer(session["access_token"]), status=401)
    testapp.post_json("/api/auth/refresh", {"refresh_token": session["refresh_token"]},
                      status=401)
    body = assert_error(reset(testapp, token, password="yet another password", status=400), 400)
    assert body["errors"][0]["name"] == "reset_token"
    testapp.post_json("/api/auth/login", login_body(teacher.email, NEW_PASSWORD))


def test_reset_with_email_and_code_directly(testapp, outbox, teacher):
    code = request_code(testapp, outbox, teacher.email)
    testapp.post_json("/api/auth/reset-password", {
        "email": teacher.email, "code": code, "new_password": NEW_PASSWORD})
    testapp.post_json("/api/auth/login", login_body(teacher.email, NEW_PASSWORD))
    # The code is used up.
    testapp.post_json("/api/auth/reset-password", {
        "email": teacher.email, "code": code, "new_password": "another password"}, status=400)


def test_reset_refuses_a_weak_password_without_using_the_token(testapp, outbox, teacher):
    code = request_code(testapp, outbox, teacher.email)
    token = verify(testapp, teacher.email, code).json["reset_token"]
    body = assert_error(reset(testapp, token, password="short", status=400), 400)
    assert body["errors"][0]["name"] == "new_password"
    reset(testapp, "x" * 80 + "é", status=400)
    reset(testapp, token)  # still usable


def test_reset_needs_a_token_or_email_and_code(testapp):
    body = assert_error(testapp.post_json("/api/auth/reset-password", {
        "new_password": NEW_PASSWORD}, status=400), 400)
    assert body["errors"][0]["name"] == "reset_token"


def test_reset_events(events, outbox, teacher, events_app):
    client, log = events
    mailer = events_app.registry["quizcore.mail"].mailer
    mailer.clear()
    code = request_code(client, mailer.outbox, teacher.email)
    token = verify(client, teacher.email, code).json["reset_token"]
    reset(client, token)
    assert [e.user_id for e in log.named("auth.password_reset_requested")] == [teacher.id]
    assert [(e.user_id, e.via) for e in log.named("auth.password_changed")] == \
        [(teacher.id, "reset")]
    for event in log.committed:
        assert code not in repr(event.payload())
