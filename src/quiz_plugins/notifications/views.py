"""``/api/notifications``: the signed-in user's own in-app notifications.

Every user sees, reads and deletes only their own notifications; another user's is a 404.
Lists are newest first and carry ``unread_count`` (all unread, whatever the filter), the
number the app shows on its bell.
"""

from __future__ import annotations

import sqlalchemy as sa
import zope.sqlalchemy

from quizcore.errors import not_found
from quizcore.models import utcnow
from quizcore.rest import Service, iso, page_params, paginate, validator
from quizcore.schemas.types import ids_only

from .models import Notification
from .schemas import NotificationListRequest, NotificationRequest

NOTIFICATION_PATH = "/api/notifications/{id}"
READ_PATH = "/api/notifications/{id}/read"

notifications = Service(name="notifications", path="/api/notifications",
                        description="The signed-in user's notifications, newest first.")
# Registered before the ``{id}`` routes, and those only match ids, so "read-all" is never
# taken for a notification id.
read_all = Service(name="notifications_read_all", path="/api/notifications/read-all",
                   description="Mark every notification of the signed-in user as read.")
unread = Service(name="notifications_unread_count", path="/api/notifications/unread-count",
                 description="How many of the signed-in user's notifications are unread.")
notification = Service(name="notification", path=NOTIFICATION_PATH,
                       path_info=ids_only(NOTIFICATION_PATH),
                       description="Delete one of the signed-in user's notifications.")
notification_read = Service(name="notification_read", path=READ_PATH,
                            path_info=ids_only(READ_PATH),
                            description="Mark one notification as read.")


def notification_json(row: Notification) -> dict:
    return {
        "id": row.id,
        "type": row.type,
        "title": row.title,
        "message": row.message,
        "link": row.link,
        "is_read": row.is_read,
        "created_at": iso(row.created_at),
        "read_at": iso(row.read_at),
    }


def unread_count(session, user_id: str) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.user_id == user_id, Notification.is_read.is_(False)))


def own_notification(request) -> Notification:
    """The notification named in the path if it belongs to the signed-in user, else 404."""
    row = request.dbsession.scalars(sa.select(Notification).where(
        Notification.id == request.validated["path"]["id"],
        Notification.user_id == request.user.id)).one_or_none()
    if row is None:
        raise not_found("Notification")
    return row


@notifications.get(schema=NotificationListRequest(), validators=(validator,))
def list_notifications(request):
    """Filters: ``is_read`` (true/false), ``type``."""
    query = request.validated["querystring"]
    user_id = request.user.id
    statement = sa.select(Notification).where(Notification.user_id == user_id)
    if "is_read" in query:
        statement = statement.where(Notification.is_read.is_(query["is_read"]))
    if query.get("unread_only"):
        statement = statement.where(Notification.is_read.is_(False))
    if "type" in query:
        statement = statement.where(Notification.type == query["type"])
    statement = statement.order_by(Notification.created_at.desc(), Notification.id.desc())
    page, limit = page_params(request.validated)
    result = paginate(request.dbsession, statement, page, limit, serialize=notification_json)
    result["unread_count"] = unread_count(request.dbsession, user_id)
    result["notifications"] = result["items"]  # the name older clients read
    return result


@unread.get()
def get_unread_count(request):
    return {"unread_count": unread_count(request.dbsession, request.identity.id)}


@notification_read.post(schema=NotificationRequest(), validators=(validator,))
def mark_read(request):
    """Idempotent: reading a read notification again keeps its first ``read_at``."""
    row = own_notification(request)
    if not row.is_read:
        row.is_read = True
        row.read_at = utcnow()
        request.dbsession.flush()
    return {"message": "Notification marked as read.", "notification": notification_json(row),
            "unread_count": unread_count(request.dbsession, request.user.id)}


@read_all.post()
def mark_all_read(request):
    session = request.dbsession
    result = session.execute(
        sa.update(Notification)
        .where(Notification.user_id == request.user.id, Notification.is_read.is_(False))
        .values(is_read=True, read_at=utcnow())
        .execution_options(synchronize_session=False))
    # A bulk UPDATE bypasses the unit of work: make sure the transaction commits it.
    zope.sqlalchemy.mark_changed(session, transaction_manager=request.tm)
    return {"message": "All notifications marked as read.", "updated": result.rowcount,
            "unread_count": unread_count(session, request.user.id)}


@notification.delete(schema=NotificationRequest(), validators=(validator,))
def delete_notification(request):
    request.dbsession.delete(own_notification(request))
    return {"message": "Notification deleted."}
