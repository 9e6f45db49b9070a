"""Authentication (JWT access tokens), passwords (bcrypt) and role permissions.

pyramid_jwt decodes and signs the tokens; it ships a Pyramid 1 authentication policy, so it
is wrapped here in a Pyramid 2 security policy:

* identity: the token's ``sub`` is loaded as a :class:`~quizcore.models.User` row on every
  request. A deactivated user, or a token whose ``tv`` (token version) no longer matches the
  row (after logout, password change or reset), is anonymous at once.
* permits: an ACL on the root with one principal per role.

Permissions used by the services:

``view``   any signed-in user (the default permission of every view)
``teach``  teachers and admins
``study``  students
``admin``  admins only

Object ownership ("a teacher sees only the classes assigned to them") is checked by the
services, which answer 404 for objects the user may not see.
"""

from __future__ import annotations

import logging
import secrets
import threading
from dataclasses import dataclass

import bcrypt
from pyramid.authorization import ALL_PERMISSIONS, ACLHelper, Allow, Authenticated, Everyone
from pyramid.request import RequestLocalCache
from pyramid_jwt import create_jwt_authentication_policy

from .models import UNUSABLE_PASSWORD, Role, User
from .wire import (
    ACCESS_TOKEN_TYPE,
    CLAIM_ROLE,
    CLAIM_SUBJECT,
    CLAIM_TYPE,
    JWT_ALGORITHM,
    REQUIRED_ACCESS_CLAIMS,
)

log = logging.getLogger(__name__)

#: The token version claim: the user's ``token_version`` when the token was signed.
CLAIM_TOKEN_VERSION = "tv"  # noqa: S105 - a claim name, not a secret
#: bcrypt ignores bytes past 72, and bcrypt 5 refuses them: longer passwords are rejected.
MAX_PASSWORD_BYTES = 72


class Root:
    """The root resource: who may do what, by role."""

    __acl__ = [
        (Allow, f"role:{Role.ADMIN}", ALL_PERMISSIONS),
        (Allow, f"role:{Role.TEACHER}", ("view", "teach")),
        (Allow, f"role:{Role.STUDENT}", ("view", "study")),
    ]

    def __init__(self, request):
        self.request = request


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_in: int


class SecurityPolicy:
    """Pyramid 2 security policy around pyramid_jwt's token handling."""

    def __init__(self, jwt_policy):
        self.jwt = jwt_policy
        self.acl = ACLHelper()
        self._identity_cache = RequestLocalCache(self._load_identity)

    def _load_identity(self, request) -> User | None:
        claims = self.jwt.get_claims(request)
        if not claims or claims.get(CLAIM_TYPE) != ACCESS_TOKEN_TYPE or \
                not claims.get(CLAIM_SUBJECT):
            return None
        # PyJWT checks "exp" only when present; every token quizcore signs has one, so a
        # token without it was not issued here and must not live forever.
        if any(name not in claims for name in REQUIRED_ACCESS_CLAIMS):
            return None
        user = request.dbsession.get(User, str(claims[CLAIM_SUBJECT]))
        if user is None or not user.is_active or \
                user.token_version != claims.get(CLAIM_TOKEN_VERSION):
            return None
        return user

    def identity(self, request) -> User | None:
        return self._identity_cache.get_or_create(request)

    def authenticated_userid(self, request) -> str | None:
        user = self.identity(request)
        return user.id if user is not None else None

    def principals(self, request) -> list[str]:
        principals = [Everyone]
        user = self.identity(request)
        if user is not None:
            principals += [Authenticated, f"user:{user.id}", f"role:{user.role}"]
        return principals

    def permits(self, request, context, permission):
        return self.acl.permits(context, self.principals(request), permission)

    def remember(self, request, userid, **kw):
        return []

    def forget(self, request, **kw):
        return []

    def create_access_token(self, user: User, lifetime_seconds: int) -> IssuedToken:
        # pyramid_jwt writes the principal as the "sub" claim and the expiry as "exp".
        token = self.jwt.create_token(
            str(user.id),
            expiration=lifetime_seconds,
            **{CLAIM_ROLE: str(user.role), CLAIM_TOKEN_VERSION: user.token_version,
               CLAIM_TYPE: ACCESS_TOKEN_TYPE, "jti": secrets.token_hex(8)},
        )
        return IssuedToken(token, lifetime_seconds)


def create_access_token(request, user: User) -> IssuedToken:
    """Sign an access token for ``user`` with the configured lifetime."""
    policy: SecurityPolicy = request.registry["quizcore.security_policy"]
    lifetime = request.registry.settings["quizcore.access_token_lifetime_seconds"]
    return policy.create_access_token(user, lifetime)


# -- passwords -------------------------------------------------------------------------------


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


def includeme(config):
    settings = config.get_settings()
    jwt_policy = create_jwt_authentication_policy(
        config,
        private_key=settings["quizcore.jwt_secret"],
        algorithm=JWT_ALGORITHM,
        expiration=settings["quizcore.access_token_lifetime_seconds"],
        auth_type="Bearer",
        http_header="Authorization",
    )
    policy = SecurityPolicy(jwt_policy)
    config.registry["quizcore.security_policy"] = policy
    config.set_security_policy(policy)
    config.set_root_factory(Root)
    # Secure by default: a view that forgets its permission still needs a signed-in user.
    config.set_default_permission("view")
    config.add_request_method(lambda request: request.identity, "user", reify=True)
