"""Access tokens identify a live user row; passwords are bcrypt with a usable-or-not rule."""

import datetime as dt

import jwt

from quizcore.domain import passwords
from quizcore.models import UNUSABLE_PASSWORD
from tests.helpers import assert_error


def test_valid_token_identifies_the_user(plugin_testapp, teacher, auth):
    body = plugin_testapp.get("/api/testplugin/private", headers=auth(teacher)).json
    assert body == {"user_id": teacher.id, "role": "teacher"}


def test_deactivated_user_is_refused_at_once(plugin_testapp, teacher, auth, dbsession):
    headers = auth(teacher)
    teacher.is_active = False
    dbsession.flush()
    assert_error(plugin_testapp.get("/api/testplugin/private", headers=headers, status=401), 401)


def test_token_stops_working_when_the_token_version_changes(plugin_testapp, teacher, auth,
                                                           dbsession):
    headers = auth(teacher)
    teacher.token_version += 1
    dbsession.flush()
    plugin_testapp.get("/api/testplugin/private", headers=headers, status=401)
    plugin_testapp.get("/api/testplugin/private", headers=auth(teacher), status=200)


def test_expired_token_is_refused(plugin_testapp, teacher, registry):
    policy = registry["quizcore.security_policy"]
    token = policy.create_access_token(teacher, 60).token
    claims = jwt.decode(token, registry.settings["quizcore.jwt_secret"], algorithms=["HS256"])
    claims["exp"] = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)
    expired = jwt.encode(claims, registry.settings["quizcore.jwt_secret"], algorithm="HS256")
    plugin_testapp.get("/api/testplugin/private",
                       headers={"Authorization": f"Bearer {expired}"}, status=401)


def test_token_signed_with_another_key_is_refused(plugin_testapp, teacher):
    forged = jwt.encode({"sub": teacher.id, "typ": "access", "tv": 0, "role": "admin"},
                        "another-key-" * 6, algorithm="HS256")
    plugin_testapp.get("/api/testplugin/private",
                       headers={"Authorization": f"Bearer {forged}"}, status=401)


def test_unsigned_alg_none_token_is_refused(plugin_testapp, teacher):
    forged = jwt.encode({"sub": teacher.id, "typ": "access", "tv": 0}, None, algorithm="none")
    plugin_testapp.get("/api/testplugin/private",
                       headers={"Authorization": f"Bearer {forged}"}, status=401)


def test_token_without_access_type_is_refused(plugin_testapp, teacher, registry):
    token = registry["quizcore.security_policy"].jwt.create_token(teacher.id, tv=0)
    plugin_testapp.get("/api/testplugin/private",
                       headers={"Authorization": f"Bearer {token}"}, status=401)


def test_password_hash_round_trip():
    hashed = passwords.hash_password("s3cret-pass", 4)
    assert passwords.verify_password("s3cret-pass", hashed)
    assert not passwords.verify_password("wrong", hashed)
    assert passwords.hash_rounds(hashed) == 4


def test_unusable_password_never_matches():
    assert not passwords.verify_password("", UNUSABLE_PASSWORD)
    assert not passwords.verify_password("!unusable", UNUSABLE_PASSWORD)


def test_overlong_password_is_a_policy_problem_not_a_crash():
    assert "72 bytes" in passwords.password_problem("é" * 40, 8)
    assert not passwords.verify_password("x" * 100, passwords.hash_password("x" * 72, 4))


def test_short_password_is_a_policy_problem():
    assert passwords.password_problem("abc", 8) == "Password must be at least 8 characters long."
    assert passwords.password_problem("long enough", 8) is None
