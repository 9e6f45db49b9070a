"""Passwords: bcrypt hashes, the rules a new password must meet, timing-safe refusals.

bcrypt (a maintained library) does the hashing; bcrypt 5 refuses passwords over 72 bytes,
so :func:`password_problem` refuses them with a clear message before they get there.
Nothing here imports Pyramid: the domain, the services and ``quizctl`` share it.
"""

from __future__ import annotations

import secrets
import threading

import bcrypt

from ..models import UNUSABLE_PASSWORD

MAX_PASSWORD_BYTES = 72


def password_problem(password: str, min_length: int) -> str | None:
    """Why ``password`` is not acceptable, or None. Used by the schemas for a clear 400."""
    if len(password) < min_length:
        return f"Password must be at least {min_length} characters long."
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        return f"Password must be at most {MAX_PASSWORD_BYTES} bytes long."
    if not password.strip():
        return "Password cannot be blank."
    return None


def hash_password(password: str, rounds: int) -> str:
    """bcrypt hash; callers validate length first (see :func:`password_problem`)."""
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds)).decode("ascii")


def verify_password(password: str, password_hash: str | None) -> bool:
    """True when ``password`` matches. Never true for the unusable marker or bad input."""
    if not password_hash or password_hash == UNUSABLE_PASSWORD or \
            not password_hash.startswith("$2"):
        return False
    encoded = password.encode("utf-8")
    if len(encoded) > MAX_PASSWORD_BYTES:
        return False
    try:
        return bcrypt.checkpw(encoded, password_hash.encode("ascii"))
    except ValueError:
        return False


def hash_rounds(password_hash: str) -> int | None:
    """The cost factor of a bcrypt hash (``$2b$12$...`` -> 12)."""
    try:
        return int(password_hash.split("$")[2])
    except (IndexError, ValueError, AttributeError):
        return None


_dummy_lock = threading.Lock()
_dummy_hashes: dict[int, str] = {}


def dummy_verify(password: str, rounds: int) -> None:
    """Spend the time a real check would, so unknown accounts cannot be told apart."""
    with _dummy_lock:
        if rounds not in _dummy_hashes:
            _dummy_hashes[rounds] = hash_password(secrets.token_hex(8), rounds)
        dummy = _dummy_hashes[rounds]
    verify_password(password[:MAX_PASSWORD_BYTES], dummy)
