"""Query parameters shared by the download and analytics endpoints."""

from __future__ import annotations

import colander

from ..domain.analytics import ATTEMPT_MODES, FIRST
from .types import lower_strip


def format_field(*choices: str, description: str = "") -> colander.SchemaNode:
    """``format``: one of ``choices`` (case-insensitive); the first is the default."""
    return colander.SchemaNode(
        colander.String(), preparer=lower_strip, missing=choices[0],
        validator=colander.OneOf(choices),
        description=description or f"{' | '.join(choices)} (default {choices[0]})")


def attempts_field() -> colander.SchemaNode:
    """``attempts``: which attempts the statistics count (``first`` or ``all``)."""
    return colander.SchemaNode(
        colander.String(), preparer=lower_strip, missing=FIRST,
        validator=colander.OneOf(ATTEMPT_MODES),
        description="first (default): each student's first ended attempt counts; all: "
                    "every ended attempt")
