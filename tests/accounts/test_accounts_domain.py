"""The account rules of quizcore.domain.accounts, called directly (no HTTP)."""

from __future__ import annotations

import datetime as dt

import jwt
import pytest

from quizcore.domain import classes, login, password_reset, passwords, people, sessions
from quizcore.domain.login import LoginOutcome
from quizcore.domain.password_reset import CodeOutcome
from quizcore.domain.people import RemovalProblem
from quizcore.domain.sessions import RefreshOutcome
from quizcore.models import UNUSABLE_PASSWORD, QuizAttempt, RefreshToken, utcnow
from tests import factories

SECRET = "x" * 64
LIFETIME = 3600


# -- login -----------------------------------------------------------------------------------


def test_login_by_email_ignores_case_and_spaces(dbsession, teacher):
    result = login.authenticate(dbsession, f"  {teacher.email.upper()} ", factories.PASSWORD,
                                rounds=4)
    assert result.ok and result.user is teacher
    assert teacher.last_login is not None


def test_login_by_registration_number_of_any_format_ignores_case(dbsession, school_class):
    user = factories.StudentFactory(school_class=school_class,
                                    registration_number="2024/Grade-9/017")
    result = login.authenticate(dbsession, "2024/grade-9/017", factories.PASSWORD, rounds=4)
    assert result.ok and result.user is user


def test_unknown_user_and_wrong_password_are_the_same_outcome(dbsession, teacher):
    unknown = login.authenticate(dbsession, "nobody@school.example", "whatever", rounds=4)
    wrong = login.authenticate(dbsession, teacher.email, "not the password", rounds=4)
    assert unknown.outcome is wrong.outcome is LoginOutcome.INVALID
    assert unknown.user is None and wrong.user is teacher
    assert teacher.last_login is None


def test_unknown_user_still_spends_a_bcrypt_check(dbsession, monkeypatch):
    calls = []
    monkeypatch.setattr(passwords, "dummy_verify", lambda pw, rounds: calls.append(rounds))
    login.authenticate(dbsession, "nobody@school.example", "whatever", rounds=7)
    assert calls == [7]


def test_unclaimed_student_is_told_to_claim_whatever_the_password(dbsession, school_class):
    user = factories.StudentFactory(school_class=school_class, claimed=False)
    assert user.password_hash == UNUSABLE_PASSWORD
    result = login.authenticate(dbsession, user.email, "", rounds=4)
    assert result.outcome is LoginOutcome.UNCLAIMED


def test_inactive_account_is_only_revealed_with_the_right_password(dbsession, teacher):
    teacher.is_active = False
    wrong = login.authenticate(dbsession, teacher.email, "not the password", rounds=4)
    right = login.authenticate(dbsession, teacher.email, factories.PASSWORD, rounds=4)
    assert wrong.outcome is LoginOutcome.INVALID
    assert right.outcome is LoginOutcome.INACTIVE
    assert teacher.last_login is None


def test_hash_is_upgraded_when_the_configured_cost_changed(dbsession, teacher):
    assert passwords.hash_rounds(teacher.password_hash) == 4
    result = login.authenticate(dbsession, teacher.email, factories.PASSWORD, rounds=5)
    assert result.rehashed
    assert passwords.hash_rounds(teacher.password_hash) == 5
    assert passwords.verify_password(factories.PASSWORD, teacher.password_hash)
    again = login.authenticate(dbsession, teacher.email, factories.PASSWORD, rounds=5)
    assert again.ok and not again.rehashed


# -- refresh tokens --------------------------------------------------------------------------


def issue(dbsession, user, **kwargs):
    issued = sessions.issue_refresh_token(dbsession, user, lifetime_seconds=LIFETIME, **kwargs)
    dbsession.flush()
    return issued


def test_refresh_token_is_stored_hashed(dbsession, teacher):
    issued = issue(dbsession, teacher)
    assert issued.row.token == sessions.hash_refresh_token(issued.token)
    assert issued.token not in issued.row.token
    assert len(issued.token) >= 43  # 32 random bytes


