"""The SPA's verify-access-code (rate-limited like failed logins), violation-report and
device-info, with the bodies ``AntiCheatSystem`` sends and the fields it reads."""

import pytest
import webtest

from tests.conftest import build_app
from tests.helpers import assert_error

from .conftest import report

pytestmark = pytest.mark.plugin("quiz_plugins.anticheat")

DEVICE = {"userAgent": "Mozilla/5.0", "screenResolution": "1920x1080", "timezone": "UTC"}
STRICT = {"quizcore.ratelimit_login_per_ip": "3/minute",
          "quizcore.ratelimit_login_per_account": "2/minute"}
_STRICT_APP: list = []


@pytest.fixture
def strict(app_settings, engine, app, dbsession):
    """A client of the app with tight failed-login limits, in the test's transaction."""
    if not _STRICT_APP:
        _STRICT_APP.append(build_app({**app_settings, **STRICT}, engine))
    other = _STRICT_APP[0]
    factory = other.registry["dbsession_factory"]
    other.registry["dbsession_factory"] = app.registry["dbsession_factory"]
    yield webtest.TestApp(other, extra_environ={"REMOTE_ADDR": "127.0.0.1"})
    other.registry["dbsession_factory"] = factory


def verify(client, attempt_id, user, auth, code, status=200, **environ):
    return client.post_json(f"/api/attempts/{attempt_id}/verify-access-code",
                            {"accessCode": code, "deviceInfo": DEVICE}, headers=auth(user),
                            status=status, extra_environ=environ or None)


def test_the_quizs_access_code_verifies(testapp, auth, student, exam, attempt_id, redis):
    body = verify(testapp, attempt_id, student, auth, f"  {exam.access_code.lower()} ").json
    assert body["verified"] is True and body["message"]


def test_a_wrong_code_is_403_not_401(testapp, auth, student, attempt_id, redis):
    # a 401 would make the SPA refresh its session and then sign the student out
    body = assert_error(verify(testapp, attempt_id, student, auth, "WRONG1", status=403), 403)
    assert body["reason"] == "invalid_access_code"


def test_wrong_codes_are_limited_per_attempt_and_address(strict, auth, student, exam,
                                                         attempt_id, redis):
    for _ in range(2):
        verify(strict, attempt_id, student, auth, "WRONG1", status=403)
    # over the attempt's limit: even the right code is refused until the window passes
    response = verify(strict, attempt_id, student, auth, exam.access_code, status=429)
    assert_error(response, 429)
    assert int(response.headers["Retry-After"]) >= 1


def test_another_students_attempt_is_not_found(testapp, auth, other_student, exam,
                                               attempt_id, redis):
    verify(testapp, attempt_id, other_student, auth, exam.access_code, status=404)


def test_the_access_code_is_required(testapp, auth, student, attempt_id, redis):
    testapp.post_json(f"/api/attempts/{attempt_id}/verify-access-code", {"deviceInfo": {}},
                      headers=auth(student), status=400)


def test_violation_report_and_device_info(testapp, auth, student, teacher, exam, attempt_id):
    report(testapp, attempt_id, student, auth, "tab_switch", question_index=1,
           metadata={"a": 1})
    for user in (student, teacher):
        data = testapp.get(f"/api/attempts/{attempt_id}/violation-report",
                           headers=auth(user)).json["data"]
        assert (data["attempt_id"], data["student_id"], data["quiz_id"]) == (
            attempt_id, student.id, exam.id)
        assert data["total_violations"] == 1 and data["auto_submitted"] is False
        [row] = data["violations"]
        assert row["type"] == "tab_switch" and row["details"] == {"a": 1}
        assert row["timestamp"].endswith("Z") and row["counted"] is True
        info = testapp.get(f"/api/attempts/{attempt_id}/device-info",
                           headers=auth(user)).json["data"]
        assert info == data["device_info"]
        assert info["started_at"].endswith("Z") and info["submitted_at"] is None
        assert set(info) == {"ip_address", "user_agent", "started_at", "submitted_at"}


def test_report_and_device_info_follow_attempt_visibility(testapp, auth, attempt_id,
                                                          other_student, other_teacher):
    for user in (other_student, other_teacher):
        testapp.get(f"/api/attempts/{attempt_id}/violation-report", headers=auth(user),
                    status=404)
        testapp.get(f"/api/attempts/{attempt_id}/device-info", headers=auth(user),
                    status=404)
