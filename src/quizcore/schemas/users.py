"""Bodies and queries of ``/api/users`` (administrators manage every account)."""

from __future__ import annotations

import colander

from ..rest import PaginationQuery
from .types import (
    IdPath,
    date_field,
    drop,
    email_field,
    flag_field,
    password_field,
    role_field,
    text_field,
    uuid_field,
)

#: Teacher profile fields, accepted wherever a teacher account is created or edited.
TEACHER_PROFILE_FIELDS = ("subject", "phone", "department", "bio")
#: Student profile fields besides the registration number.
STUDENT_PROFILE_FIELDS = ("class_id", "date_of_birth", "parent_email", "parent_phone")


class UserListQuery(PaginationQuery):
    role = role_field(missing=drop)
    search = text_field(100, missing=drop, description="part of a name or e-mail")
    is_active = flag_field(missing=drop)


class UserListRequest(colander.MappingSchema):
    querystring = UserListQuery()


class TeacherProfileCreate(colander.MappingSchema):
    subject = text_field(100, missing=None)
    phone = text_field(20, missing=None)
    department = text_field(100, missing=None)
    bio = text_field(5000, missing=None)


class TeacherProfileUpdate(colander.MappingSchema):
    subject = text_field(100, missing=drop)
    phone = text_field(20, missing=drop)
    department = text_field(100, missing=drop)
    bio = text_field(5000, missing=drop)


class StudentProfileCreate(colander.MappingSchema):
    class_id = uuid_field(missing=None)
    date_of_birth = date_field(missing=None)
    parent_email = email_field(missing=None)
    parent_phone = text_field(20, missing=None)


class StudentProfileUpdate(colander.MappingSchema):
    class_id = uuid_field(missing=drop)
    date_of_birth = date_field(missing=drop)
    parent_email = email_field(missing=drop)
    parent_phone = text_field(20, missing=drop)


class UserCreateBody(TeacherProfileCreate, StudentProfileCreate):
    """Teachers may carry their profile fields; students their registration number and
    profile (a student created without a password starts unclaimed)."""

    email = email_field()
    name = text_field(255)
    role = role_field()
    password = password_field(missing=drop,
                        description="required for admins and teachers; optional for students")
    registration_number = text_field(50, missing=drop, description="students only (required)")


class UserUpdateBody(TeacherProfileUpdate, StudentProfileUpdate):
    name = text_field(255, missing=drop)
    email = email_field(missing=drop)
    is_active = flag_field(missing=drop)
    password = password_field(missing=drop, description="sets a new password and ends all sessions")
    registration_number = text_field(50, missing=drop)


class UserCreateRequest(colander.MappingSchema):
    body = UserCreateBody()


class UserRequest(colander.MappingSchema):
    path = IdPath()


class UserUpdateRequest(colander.MappingSchema):
    path = IdPath()
    body = UserUpdateBody()
