"""Bodies of the ``/api/auth`` endpoints."""

from __future__ import annotations

import colander

from .types import drop, email_field, password_field, strip, text_field


def _required(node, name: str, message: str = "Required") -> colander.Invalid:
    error = colander.Invalid(node)
    error[name] = message
    return error


def _passwords_match(node, value, new: str, confirm: str) -> None:
    if confirm in value and value[confirm] != value.get(new):
        raise _required(node, confirm, "Passwords do not match.")


class LoginBody(colander.MappingSchema):
    """``email_or_reg_no`` is canonical; ``email`` is accepted from older clients."""

    email_or_reg_no = text_field(255, missing=drop,
                           description="e-mail address or registration number")
    email = text_field(255, missing=drop, description="alias of email_or_reg_no (older clients)")
    password = password_field()

    def validator(self, node, value):
        if "email_or_reg_no" not in value:
            if "email" not in value:
                raise _required(node, "email_or_reg_no")
            value["email_or_reg_no"] = value["email"]


class RefreshBody(colander.MappingSchema):
    """The refresh token may also come as ``Authorization: Bearer <refresh token>``."""

    refresh_token = text_field(512, missing=drop)


class LogoutBody(colander.MappingSchema):
    refresh_token = text_field(512, missing=drop)


class ClaimAccountBody(colander.MappingSchema):
    registration_number = text_field(50)
    password = password_field()
    confirm_password = password_field()

    def validator(self, node, value):
        _passwords_match(node, value, "password", "confirm_password")


class ForgotPasswordBody(colander.MappingSchema):
    email = email_field()


def _code_node(**kwargs):
    return colander.SchemaNode(colander.String(), preparer=strip,
                               validator=colander.Regex(
                                   r"^\d{6}$", "The code is the 6 digits from the e-mail."),
                               **kwargs)


class VerifyResetCodeBody(colander.MappingSchema):
    email = email_field()
    code = _code_node()


class ResetPasswordBody(colander.MappingSchema):
    """``reset_token`` (from verify-reset-code), or ``email`` + ``code`` directly."""

    reset_token = text_field(2048, missing=drop)
    email = email_field(missing=drop)
    code = _code_node(missing=drop)
    new_password = password_field()
    confirm_password = password_field(missing=drop)

    def validator(self, node, value):
        if "reset_token" not in value and not ("email" in value and "code" in value):
            raise _required(node, "reset_token", "Send reset_token, or email and code.")
        _passwords_match(node, value, "new_password", "confirm_password")


class ChangePasswordBody(colander.MappingSchema):
    current_password = password_field()
    new_password = password_field()
    confirm_password = password_field(missing=drop)

    def validator(self, node, value):
        _passwords_match(node, value, "new_password", "confirm_password")


class ProfileBody(colander.MappingSchema):
    """The signed-in user's own account; unknown fields are ignored, unchanged ones accepted
    (see :func:`quizcore.domain.people.update_own_profile` for who may change what)."""

    name = text_field(255, missing=drop)
    email = email_field(missing=drop)
    phone = text_field(20, missing=drop, description="teachers")
    bio = text_field(5000, missing=drop, description="teachers")
