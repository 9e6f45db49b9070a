"""Every ``quizcore.*`` setting in one place: its default, its type and its check.

Settings come from the ini file's ``[app:main]`` section; an environment variable overrides
any of them. The variable's name is the key upper-cased with dots turned into underscores
(``quizcore.monitor.port`` -> ``QUIZCORE_MONITOR_PORT``). ``QUIZCORE_DATABASE_URL``
overrides ``sqlalchemy.url``.

Values are parsed once at start-up and written back into the registry settings with their
real types, so the rest of the code reads ``settings["quizcore.bcrypt_rounds"]`` as an int.
A bad value stops the application before it serves a request.

Plugins declare their own keys the same way (``config.add_settings_spec(...)``, the
directive :mod:`quizcore.app` registers); the keys are prefixed ``quizcore.<plugin>.``.

This module imports no Pyramid: the monitor sidecar parses its settings with it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

#: Used when no secret is configured. Development and tests only: production refuses it.
# noqa below: a published placeholder that production refuses (check_secrets).
DEVELOPMENT_JWT_SECRET = "quizcore-development-secret-do-not-use-in-production-0123456789abcdef"  # noqa: S105,E501
MIN_PRODUCTION_SECRET_BYTES = 32

DATABASE_URL_ENV = "QUIZCORE_DATABASE_URL"


class SettingsError(Exception):
    """A setting has a value quizcore cannot use."""


# -- parsers ---------------------------------------------------------------------------------


# as_bool and as_list read values as pyramid.settings.asbool/aslist do, without importing
# Pyramid (the sidecar parses its settings here); tests/core/test_settings.py compares them.
#: The words ``asbool`` reads as true, and the ones quizcore accepts as false.
TRUE_WORDS = frozenset({"1", "true", "yes", "on", "y", "t"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", "n", "f"})


def as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text not in TRUE_WORDS | FALSE_WORDS:
        raise ValueError(f"expected a boolean (true/false), got {value!r}")
    return text in TRUE_WORDS


def as_int(minimum: int | None = None, maximum: int | None = None) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        number = int(str(value).strip())
        if minimum is not None and number < minimum:
            raise ValueError(f"must be at least {minimum}")
        if maximum is not None and number > maximum:
            raise ValueError(f"must be at most {maximum}")
        return number

    return parse


def as_float(minimum: float | None = None) -> Callable[[Any], float]:
    def parse(value: Any) -> float:
        number = float(str(value).strip())
        if minimum is not None and number < minimum:
            raise ValueError(f"must be at least {minimum}")
        return number

    return parse


def as_list(value: Any) -> tuple[str, ...]:
    """One entry per line or separated by spaces; commas are accepted too."""
    if isinstance(value, list | tuple):
        return tuple(value)
    return tuple(str(value).replace(",", " ").split())


def as_str(value: Any) -> str:
    return str(value).strip()


def one_of(*choices: str) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        text = str(value).strip().lower()
        if text not in choices:
            raise ValueError(f"must be one of {', '.join(choices)}")
        return text

    return parse


def as_rate(value: Any) -> str:
    """A rate limit in the notation of the ``limits`` library, e.g. ``10/minute``."""
    from limits import parse_many

    text = str(value).strip()
    parse_many(text)  # raises ValueError on bad notation
    return text


# -- specs -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Setting:
    key: str
    default: Any
    parse: Callable[[Any], Any] = as_str
    doc: str = ""

    @property
    def environ_name(self) -> str:
        return environ_name(self.key)


def environ_name(key: str) -> str:
    return key.upper().replace(".", "_").replace("-", "_")


CORE_SETTINGS: tuple[Setting, ...] = (
    Setting("quizcore.env", "development", one_of("development", "production", "test"),
            "production enforces real secrets"),
    Setting("quizcore.plugins", (), as_list, "dotted names of enabled plugins, one per line"),
    Setting("quizcore.jwt_secret", DEVELOPMENT_JWT_SECRET, as_str,
            "HMAC key for access tokens; set QUIZCORE_JWT_SECRET in production"),
    Setting("quizcore.access_token_lifetime_seconds", 3600, as_int(60)),
    Setting("quizcore.refresh_token_lifetime_seconds", 30 * 24 * 3600, as_int(300)),
    Setting("quizcore.redis_url", "redis://127.0.0.1:6379/0", as_str),
    Setting("quizcore.redis_timeout_seconds", 0.5, as_float(0.01),
            "socket timeout for Redis calls made while serving a request"),
    Setting("quizcore.cors_origins", (), as_list, "allowed browser origins, e.g. https://quiz.school.example"),
    Setting("quizcore.max_body_bytes", 16 * 1024 * 1024, as_int(1024),
            "largest request body accepted (uploads included); larger gets 413"),
    Setting("quizcore.events_stream_maxlen", 5000, as_int(10),
            "approximate length kept of each quiz's Redis event stream"),
    # Accounts
    Setting("quizcore.bcrypt_rounds", 12, as_int(4, 16)),
    Setting("quizcore.password_min_length", 8, as_int(4, 72)),
    Setting("quizcore.reset_code_lifetime_seconds", 900, as_int(60)),
    Setting("quizcore.reset_code_max_tries", 5, as_int(1)),
    Setting("quizcore.reset_token_lifetime_seconds", 900, as_int(60)),
    Setting("quizcore.mailer", "file", one_of("file", "smtp", "null"),
            "file writes mails under quizcore.mail_dir and logs them; smtp sends them"),
    Setting("quizcore.mail_dir", "var/mail", as_str),
    Setting("quizcore.mail_from", "quizcore <no-reply@quizcore.local>", as_str),
    Setting("quizcore.smtp_host", "localhost", as_str),
    Setting("quizcore.smtp_port", 25, as_int(1, 65535)),
    Setting("quizcore.smtp_username", "", as_str),
    Setting("quizcore.smtp_password", "", as_str),
    Setting("quizcore.smtp_starttls", False, as_bool),
    Setting("quizcore.smtp_timeout_seconds", 10.0, as_float(0.1)),
    Setting("quizcore.ratelimit_enabled", True, as_bool),
    Setting("quizcore.ratelimit_login_per_ip", "30/minute", as_rate),
    Setting("quizcore.ratelimit_login_per_account", "10/minute", as_rate),
    Setting("quizcore.ratelimit_reset_per_email", "5/15minutes", as_rate),
    Setting("quizcore.ratelimit_reset_per_ip", "20/15minutes", as_rate),
    Setting("quizcore.ratelimit_default_per_user", "600/minute", as_rate,
            "every authenticated endpoint; generous enough for autosave and violation reports"),
    Setting("quizcore.ratelimit_auth_failure_per_ip", "120/minute", as_rate,
            "failed refreshes and expired or forged bearer tokens, per client address "
            "(a classroom shares one)"),
    Setting("quizcore.ratelimit_auth_failure_per_token", "10/minute", as_rate,
            "the same failures, per presented token: stops a client looping on a dead token"),
    Setting("quizcore.ratelimit_quiz_password_per_ip", "30/minute", as_rate,
            "wrong quiz passwords at start, per client address (a classroom shares one)"),
    Setting("quizcore.ratelimit_quiz_password_per_student", "5/minute", as_rate,
            "wrong quiz passwords at start, per student and quiz"),
    Setting("quizcore.refresh_cookie", False, as_bool,
            "also hand the refresh token out as an HttpOnly cookie (path /api/auth, "
            "SameSite=Strict) and accept it on refresh and logout"),
    Setting("quizcore.refresh_cookie_name", "quizcore_refresh", as_str),
    Setting("quizcore.refresh_cookie_secure", True, as_bool,
            "Secure flag of the refresh cookie; false only for plain-http development"),
    # Assessment
    Setting("quizcore.answer_grace_seconds", 30, as_int(0)),
    Setting("quizcore.quiz_payload_cache_seconds", 3600, as_int(0),
            "how long a published quiz's student view stays cached in Redis; 0 disables"),
    Setting("quizcore.sweep_interval_seconds", 0, as_int(0),
            "run the expired-attempt sweeper inside the API every N seconds "
            "(0: off, use quizctl sweep)"),
    # Documents (PDF exports and reports)
    Setting("quizcore.pdf_font_dir", "/usr/share/fonts/truetype/dejavu", as_str,
            "directory of the DejaVu Sans fonts PDFs are set in (Debian: fonts-dejavu-core); "
            "non-Latin names need them"),
    # Live monitor sidecar
    Setting("quizcore.monitor.host", "127.0.0.1", as_str),
    Setting("quizcore.monitor.port", 8765, as_int(1, 65535)),
    Setting("quizcore.monitor.api_url", "http://127.0.0.1:6543/api", as_str),
    Setting("quizcore.monitor.allowed_origins", (), as_list,
            "browser origins allowed to open the websocket; empty allows same-origin only"),
    Setting("quizcore.monitor.status_interval_seconds", 5.0, as_float(0.1)),
    Setting("quizcore.monitor.ping_interval_seconds", 20.0, as_float(0.5)),
    Setting("quizcore.monitor.socket_queue_size", 1000, as_int(1)),
    Setting("quizcore.monitor.public_api_url", "", as_str,
            "the API base URL the monitor page's browser uses (login, quiz list); "
            "empty: the same as quizcore.monitor.api_url"),
    Setting("quizcore.monitor.api_timeout_seconds", 10.0, as_float(0.1),
            "how long the monitor waits for a quiz snapshot from the API"),
    Setting("quizcore.monitor.auth_timeout_seconds", 10.0, as_float(0.1),
            "how long a websocket may stay open without authenticating"),
    Setting("quizcore.monitor.poll_interval_seconds", 1.0, as_float(0.05),
            "watched streams are also read this often, in case a wake-up was lost"),
)


def parse_settings(
    raw: Mapping[str, Any],
    specs: Iterable[Setting] = CORE_SETTINGS,
    environ: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Return the parsed value of every key in ``specs``.

    The environment wins over ``raw``, ``raw`` wins over the default. Raises
    :class:`SettingsError` naming the key and the variable it came from.
    """
    environ = os.environ if environ is None else environ
    parsed: dict[str, Any] = {}
    for spec in specs:
        source = "default"
        value = spec.default
        if spec.key in raw:
            value, source = raw[spec.key], "ini file"
        if spec.environ_name in environ:
            value, source = environ[spec.environ_name], f"environment variable {spec.environ_name}"
        try:
            parsed[spec.key] = spec.parse(value)
        except (TypeError, ValueError) as exc:
            raise SettingsError(f"Setting {spec.key} (from {source}) is invalid: {exc}") from None
    return parsed


