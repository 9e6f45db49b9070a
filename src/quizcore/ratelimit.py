"""Rate limits with counters in Redis, shared by every API process.

Counting is done by the ``limits`` library (fixed windows, one Redis round trip per hit,
through the application's own Redis connection pool and timeouts). The rules come from the
``quizcore.ratelimit_*`` settings, each in the library's notation (``10/minute``, or several
separated by ``;`` such as ``10/minute;100/hour``):

``login_per_ip``, ``login_per_account``  failed logins (and failed account claims)
``reset_per_email``, ``reset_per_ip``     forgot-password and verify-reset-code requests
``default_per_user``                      every request carrying a valid access token
``auth_failure_per_ip``, ``auth_failure_per_token``
                                          failed refreshes (unknown, expired, revoked or
                                          reused refresh token) and requests presenting a
                                          bearer token that is expired or badly signed
``quiz_password_per_ip``, ``quiz_password_per_student``
                                          wrong quiz passwords at the start of an attempt
                                          (per address; per student and quiz)

The per-user limit is applied by a tween from the token's ``sub`` alone (no database
query), before the view runs. The same tween counts a presented access token that does not
verify as a failed authentication, and answers 429 once its client address or that token
is over its limit, before any view (no database, no bcrypt). ``POST /auth/refresh`` checks
both limits before it looks the refresh token up. Tokens are counted by a SHA-256 digest,
never stored as sent. A limited request gets 429 with ``Retry-After`` in the JSON error
format.

Redis being unreachable must not lock anybody out: the request is served (fail open) and a
warning is logged (at most every :data:`FAILURE_LOG_INTERVAL_SECONDS`).
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
from dataclasses import dataclass

import jwt
from limits import RateLimitItem, parse_many
from limits.errors import StorageError
from limits.storage import RedisStorage
from limits.strategies import FixedWindowRateLimiter
from pyramid import httpexceptions as exc
from pyramid.tweens import EXCVIEW

from .errors import http_error
from .redis_client import REDIS_ERRORS
from .wire import ACCESS_CLAIMS_ENVIRON, ACCESS_TOKEN_TYPE, CLAIM_SUBJECT, CLAIM_TYPE

log = logging.getLogger(__name__)

#: Setting suffix -> rule name (``quizcore.ratelimit_login_per_ip`` -> ``login_per_ip``).
RULES = ("login_per_ip", "login_per_account", "reset_per_email", "reset_per_ip",
         "default_per_user", "auth_failure_per_ip", "auth_failure_per_token",
         "quiz_password_per_ip", "quiz_password_per_student")
KEY_PREFIX = "quizcore:ratelimit"
FAILURE_LOG_INTERVAL_SECONDS = 30.0
STORAGE_ERRORS = (*REDIS_ERRORS, StorageError)


@dataclass(frozen=True)
class Limited:
    """A request over its limit: which rule, and how long until it may retry."""

    rule: str
    retry_after: int


class RateLimits:
    """The rules of one application and the shared counters behind them."""

    def __init__(self, redis_client, settings, enabled: bool | None = None):
        self.enabled = settings["quizcore.ratelimit_enabled"] if enabled is None else enabled
        self.rules: dict[str, tuple[RateLimitItem, ...]] = {
            name: tuple(parse_many(settings[f"quizcore.ratelimit_{name}"])) for name in RULES
        }
        # The application's pool: same server, same short timeouts as every Redis call.
        self.storage = RedisStorage("redis://", connection_pool=redis_client.connection_pool,
                                    key_prefix=KEY_PREFIX)
        self.limiter = FixedWindowRateLimiter(self.storage)
        self._failure_lock = threading.Lock()
        self._last_failure_log = -math.inf

    def hit(self, rule: str, *identifiers: str) -> Limited | None:
        """Count one request against every limit of ``rule``; a :class:`Limited` when over."""
        return self._check(rule, identifiers, count=True)

    def test(self, rule: str, *identifiers: str) -> Limited | None:
        """Would a request be limited? Counts nothing (for rules that count failures only)."""
        return self._check(rule, identifiers, count=False)

    def clear(self, rule: str, *identifiers: str) -> None:
        for item in self.rules[rule]:
            try:
                self.limiter.clear(item, rule, *identifiers)
            except STORAGE_ERRORS as error:
                self._storage_failed(error)

    def _check(self, rule: str, identifiers: tuple[str, ...], count: bool) -> Limited | None:
        if not self.enabled:
            return None
        identifiers = tuple(str(i).lower() for i in identifiers)
        try:
            for item in self.rules[rule]:
                allowed = (self.limiter.hit(item, rule, *identifiers) if count
                           else self.limiter.test(item, rule, *identifiers))
                if not allowed:
                    reset_at = self.limiter.get_window_stats(item, rule, *identifiers).reset_time
                    return Limited(rule, max(1, math.ceil(reset_at - time.time())))
        except STORAGE_ERRORS as error:
            self._storage_failed(error)
        return None

    def _storage_failed(self, error: BaseException) -> None:
        # Every request would log the same line while Redis is down: one line per interval.
        now = time.monotonic()
        with self._failure_lock:
            if now - self._last_failure_log < FAILURE_LOG_INTERVAL_SECONDS:
                return
            self._last_failure_log = now
        log.warning("Rate limits not enforced: Redis unreachable (%s); serving the request.",
                    error)


def too_many_requests(limited: Limited):
    """The 429 answer (JSON error body, ``Retry-After`` header)."""
    return http_error(
        exc.HTTPTooManyRequests,
        f"Too many requests. Try again in {limited.retry_after} seconds.",
        "Too many requests",
        headers={"Retry-After": str(limited.retry_after)},
        retry_after=limited.retry_after,
    )


def enforce(request, rule: str, *identifiers: str) -> None:
    """Count a request against ``rule`` and raise 429 when it is over the limit."""
    limited = request.ratelimits.hit(rule, *identifiers)
    if limited is not None:
        raise too_many_requests(limited)


def client_address(request) -> str:
    """The client's IP address for per-IP limits.

    ``remote_addr``, never ``X-Forwarded-For`` (anyone can send that header): behind a
    proxy, waitress's ``trusted_proxy`` settings put the real address in ``remote_addr``.
    """
    return request.remote_addr or "unknown"


AUTH_FAILURES_COUNTED = "quizcore.auth_failures_counted"


def token_key(token: str) -> str:
    """What a presented token is counted under: a digest, so Redis never holds a token."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def auth_failure_limited(request, *tokens: str | None) -> Limited | None:
    """Is this client address, or one of these presented tokens, over its failure limit?
    Counts nothing: call it before the work a failure would cost."""
    limits: RateLimits = request.ratelimits
    # A key this request has already counted was judged then (by the tween): testing it
    # again would refuse the request its own last allowed failure.
    counted = request.environ.get(AUTH_FAILURES_COUNTED, ())
    keys = [("auth_failure_per_ip", client_address(request))]
    keys += [("auth_failure_per_token", token_key(token)) for token in tokens if token]
    for rule, identifier in keys:
        if (rule, identifier) not in counted:
            limited = limits.test(rule, identifier)
            if limited is not None:
                return limited
    return None


