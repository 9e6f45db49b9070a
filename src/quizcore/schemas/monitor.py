"""Schemas of the live monitor endpoint."""

from __future__ import annotations

import colander


class MonitorPath(colander.MappingSchema):
    quiz_id = colander.SchemaNode(colander.String(), description="the quiz's id (UUID)")


class MonitorRequest(colander.MappingSchema):
    path = MonitorPath()
