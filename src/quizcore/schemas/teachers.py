"""Queries of ``/api/teachers`` (teacher accounts are created through ``/api/users``)."""

from __future__ import annotations

import colander

from ..rest import PaginationQuery
from .types import IdPath, drop, flag_field, text_field, uuid_field


class TeacherListQuery(PaginationQuery):
    search = text_field(100, missing=drop, description="part of a name, e-mail or subject")


class TeacherListRequest(colander.MappingSchema):
    querystring = TeacherListQuery()


class TeacherRequest(colander.MappingSchema):
    path = IdPath()


class TeacherClassesQuery(PaginationQuery):
    search = text_field(100, missing=drop)


class TeacherClassesRequest(colander.MappingSchema):
    path = IdPath()
    querystring = TeacherClassesQuery()


class TeacherStudentsQuery(PaginationQuery):
    class_id = uuid_field(missing=drop)
    search = text_field(100, missing=drop)
    is_account_claimed = flag_field(missing=drop)


class TeacherStudentsRequest(colander.MappingSchema):
    path = IdPath()
    querystring = TeacherStudentsQuery()
