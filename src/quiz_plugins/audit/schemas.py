"""Query parameters of ``GET /api/audit-logs``."""

from __future__ import annotations

import datetime as dt
import re

import colander

from quizcore.rest import PaginationQuery
from quizcore.schemas.types import drop, text_field, uuid_field

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_bound(text: str) -> dt.date | dt.datetime:
    """``2025-03-01`` (a whole day) or an ISO 8601 date-time (``2025-03-01T08:00:00Z``).

    A date stays a :class:`datetime.date`, so "up to that day, inclusive" differs from "up
    to that instant". Date-times come back as naive UTC, the form timestamps are stored in
    (no offset means UTC). Raises ValueError for anything else.
    """
    text = text.strip()
    if not text:  # colander reads a blank date-time as "no value", not as an error
        raise ValueError(text)
    if _DATE_ONLY.match(text):
        return dt.date.fromisoformat(text)
    try:
        value = colander.DateTime(default_tzinfo=dt.UTC).deserialize(None, text)
    except colander.Invalid:
        raise ValueError(text) from None
    return value.astimezone(dt.UTC).replace(tzinfo=None)


def _valid_bound(node, value):
    try:
        bound = parse_bound(value)
        range_start(bound), range_end(bound)  # 9999-12-31 has no next day
    except (ValueError, OverflowError):
        raise colander.Invalid(
            node, f"{value!r} is not a date (YYYY-MM-DD) or an ISO 8601 date-time") from None


def date_node(description: str, name: str) -> colander.SchemaNode:
    # A string in the OpenAPI document (cornice_swagger knows colander's own types only);
    # the view parses it with parse_bound.
    return colander.SchemaNode(colander.String(), missing=drop, name=name,
                               validator=_valid_bound, description=description)


class AuditLogQuery(PaginationQuery):
    user_id = uuid_field(missing=drop, description="the user who acted")
    action = text_field(100, missing=drop,
                        description="an action such as auth.login_failed; a trailing * "
                                    "matches a prefix (auth.*)")
    entity_type = text_field(50, missing=drop, description="user, student, class, quiz, "
                                                           "attempt...")
    entity_id = uuid_field(missing=drop)
    # ``from`` is a Python keyword: the attribute names differ from the parameter names.
    date_from = date_node("rows at or after this date (YYYY-MM-DD) or instant (ISO 8601)",
                          "from")
    date_to = date_node("rows up to this date, inclusive, or up to this instant", "to")

    def validator(self, node, value):
        if "from" in value and "to" in value and \
                range_start(parse_bound(value["from"])) >= range_end(parse_bound(value["to"])):
            # Reported on the "to" child, so the 400 names the parameter.
            error = colander.Invalid(node)
            error["to"] = "must not be before 'from'"
            raise error


class AuditLogListRequest(colander.MappingSchema):
    querystring = AuditLogQuery()


def range_start(value: dt.date | dt.datetime) -> dt.datetime:
    """The first instant included by a ``from`` value."""
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.combine(value, dt.time())


def range_end(value: dt.date | dt.datetime) -> dt.datetime:
    """The first instant *excluded* by a ``to`` value (a date includes its whole day)."""
    if isinstance(value, dt.datetime):
        return value + dt.timedelta(microseconds=1)
    return dt.datetime.combine(value + dt.timedelta(days=1), dt.time())