def check_secrets(settings: Mapping[str, Any]) -> None:
    """Refuse to run in production with the development secret or a short one."""
    if settings.get("quizcore.env") != "production":
        return
    secret = settings.get("quizcore.jwt_secret") or ""
    if secret == DEVELOPMENT_JWT_SECRET:
        raise SettingsError(
            "quizcore.env is production but no JWT secret is set: export QUIZCORE_JWT_SECRET "
            f"(at least {MIN_PRODUCTION_SECRET_BYTES} random bytes, e.g. `openssl rand -hex 48`)."
        )
    if len(secret.encode()) < MIN_PRODUCTION_SECRET_BYTES:
        raise SettingsError(
            f"QUIZCORE_JWT_SECRET is too short for production: use at least "
            f"{MIN_PRODUCTION_SECRET_BYTES} bytes."
        )


def database_url(raw: Mapping[str, Any], environ: Mapping[str, str] | None = None) -> str:
    environ = os.environ if environ is None else environ
    url = environ.get(DATABASE_URL_ENV) or raw.get("sqlalchemy.url")
    if not url:
        raise SettingsError(f"No database configured: set sqlalchemy.url or {DATABASE_URL_ENV}.")
    return url


def load(raw: Mapping[str, Any], environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Raw ini settings in, a complete and checked settings dict out (core keys only)."""
    settings = dict(raw)
    settings["sqlalchemy.url"] = database_url(raw, environ)
    settings.update(parse_settings(raw, CORE_SETTINGS, environ))
    check_secrets(settings)
    return settings