def test_rotation_replaces_the_token_within_its_family(dbsession, teacher):
    first = issue(dbsession, teacher)
    result = sessions.rotate_refresh_token(dbsession, first.token, lifetime_seconds=LIFETIME)
    assert result.outcome is RefreshOutcome.ROTATED and result.user is teacher
    assert result.issued.row.family_id == first.row.family_id
    assert result.issued.token != first.token
    assert first.row.replaced_at is not None and first.row.is_revoked


def test_reusing_a_rotated_token_revokes_the_whole_family(dbsession, teacher):
    first = issue(dbsession, teacher)
    other_device = issue(dbsession, teacher)
    second = sessions.rotate_refresh_token(dbsession, first.token, lifetime_seconds=LIFETIME)
    dbsession.flush()
    reuse = sessions.rotate_refresh_token(dbsession, first.token, lifetime_seconds=LIFETIME)
    assert reuse.outcome is RefreshOutcome.REUSED
    dbsession.flush()
    assert second.issued.row.is_revoked  # the thief's (or owner's) fresh token died too
    again = sessions.rotate_refresh_token(dbsession, second.issued.token,
                                          lifetime_seconds=LIFETIME)
    assert again.outcome is RefreshOutcome.REVOKED
    # Another login's family is untouched.
    assert sessions.rotate_refresh_token(dbsession, other_device.token,
                                         lifetime_seconds=LIFETIME).ok


@pytest.mark.parametrize("change, outcome", [
    ("expired", RefreshOutcome.EXPIRED),
    ("revoked", RefreshOutcome.REVOKED),
    ("inactive", RefreshOutcome.INACTIVE),
])
def test_refresh_refusals(dbsession, teacher, change, outcome):
    issued = issue(dbsession, teacher)
    if change == "expired":
        issued.row.expires_at = utcnow() - dt.timedelta(seconds=1)
    elif change == "revoked":
        sessions.revoke_family(dbsession, issued.row.family_id)
    else:
        teacher.is_active = False
    dbsession.flush()
    result = sessions.rotate_refresh_token(dbsession, issued.token, lifetime_seconds=LIFETIME)
    assert result.outcome is outcome and not result.ok


def test_unknown_refresh_token(dbsession):
    result = sessions.rotate_refresh_token(dbsession, "not-a-token", lifetime_seconds=LIFETIME)
    assert result.outcome is RefreshOutcome.UNKNOWN


def test_end_all_sessions_bumps_the_version_and_revokes_every_refresh_token(dbsession, teacher):
    tokens = [issue(dbsession, teacher) for _ in range(3)]
    version = teacher.token_version
    sessions.end_all_sessions(dbsession, teacher)
    dbsession.flush()
    assert teacher.token_version == version + 1
    assert all(token.row.is_revoked and token.row.replaced_at is None for token in tokens)


def test_log_out_with_a_token_revokes_only_that_family(dbsession, teacher):
    this_device, other_device = issue(dbsession, teacher), issue(dbsession, teacher)
    version = teacher.token_version
    assert sessions.log_out(dbsession, None, this_device.token) is teacher
    dbsession.flush()
    assert this_device.row.is_revoked and not other_device.row.is_revoked
    assert teacher.token_version == version + 1


def test_log_out_without_a_token_revokes_all(dbsession, teacher):
    tokens = [issue(dbsession, teacher) for _ in range(2)]
    assert sessions.log_out(dbsession, teacher, None) is teacher
    dbsession.flush()
    assert all(token.row.is_revoked for token in tokens)


def test_log_out_with_nothing_known_matches_nobody(dbsession):
    assert sessions.log_out(dbsession, None, "unknown") is None
    assert sessions.log_out(dbsession, None, None) is None


def test_prune_keeps_live_tokens(dbsession, teacher):
    live, dead = issue(dbsession, teacher), issue(dbsession, teacher)
    dead.row.expires_at = utcnow() - dt.timedelta(days=1)
    dbsession.flush()
    refresh_deleted, _ = sessions.prune_tokens(dbsession)
    assert refresh_deleted == 1
    assert dbsession.get(RefreshToken, live.row.id) is not None


# -- reset codes -----------------------------------------------------------------------------


