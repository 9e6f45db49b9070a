"""Field types and helpers shared by the schemas of the core and of the plugins.

Colander reads an empty string and JSON ``null`` as "missing". Update bodies therefore use
``missing=drop`` (an absent field keeps its value) and :func:`cleared_fields` finds the
nullable fields a client explicitly emptied (``null`` or ``""``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import colander

from ..domain.passwords import password_problem
from ..errors import bad_request
from ..models import Role

drop = colander.drop


def strip(value):
    return value.strip() if isinstance(value, str) else value


def lower_strip(value):
    return value.strip().lower() if isinstance(value, str) else value


def text_field(max_length: int, *, min_length: int = 1, **kwargs) -> colander.SchemaNode:
    """A trimmed string of bounded length."""
    return colander.SchemaNode(colander.String(), preparer=strip,
                               validator=colander.Length(min=min_length, max=max_length),
                               **kwargs)


def email_field(**kwargs) -> colander.SchemaNode:
    """An e-mail address, stored lower-cased."""
    return colander.SchemaNode(
        colander.String(), preparer=lower_strip,
        validator=colander.All(colander.Email(), colander.Length(max=255)), **kwargs)


def password_field(**kwargs) -> colander.SchemaNode:
    """A password as typed (never trimmed). The policy (length, 72 bytes) is checked with the
    configured minimum by :func:`quizcore.domain.passwords.password_problem` in the service."""
    return colander.SchemaNode(colander.String(), validator=colander.Length(max=1024),
                               **kwargs)


def flag_field(**kwargs) -> colander.SchemaNode:
    """A boolean that refuses anything but true/false spellings (``?is_active=maybe`` is a
    400, not silently true)."""
    return colander.SchemaNode(
        colander.Boolean(false_choices=("false", "0", "no", "off"),
                         true_choices=("true", "1", "yes", "on")), **kwargs)


def role_field(**kwargs) -> colander.SchemaNode:
    return colander.SchemaNode(colander.String(), preparer=lower_strip,
                               validator=colander.OneOf([r.value for r in Role]), **kwargs)


def uuid_field(**kwargs) -> colander.SchemaNode:
    return colander.SchemaNode(colander.String(), preparer=strip,
                               validator=colander.Length(max=36), **kwargs)


def date_field(**kwargs) -> colander.SchemaNode:
    return colander.SchemaNode(colander.Date(), **kwargs)


def format_field(*choices: str, description: str = "") -> colander.SchemaNode:
    """A download's ``format``: one of ``choices`` (case-insensitive); the first is the
    default."""
    return colander.SchemaNode(
        colander.String(), preparer=lower_strip, missing=choices[0],
        validator=colander.OneOf(choices),
        description=description or f"{' | '.join(choices)} (default {choices[0]})")


class IdPath(colander.MappingSchema):
    id = colander.SchemaNode(colander.String())


def cleared_fields(request, names: Iterable[str]) -> dict[str, None]:
    """The nullable fields among ``names`` the JSON body sets to ``null`` or ``""``."""
    try:
        body = request.json_body
    except ValueError:
        return {}
    if not isinstance(body, dict):
        return {}
    return {name: None for name in names
            if name in body and (body[name] is None or
                                 (isinstance(body[name], str) and not body[name].strip()))}


def check_password_policy(request, password: str, name: str = "password") -> None:
    """Raise a 400 naming the field ``name`` when ``password`` breaks the policy (minimum
    length from ``quizcore.password_min_length``, at most 72 bytes)."""
    problem = password_problem(password, request.registry.settings["quizcore.password_min_length"])
    if problem:
        raise bad_request(problem, name=name)


UUID_PATTERN = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"


def ids_only(path: str) -> str:
    """A ``path_info`` route predicate for ``path`` whose ``{placeholders}`` match UUIDs only.

    ``/api/students/{id}`` would otherwise also match ``/api/students/export`` and hide the
    routes plugins add next to it (plugins are configured after the core)::

        Service(name=..., path=PATH, path_info=ids_only(PATH))
    """
    return "^" + re.sub(r"\{[^}]+\}", UUID_PATTERN, path) + "$"