def record_auth_failure(request, *tokens: str | None) -> Limited | None:
    """Count one failed authentication of this request against its address and each
    presented token (once per request, however many steps saw the failure)."""
    limits: RateLimits = request.ratelimits
    counted = request.environ.setdefault(AUTH_FAILURES_COUNTED, set())
    limited = None
    keys = [("auth_failure_per_ip", client_address(request))]
    keys += [("auth_failure_per_token", token_key(token)) for token in tokens if token]
    for rule, identifier in keys:
        if (rule, identifier) in counted:
            continue
        counted.add((rule, identifier))
        limited = limits.hit(rule, identifier) or limited
    return limited


@dataclass(frozen=True)
class PresentedToken:
    """The bearer token of a request, as far as it can be judged without the database."""

    token: str | None = None
    subject: str | None = None  # the user id of a verified access token

    @property
    def failed(self) -> bool:
        """A JWT was presented and does not verify (expired, bad signature, wrong type)."""
        return self.token is not None and self.subject is None


def presented_access_token(policy, request) -> PresentedToken:
    """The ``sub`` of a valid access token, without touching the database.

    Decoded quietly here (the security policy reuses the verified claims, and decodes again
    only to log a bad token): a refresh token sent as ``Authorization: Bearer`` is not a JWT
    and must not be logged as a broken one, nor counted as a failure.
    """
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or token.count(".") != 2:
        return PresentedToken()
    jwt_policy = policy.jwt
    try:
        claims = jwt.decode(token, jwt_policy.public_key or jwt_policy.private_key,
                            algorithms=[jwt_policy.algorithm], leeway=jwt_policy.leeway,
                            audience=jwt_policy.audience)
    except jwt.InvalidTokenError:
        return PresentedToken(token)
    # One decode per request: the security policy reuses these verified claims (same key,
    # algorithm, leeway and audience as pyramid_jwt) when the scheme is exactly the one
    # pyramid_jwt accepts, instead of decoding the token a second time.
    if scheme == jwt_policy.auth_type:
        request.environ[ACCESS_CLAIMS_ENVIRON] = claims
    subject = claims.get(CLAIM_SUBJECT)
    if claims.get(CLAIM_TYPE) != ACCESS_TOKEN_TYPE or not subject:
        return PresentedToken(token)
    return PresentedToken(token, str(subject))


def ratelimit_tween_factory(handler, registry):
    """Apply ``default_per_user`` to every request with a valid access token, and the
    ``auth_failure_*`` limits to every request presenting one that does not verify."""
    limits: RateLimits = registry["quizcore.ratelimits"]
    if not limits.enabled:
        return handler
    policy = registry["quizcore.security_policy"]

    def ratelimit_tween(request):
        if request.method != "OPTIONS":
            presented = presented_access_token(policy, request)
            if presented.subject is not None:
                limited = limits.hit("default_per_user", presented.subject)
            elif presented.failed:
                # Counted before the view: a client looping on a dead token is answered
                # from Redis alone once it is over the limit.
                limited = record_auth_failure(request, presented.token)
            else:
                limited = None
            if limited is not None:
                return too_many_requests(limited)
        return handler(request)

    return ratelimit_tween


def includeme(config):
    """Registers ``registry["quizcore.ratelimits"]``, ``request.ratelimits`` and the per-user
    tween. Reads ``quizcore.ratelimit_enabled`` and the ``quizcore.ratelimit_*`` rules."""
    registry = config.registry
    registry["quizcore.ratelimits"] = RateLimits(registry["redis"], registry.settings)
    config.add_request_method(lambda request: request.registry["quizcore.ratelimits"],
                              "ratelimits", reify=True)
    # Under CORS and the body limit (so a 429 carries CORS headers), over the exception view.
    config.add_tween("quizcore.ratelimit.ratelimit_tween_factory",
                     under="quizcore.tweens.body_limit_tween_factory", over=EXCVIEW)
