"""Checks of single values shared by the domain's validation rules."""

from __future__ import annotations

from typing import Any

from .errors import Invalid


def text_value(value: Any, field: str, max_length: int, required: bool = False) -> str | None:
    """``value`` stripped, or None when blank. :class:`Invalid` when it is not text, longer
    than ``max_length``, or blank while ``required``."""
    if value is None:
        if required:
            raise Invalid(f"{field} is required.", field=field)
        return None
    if not isinstance(value, str):
        raise Invalid(f"{field} must be text.", field=field)
    value = value.strip()
    if not value:
        if required:
            raise Invalid(f"{field} cannot be blank.", field=field)
        return None
    if len(value) > max_length:
        raise Invalid(f"{field} is longer than {max_length} characters.", field=field)
    return value


def whole_number(value: Any, field: str) -> int:
    """``value`` if it is an int (booleans are not numbers here), else :class:`Invalid`."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(f"{field} must be a whole number.", field=field)
    return value
