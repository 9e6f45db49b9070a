"""Query parameters and paths of ``/api/notifications``."""

from __future__ import annotations

import colander

from quizcore.rest import PaginationQuery
from quizcore.schemas.types import IdPath, drop, flag_field

from .messages import TYPES


class NotificationListQuery(PaginationQuery):
    is_read = flag_field(missing=drop, description="true: read ones only; false: unread only")
    unread_only = flag_field(missing=drop, description="true: unread ones only (the same as "
                                                        "is_read=false, for older clients)")
    type = colander.SchemaNode(colander.String(), missing=drop,
                               validator=colander.OneOf(TYPES))


class NotificationListRequest(colander.MappingSchema):
    querystring = NotificationListQuery()


class NotificationRequest(colander.MappingSchema):
    path = IdPath()
