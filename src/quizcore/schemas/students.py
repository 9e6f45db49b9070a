"""Bodies and queries of ``/api/students``."""

from __future__ import annotations

import colander

from ..rest import PaginationQuery
from .types import IdPath, drop, email_field, flag_field, text_field, uuid_field
from .users import StudentProfileCreate, StudentProfileUpdate


class StudentListQuery(PaginationQuery):
    class_id = uuid_field(missing=drop)
    search = text_field(100, missing=drop,
                        description="part of a name, e-mail or registration number")
    is_account_claimed = flag_field(missing=drop)


class StudentListRequest(colander.MappingSchema):
    querystring = StudentListQuery()


class StudentCreateBody(StudentProfileCreate):
    """The account starts unclaimed, with no usable password."""

    name = text_field(255)
    email = email_field()
    registration_number = text_field(50)


class StudentUpdateBody(StudentProfileUpdate):
    name = text_field(255, missing=drop)
    email = email_field(missing=drop)
    registration_number = text_field(50, missing=drop)
    is_active = flag_field(missing=drop, description="admins only")
    time_multiplier = colander.SchemaNode(
        colander.Float(), missing=drop,
        description="standing accommodation: every quiz's time limit is multiplied by it "
                    "(1.0 to 10.0, e.g. 1.25) unless the quiz has an override for the student",
        validator=colander.Range(1.0, 10.0))


class StudentCreateRequest(colander.MappingSchema):
    body = StudentCreateBody()


class StudentRequest(colander.MappingSchema):
    path = IdPath()


class StudentUpdateRequest(colander.MappingSchema):
    path = IdPath()
    body = StudentUpdateBody()
