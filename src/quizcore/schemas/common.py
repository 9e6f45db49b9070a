"""Schema nodes shared by the assessment schemas."""

from __future__ import annotations

import datetime as dt

import colander


def strict_bool() -> colander.Boolean:
    """JSON true/false (or "true"/"false", "1"/"0"); anything else is a 400, not True."""
    return colander.Boolean(false_choices=("false", "0"), true_choices=("true", "1"))


def optional(typ, description: str = "", **kw) -> colander.SchemaNode:
    return colander.SchemaNode(typ, missing=colander.drop, description=description, **kw)


def timestamp(description: str, **kw) -> colander.SchemaNode:
    """An ISO 8601 date-time; without an offset it is taken as UTC."""
    return optional(colander.DateTime(default_tzinfo=dt.UTC), description, **kw)


#: Pages beyond this are refused with a 400: a larger OFFSET would overflow the database's
#: integer, and no list here is that long.
MAX_PAGE = 1_000_000


def page_node() -> colander.SchemaNode:
    return colander.SchemaNode(colander.Integer(), missing=1,
                               validator=colander.Range(min=1, max=MAX_PAGE))


class NullableSequence(colander.Sequence):
    """A list that may also be sent as null (to clear it in a partial update)."""

    def deserialize(self, node, cstruct):
        return colander.null if cstruct is None else super().deserialize(node, cstruct)


class IdList(colander.SequenceSchema):
    id = colander.SchemaNode(colander.String(), validator=colander.Length(max=36))
