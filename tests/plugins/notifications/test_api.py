"""/api/notifications: own notifications only; list, read, read-all, delete."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from quiz_plugins.notifications.models import Notification
from quizcore.models import new_uuid, utcnow
from tests.helpers import assert_error

pytestmark = pytest.mark.plugin("quiz_plugins.notifications")


def add_notification(dbsession, user, *, minutes_ago=0, is_read=False, type="quiz_published",
                     title=None) -> Notification:
    created = utcnow() - dt.timedelta(minutes=minutes_ago)
    row = Notification(id=new_uuid(), user_id=user.id, type=type,
                       title=title or f"Notice {minutes_ago}", message="Something happened.",
                       link="/quizzes/x", is_read=is_read, created_at=created,
                       read_at=created if is_read else None)
    dbsession.add(row)
    dbsession.flush()
    return row


@pytest.fixture
def inbox(dbsession, student, other_student):
    """Five notifications of ``student`` (two read), newest first, and one of another user."""
    rows = [add_notification(dbsession, student, minutes_ago=m, is_read=m in (2, 4))
            for m in range(5)]
    add_notification(dbsession, other_student)
    return rows


def test_list_is_own_newest_first_with_unread_count(testapp, auth, student, inbox):
    body = testapp.get("/api/notifications", headers=auth(student)).json
    assert [item["id"] for item in body["items"]] == [row.id for row in inbox]
    assert body["total"] == 5 and body["unread_count"] == 3
    assert body["page"] == body["current_page"] == 1 and body["pages"] == 1
    first = body["items"][0]
    assert set(first) == {"id", "type", "title", "message", "link", "is_read", "created_at",
                          "read_at"}
    assert first["created_at"].endswith("Z") and first["read_at"] is None


@pytest.mark.parametrize("value, expected", [("false", [0, 1, 3]), ("true", [2, 4]),
                                             ("0", [0, 1, 3]), ("1", [2, 4])])
def test_filter_by_is_read(testapp, auth, student, inbox, value, expected):
    body = testapp.get(f"/api/notifications?is_read={value}", headers=auth(student)).json
    assert [item["id"] for item in body["items"]] == [inbox[i].id for i in expected]
    assert body["unread_count"] == 3  # the badge counts all unread, whatever the filter


def test_bad_is_read_is_a_400(testapp, auth, student):
    body = assert_error(testapp.get("/api/notifications?is_read=maybe", headers=auth(student),
                                    status=400), 400)
    assert body["errors"][0]["name"] == "is_read"


def test_filter_by_type(testapp, auth, dbsession, student):
    graded = add_notification(dbsession, student, type="attempt_graded")
    add_notification(dbsession, student, type="quiz_published")
    body = testapp.get("/api/notifications?type=attempt_graded", headers=auth(student)).json
    assert [item["id"] for item in body["items"]] == [graded.id]
    assert_error(testapp.get("/api/notifications?type=nonsense", headers=auth(student),
                             status=400), 400)


def test_pagination_and_per_page_alias(testapp, auth, student, inbox):
    body = testapp.get("/api/notifications?per_page=2&page=2", headers=auth(student)).json
    assert [item["id"] for item in body["items"]] == [inbox[2].id, inbox[3].id]
    assert (body["total"], body["pages"], body["limit"]) == (5, 3, 2)


def test_needs_a_signed_in_user(testapp):
    assert_error(testapp.get("/api/notifications", status=401), 401)
    assert_error(testapp.post("/api/notifications/read-all", status=401), 401)


def test_every_role_has_its_own_inbox(testapp, auth, dbsession, admin, teacher):
    mine = add_notification(dbsession, teacher)
    add_notification(dbsession, admin)
    body = testapp.get("/api/notifications", headers=auth(teacher)).json
    assert [item["id"] for item in body["items"]] == [mine.id]


def test_mark_read_sets_read_at_once(testapp, auth, dbsession, student, inbox):
    target = inbox[0]
    body = testapp.post(f"/api/notifications/{target.id}/read", headers=auth(student)).json
    assert body["notification"]["is_read"] is True
    assert body["unread_count"] == 2
    first_read_at = body["notification"]["read_at"]
    assert first_read_at is not None
    again = testapp.post(f"/api/notifications/{target.id}/read", headers=auth(student)).json
    assert again["notification"]["read_at"] == first_read_at
    dbsession.expire_all()
    assert dbsession.get(Notification, target.id).is_read is True


def test_read_all_marks_only_own_unread(testapp, auth, dbsession, student, other_student,
                                        inbox):
    body = testapp.post("/api/notifications/read-all", headers=auth(student)).json
    assert body["updated"] == 3 and body["unread_count"] == 0
    dbsession.expire_all()
    assert dbsession.scalar(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.user_id == student.id, Notification.is_read.is_(False))) == 0
    assert dbsession.scalar(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.user_id == other_student.id, Notification.is_read.is_(False))) == 1
    read_ats = dbsession.scalars(sa.select(Notification.read_at).where(
        Notification.user_id == student.id)).all()
    assert all(value is not None for value in read_ats)
    again = testapp.post("/api/notifications/read-all", headers=auth(student)).json
    assert again["updated"] == 0


def test_delete_own_notification(testapp, auth, dbsession, student, inbox):
    target = inbox[1]
    body = testapp.delete(f"/api/notifications/{target.id}", headers=auth(student)).json
    assert body["message"] == "Notification deleted."
    assert dbsession.scalar(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.id == target.id)) == 0
    assert_error(testapp.delete(f"/api/notifications/{target.id}", headers=auth(student),
                                status=404), 404)


def test_another_users_notification_is_a_404_and_stays(testapp, auth, dbsession, student,
                                                       other_student):
    theirs = add_notification(dbsession, other_student)
    for method, path in (("post", f"/api/notifications/{theirs.id}/read"),
                         ("delete", f"/api/notifications/{theirs.id}")):
        assert_error(getattr(testapp, method)(path, headers=auth(student), status=404), 404)
    dbsession.expire_all()
    row = dbsession.get(Notification, theirs.id)
    assert row is not None and row.is_read is False


def test_unknown_or_malformed_ids_are_404(testapp, auth, student):
    for path in (f"/api/notifications/{new_uuid()}/read", "/api/notifications/not-a-uuid/read"):
        assert_error(testapp.post(path, headers=auth(student), status=404), 404)
    # "read-all" is never taken for an id: it only answers POST.
    assert_error(testapp.delete("/api/notifications/read-all", headers=auth(student),
                                status=405), 405)


def test_services_appear_in_the_openapi_document(testapp):
    paths = testapp.get("/api/openapi.json").json["paths"]
    for path in ("/api/notifications", "/api/notifications/read-all",
                 "/api/notifications/{id}", "/api/notifications/{id}/read"):
        assert path in paths, path


def test_the_spas_notification_calls(testapp, auth, student, inbox):
    """``NotificationCenter`` lists ``/notifications/?unread_only=false&limit=50`` and reads
    ``notifications`` and ``unread_count``; ``getUnreadCount()`` reads ``unread_count``."""
    body = testapp.get("/api/notifications/?unread_only=false&limit=50",
                       headers=auth(student)).json
    assert [n["id"] for n in body["notifications"]] == [row.id for row in inbox]
    assert body["unread_count"] == 3
    unread = testapp.get("/api/notifications?unread_only=true", headers=auth(student)).json
    assert len(unread["notifications"]) == 3 and not any(n["is_read"] for n in unread["items"])
    assert testapp.get("/api/notifications/unread-count",
                       headers=auth(student)).json == {"unread_count": 3}
    assert_error(testapp.get("/api/notifications?unread_only=perhaps", headers=auth(student),
                             status=400), 400)
