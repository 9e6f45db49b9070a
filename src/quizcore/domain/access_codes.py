"""Quiz access codes: what a teacher writes on the board and students type in.

Generated codes use an alphabet without the characters people confuse when reading or
typing them (0/O, 1/I), are drawn with :mod:`secrets` (so codes of other quizzes cannot be
guessed from one) and are unique: a collision is detected and a new code drawn.
A teacher may choose a code instead; it is checked by :func:`code_problem`.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

#: Upper-case letters and digits without 0, O, 1 and I.
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
GENERATED_LENGTH = 6
MIN_LENGTH = 4
MAX_LENGTH = 20  # quizzes.access_code is VARCHAR(20)
MAX_DRAWS = 20

_VALID = re.compile(r"^[A-Z0-9]+$")
#: Path words under /api/quizzes/{id}/...; a code equal to one would be ambiguous in URLs.
RESERVED = frozenset({"ACCESS", "START", "PUBLISH", "ARCHIVE", "MONITOR"})


def normalize(code: str) -> str:
    """Codes are case-insensitive: stored and compared upper-case, surrounding spaces cut."""
    return code.strip().upper()


def generate(length: int = GENERATED_LENGTH) -> str:
    """One random code from :data:`ALPHABET`."""
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def code_problem(code: str) -> str | None:
    """Why a code chosen by a teacher cannot be used (after :func:`normalize`), or None."""
    if not MIN_LENGTH <= len(code) <= MAX_LENGTH:
        return f"An access code has {MIN_LENGTH} to {MAX_LENGTH} characters."
    if not _VALID.match(code):
        return "An access code may contain only letters A-Z and digits."
    if code in RESERVED:
        return f"{code} is a reserved word; choose another access code."
    return None


def unique_code(is_taken: Callable[[str], bool], draw: Callable[[], str] | None = None) -> str:
    """A generated code that ``is_taken`` says is free.

    Two quizzes created at the same instant could still draw the same free code; the unique
    key on ``quizzes.access_code`` catches that and the caller draws again
    (see :func:`quizcore.domain.quizzes.create_quiz`).
    """
    draw = draw or generate
    for _ in range(MAX_DRAWS):
        code = draw()
        if not is_taken(code):
            return code
    # 32**6 codes: twenty collisions in a row mean something else is wrong (e.g. a broken
    # random source); say so rather than loop forever.
    raise RuntimeError(f"No free access code found in {MAX_DRAWS} draws.")