def new_code(dbsession, user, lifetime=900):
    code, row = password_reset.create_reset_code(dbsession, user, secret=SECRET,
                                                 lifetime_seconds=lifetime)
    dbsession.flush()
    return code, row


def check(dbsession, user, code, max_tries=5):
    result = password_reset.check_reset_code(dbsession, user, code, secret=SECRET,
                                             max_tries=max_tries)
    dbsession.flush()
    return result


def test_reset_code_is_six_digits_stored_as_a_keyed_hash(dbsession, teacher):
    code, row = new_code(dbsession, teacher)
    assert len(code) == 6 and code.isdigit()
    assert code not in row.token
    assert row.token == password_reset.hash_reset_code(SECRET, teacher.id, code)
    assert row.token != password_reset.hash_reset_code("another secret", teacher.id, code)


def test_right_code_is_accepted(dbsession, teacher):
    code, row = new_code(dbsession, teacher)
    result = check(dbsession, teacher, code)
    assert result.ok and result.row is row


def test_only_the_newest_code_is_valid(dbsession, teacher):
    old_code, old_row = new_code(dbsession, teacher)
    new, _ = new_code(dbsession, teacher)
    assert old_row.is_used
    if old_code != new:
        assert check(dbsession, teacher, old_code).outcome is CodeOutcome.WRONG
    assert check(dbsession, teacher, new).ok


def wrong_code(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_fifth_wrong_guess_burns_the_code(dbsession, teacher):
    code, row = new_code(dbsession, teacher)
    outcomes = [check(dbsession, teacher, wrong_code(code)) for _ in range(5)]
    assert [r.remaining_tries for r in outcomes] == [4, 3, 2, 1, 0]
    assert outcomes[-1].outcome is CodeOutcome.BURNT
    assert row.failed_attempts == 5 and row.is_used
    # The sixth try fails even with the right code.
    assert check(dbsession, teacher, code).outcome is CodeOutcome.MISSING


def test_expired_code_is_refused(dbsession, teacher):
    code, row = new_code(dbsession, teacher)
    row.expires_at = utcnow() - dt.timedelta(seconds=1)
    assert check(dbsession, teacher, code).outcome is CodeOutcome.EXPIRED


def test_the_same_code_hashes_differently_for_another_user(teacher, other_teacher):
    assert password_reset.hash_reset_code(SECRET, teacher.id, "123456") != \
        password_reset.hash_reset_code(SECRET, other_teacher.id, "123456")


def test_reset_token_round_trip_and_single_use(dbsession, teacher):
    code, row = new_code(dbsession, teacher)
    token = password_reset.make_reset_token(row, secret=SECRET, lifetime_seconds=600)
    assert password_reset.redeem_reset_token(dbsession, token, secret=SECRET) is row
    password_reset.complete_password_reset(dbsession, row, "brand new password", rounds=4)
    dbsession.flush()
    assert passwords.verify_password("brand new password", teacher.password_hash)
    assert password_reset.redeem_reset_token(dbsession, token, secret=SECRET) is None


def test_reset_token_refusals(dbsession, teacher, registry):
    code, row = new_code(dbsession, teacher)
    expired = password_reset.make_reset_token(row, secret=SECRET, lifetime_seconds=600,
                                              now=utcnow() - dt.timedelta(hours=1))
    forged = password_reset.make_reset_token(row, secret="y" * 64, lifetime_seconds=600)
    wrong_type = jwt.encode({"typ": "access", "sub": teacher.id, "rid": row.id,
                             "exp": dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)},
                            SECRET, algorithm="HS256")
    for token in (expired, forged, wrong_type, "garbage"):
        assert password_reset.redeem_reset_token(dbsession, token, secret=SECRET) is None
    # A newer code replaces the row the token names.
    valid = password_reset.make_reset_token(row, secret=SECRET, lifetime_seconds=600)
    new_code(dbsession, teacher)
    assert password_reset.redeem_reset_token(dbsession, valid, secret=SECRET) is None


def test_reset_token_is_never_an_access_token(dbsession, teacher, testapp):
    _, row = new_code(dbsession, teacher)
    secret = testapp.app.registry.settings["quizcore.jwt_secret"]
    token = password_reset.make_reset_token(row, secret=secret, lifetime_seconds=600)
    testapp.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"}, status=401)


