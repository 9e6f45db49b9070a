"""Apply field changes to a row and report what really changed (for ``EntityChanged``)."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ..wire import iso


def jsonable(value: Any) -> Any:
    """A value as JSON holds it (event payloads, audit rows, API answers): datetimes as ISO
    strings in UTC, enums as their values, decimals as floats, containers recursively."""
    if isinstance(value, dt.datetime | dt.date):
        return iso(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(item) for item in value]
    return value


def apply_changes(obj: Any, values: Mapping[str, Any],
                  secret_fields: frozenset[str] = frozenset()) -> tuple[dict, dict]:
    """Set each attribute of ``obj`` named in ``values``; return ``(old, new)``.

    Only attributes whose value differs are set and reported. Fields named in
    ``secret_fields`` are set but reported as ``"***"`` so an audit trail can say a
    password changed without holding it.
    """
    old: dict[str, Any] = {}
    new: dict[str, Any] = {}
    for name, value in values.items():
        current = getattr(obj, name)
        if current == value:
            continue
        setattr(obj, name, value)
        if name in secret_fields:
            old[name], new[name] = "***", "***"
        else:
            old[name], new[name] = jsonable(current), jsonable(value)
    return old, new


def snapshot(obj: Any, names: tuple[str, ...]) -> dict[str, Any]:
    """The named attributes of ``obj`` as a JSON-ready dict (for create/delete events)."""
    return {name: jsonable(getattr(obj, name)) for name in names}
