"""Bodies and queries of ``/api/classes``."""

from __future__ import annotations

import colander

from ..rest import PaginationQuery
from .types import IdPath, drop, text_field, uuid_field


class ClassListQuery(PaginationQuery):
    search = text_field(100, missing=drop, description="part of the name, section or year")
    academic_year = text_field(20, missing=drop)


class ClassListRequest(colander.MappingSchema):
    querystring = ClassListQuery()


class ClassCreateBody(colander.MappingSchema):
    name = text_field(100)
    section = text_field(50, missing=None)
    academic_year = text_field(20, missing=None)


class ClassUpdateBody(colander.MappingSchema):
    name = text_field(100, missing=drop)
    section = text_field(50, missing=drop)
    academic_year = text_field(20, missing=drop)


class ClassCreateRequest(colander.MappingSchema):
    body = ClassCreateBody()


class ClassRequest(colander.MappingSchema):
    path = IdPath()


class ClassUpdateRequest(colander.MappingSchema):
    path = IdPath()
    body = ClassUpdateBody()


class AssignTeacherBody(colander.MappingSchema):
    teacher_id = uuid_field()


class AssignTeacherRequest(colander.MappingSchema):
    path = IdPath()
    body = AssignTeacherBody()


class StudentIds(colander.SequenceSchema):
    student_id = uuid_field()


class AssignStudentsBody(colander.MappingSchema):
    student_ids = StudentIds(validator=colander.Length(min=1, max=1000))


class AssignStudentsRequest(colander.MappingSchema):
    path = IdPath()
    body = AssignStudentsBody()


class ClassStudentPath(colander.MappingSchema):
    id = colander.SchemaNode(colander.String())
    student_id = colander.SchemaNode(colander.String())


class ClassStudentRequest(colander.MappingSchema):
    path = ClassStudentPath()


class ClassTeacherPath(colander.MappingSchema):
    id = colander.SchemaNode(colander.String())
    teacher_id = colander.SchemaNode(colander.String())


class ClassTeacherRequest(colander.MappingSchema):
    path = ClassTeacherPath()