def test_complete_reset_ends_all_sessions(dbsession, teacher):
    refresh = issue(dbsession, teacher)
    _, row = new_code(dbsession, teacher)
    version = teacher.token_version
    password_reset.complete_password_reset(dbsession, row, "brand new password", rounds=4)
    dbsession.flush()
    assert teacher.token_version == version + 1 and refresh.row.is_revoked and row.is_used


# -- claiming --------------------------------------------------------------------------------


def test_claim_sets_the_first_password(dbsession, school_class):
    user = factories.StudentFactory(school_class=school_class, claimed=False,
                                    registration_number="reg-001")
    outcome, student = login.claim_account(dbsession, "REG-001", "first password", rounds=4)
    assert outcome is login.ClaimOutcome.OK and student.id == user.id
    assert student.is_account_claimed and student.claimed_at is not None
    assert passwords.verify_password("first password", user.password_hash)
    again, _ = login.claim_account(dbsession, "reg-001", "other password", rounds=4)
    assert again is login.ClaimOutcome.ALREADY_CLAIMED
    assert passwords.verify_password("first password", user.password_hash)


def test_claim_refusals(dbsession, school_class):
    inactive = factories.StudentFactory(school_class=school_class, claimed=False,
                                        is_active=False)
    assert login.claim_account(dbsession, "nope", "x" * 10, rounds=4)[0] is \
        login.ClaimOutcome.UNKNOWN
    assert login.claim_account(dbsession, inactive.student.registration_number, "x" * 10,
                               rounds=4)[0] is login.ClaimOutcome.INACTIVE
    assert inactive.password_hash == UNUSABLE_PASSWORD


def test_created_student_has_no_usable_password(dbsession, school_class):
    user = people.create_student(dbsession, name="Ada", email="ADA@school.example",
                                 registration_number="S-1", class_id=school_class.id)
    dbsession.flush()
    assert user.password_hash == UNUSABLE_PASSWORD and user.email == "ada@school.example"
    assert not user.student.is_account_claimed


# -- administrators and deletion -------------------------------------------------------------


def test_admin_cannot_remove_themselves(dbsession, admin):
    assert people.admin_removal_problem(dbsession, admin, admin) is RemovalProblem.SELF


def test_last_active_admin_cannot_be_removed(dbsession, admin):
    other = factories.AdminFactory(is_active=False)
    # Only reachable when the acting admin is no longer active (a concurrent removal).
    admin.is_active = False
    other.is_active = True
    dbsession.flush()
    assert people.admin_removal_problem(dbsession, admin, other) is RemovalProblem.LAST_ADMIN


def test_another_admin_can_be_removed_while_one_remains(dbsession, admin):
    other = factories.AdminFactory()
    assert people.admin_removal_problem(dbsession, admin, other) is None


def test_attempts_lost_by_deleting(dbsession, teacher, other_teacher, student):
    question = factories.QuestionFactory(owner=teacher)
    quiz = factories.QuizFactory(owner=other_teacher, questions=[question])
    assert people.attempts_lost_by_deleting(dbsession, student) == 0
    attempt = QuizAttempt(quiz_id=quiz.id, student_id=student.id)
    dbsession.add(attempt)
    dbsession.flush()
    assert people.attempts_lost_by_deleting(dbsession, student) == 1
    assert people.attempts_lost_by_deleting(dbsession, other_teacher) == 1  # quiz owner
    assert people.attempts_lost_by_deleting(dbsession, teacher) == 0
    from quizcore.models import StudentAnswer

    dbsession.add(StudentAnswer(attempt_id=attempt.id, question_id=question.id, answer_option=0))
    dbsession.flush()
    assert people.attempts_lost_by_deleting(dbsession, teacher) == 1  # question author


def test_duplicate_class_treats_null_as_a_value(dbsession):
    factories.ClassFactory(name="Grade 9", section=None, academic_year=None)
    assert classes.find_duplicate_class(dbsession, "Grade 9", None, None) is not None
    assert classes.find_duplicate_class(dbsession, "Grade 9", "A", None) is None
    assert classes.find_duplicate_class(dbsession, "Grade 10", None, None) is None
