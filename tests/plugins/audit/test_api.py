"""GET /api/audit-logs: admins only, filters, date ranges, newest first."""

from __future__ import annotations

import datetime as dt

import pytest

from quiz_plugins.audit.models import AuditLog
from quizcore.models import new_uuid
from tests.helpers import assert_error

pytestmark = pytest.mark.plugin("quiz_plugins.audit")

BASE = dt.datetime(2026, 3, 10, 12, 0, 0)


def add_row(dbsession, *, action, user=None, entity_type=None, entity_id=None, at=BASE,
            **values) -> AuditLog:
    row = AuditLog(id=new_uuid(), user_id=user.id if user else None, action=action,
                   entity_type=entity_type, entity_id=entity_id, created_at=at,
                   ip_address="10.0.0.7", user_agent="agent", **values)
    dbsession.add(row)
    dbsession.flush()
    return row


@pytest.fixture
def trail(dbsession, admin, teacher, student):
    """Rows over four days, oldest first."""
    return [
        add_row(dbsession, action="auth.login", user=teacher, entity_type="user",
                entity_id=teacher.id, at=BASE - dt.timedelta(days=3)),
        add_row(dbsession, action="auth.login_failed", entity_type="user",
                entity_id=student.id, at=BASE - dt.timedelta(days=2),
                new_value={"reason": "invalid_credentials"}),
        add_row(dbsession, action="user.update", user=admin, entity_type="user",
                entity_id=teacher.id, at=BASE - dt.timedelta(days=1),
                old_value={"name": "A"}, new_value={"name": "B"}),
        add_row(dbsession, action="class.create", user=admin, entity_type="class",
                entity_id=new_uuid(), at=BASE),
    ]


def ids(body) -> list[str]:
    return [item["id"] for item in body["items"]]


def get(testapp, auth, admin, query="", status=200):
    return testapp.get(f"/api/audit-logs{query}", headers=auth(admin), status=status)


def test_admin_lists_newest_first_with_the_user(testapp, auth, admin, teacher, trail):
    body = get(testapp, auth, admin).json
    assert ids(body) == [row.id for row in reversed(trail)]
    assert body["total"] == 4 and body["page"] == 1 and body["pages"] == 1
    update = body["items"][1]
    assert update == {
        "id": trail[2].id, "user_id": admin.id,
        "user": {"id": admin.id, "name": admin.name, "email": admin.email, "role": "admin"},
        "action": "user.update", "entity_type": "user", "entity_id": teacher.id,
        "old_value": {"name": "A"}, "new_value": {"name": "B"},
        "ip_address": "10.0.0.7", "user_agent": "agent", "created_at": "2026-03-09T12:00:00Z"}
    assert body["items"][2]["user"] is None  # an anonymous failed login


@pytest.mark.parametrize("who", ["teacher", "student"])
def test_only_admins_may_read_the_trail(testapp, auth, request, who):
    assert_error(testapp.get("/api/audit-logs", headers=auth(request.getfixturevalue(who)),
                             status=403), 403)


def test_anonymous_gets_401(testapp):
    assert_error(testapp.get("/api/audit-logs", status=401), 401)


def test_filters(testapp, auth, admin, teacher, student, trail):
    def query(q):
        return ids(get(testapp, auth, admin, q).json)

    assert query(f"?user_id={admin.id}") == [trail[3].id, trail[2].id]
    assert query("?action=auth.login") == [trail[0].id]
    assert query("?action=auth.*") == [trail[1].id, trail[0].id]
    assert query("?entity_type=class") == [trail[3].id]
    assert query(f"?entity_type=user&entity_id={teacher.id}") == [trail[2].id, trail[0].id]
    assert query(f"?entity_id={student.id}") == [trail[1].id]
    assert query(f"?user_id={admin.id}&action=class.create") == [trail[3].id]


def test_action_prefix_matches_wildcards_literally(testapp, auth, admin, dbsession):
    add_row(dbsession, action="auth_x.login")
    assert get(testapp, auth, admin, "?action=auth.*").json["total"] == 0
    assert get(testapp, auth, admin, "?action=auth_*").json["total"] == 1


def test_date_range_days_are_inclusive(testapp, auth, admin, trail):
    def query(q):
        return ids(get(testapp, auth, admin, q).json)

    assert query("?from=2026-03-08&to=2026-03-09") == [trail[2].id, trail[1].id]
    assert query("?from=2026-03-09") == [trail[3].id, trail[2].id]
    assert query("?to=2026-03-07") == [trail[0].id]
    assert query("?from=2026-03-10&to=2026-03-10") == [trail[3].id]


def test_date_range_instants_are_exact_and_offsets_are_honoured(testapp, auth, admin, trail):
    def query(q):
        return ids(get(testapp, auth, admin, q).json)

    assert query("?from=2026-03-09T12:00:00Z") == [trail[3].id, trail[2].id]
    assert query("?from=2026-03-09T12:00:01Z") == [trail[3].id]
    assert query("?to=2026-03-09T12:00:00Z&from=2026-03-09T11:59:59Z") == [trail[2].id]
    # 14:00 at +02:00 is 12:00 UTC.
    assert query("?from=2026-03-10T14:00:00%2B02:00") == [trail[3].id]


@pytest.mark.parametrize("query, name", [
    ("?from=yesterday", "from"), ("?to=2026-02-30", "to"), ("?from=2026-13-01", "from"),
    ("?to=9999-12-31", "to"), ("?to=9999-12-31T23:59:59.999999Z", "to"),
    ("?from=2026-03-10&to=2026-03-09", "to"),
    ("?from=2026-03-10T12:00:00Z&to=2026-03-10T11:00:00Z", "to"),
    ("?user_id=" + "x" * 40, "user_id"), ("?limit=0", "limit"), ("?page=0", "page"),
])
def test_bad_filters_are_a_400_naming_the_parameter(testapp, auth, admin, query, name):
    body = assert_error(get(testapp, auth, admin, query, status=400), 400)
    assert body["errors"][0]["location"] == "querystring"
    assert body["errors"][0]["name"].endswith(name), body


def test_far_dates_are_accepted(testapp, auth, admin, trail):
    body = get(testapp, auth, admin, "?from=0001-01-01&to=9999-12-30").json
    assert body["total"] == 4


def test_pagination(testapp, auth, admin, trail):
    body = get(testapp, auth, admin, "?limit=3&page=2").json
    assert ids(body) == [trail[0].id]
    assert (body["total"], body["pages"], body["limit"]) == (4, 2, 3)


def test_reading_the_trail_adds_nothing_to_it(testapp, auth, admin, dbsession, trail):
    get(testapp, auth, admin)
    assert get(testapp, auth, admin).json["total"] == 4


def test_the_service_is_in_the_openapi_document(testapp):
    parameters = testapp.get("/api/openapi.json").json["paths"]["/api/audit-logs"]["get"][
        "parameters"]
    assert {"user_id", "action", "entity_type", "entity_id", "from", "to", "page",
            "limit"} <= {p["name"] for p in parameters}
