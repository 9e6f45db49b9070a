"""How hard the security suite fuzzes: ``QUIZCORE_TEST_SECURITY_PROFILE=fast`` (the default,
part of ``make test``) or ``full`` (``make test-security``). The name starts with
``QUIZCORE_TEST_`` so that tests/conftest.py keeps it (it drops other QUIZCORE_ variables)."""

from __future__ import annotations

import os

PROFILE = os.environ.get("QUIZCORE_TEST_SECURITY_PROFILE", "fast")
if PROFILE not in ("fast", "full"):
    raise RuntimeError(f"QUIZCORE_TEST_SECURITY_PROFILE must be fast or full, not {PROFILE!r}")
FULL = PROFILE == "full"
