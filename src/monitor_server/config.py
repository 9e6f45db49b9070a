"""Settings of the monitor sidecar, read from the same ini file as the API.

The ``quizcore.monitor.*`` keys, the JWT secret and the Redis URL are parsed by
:mod:`quizcore.settings`, so the environment overrides work the same way
(``QUIZCORE_MONITOR_PORT``, ``QUIZCORE_MONITOR_API_URL``, ``QUIZCORE_REDIS_URL``...).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from plaster import get_settings

from quizcore.settings import CORE_SETTINGS, check_secrets, parse_settings

MONITOR_KEYS = ("quizcore.env", "quizcore.jwt_secret", "quizcore.redis_url")


def parse(raw: Mapping[str, Any], environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The sidecar's settings from raw ini values (environment variables win)."""
    specs = [s for s in CORE_SETTINGS
             if s.key in MONITOR_KEYS or s.key.startswith("quizcore.monitor.")]
    settings = parse_settings(raw, specs, environ)
    check_secrets(settings)
    settings["quizcore.monitor.api_url"] = settings["quizcore.monitor.api_url"].rstrip("/")
    public = settings["quizcore.monitor.public_api_url"].rstrip("/")
    settings["quizcore.monitor.public_api_url"] = public or settings["quizcore.monitor.api_url"]
    return settings


def load_settings(ini_path: str, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    return parse(get_settings(ini_path, "app:main"), environ)
