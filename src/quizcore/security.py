"""Authentication (JWT access tokens), passwords (bcrypt) and role permissions.

pyramid_jwt decodes and signs the tokens; it ships a Pyramid 1 authentication policy, so it
is wrapped here in a Pyramid 2 security policy:

* identity: the token's ``sub`` is looked up on every request, one Core select of the
  ``users`` columns an authorisation decision needs (:class:`Identity`, ``request.identity``).
  A deactivated user, or a token whose ``tv`` (token version) no longer matches the row
  (after logout, password change or reset), is anonymous at once. ``request.user`` is the
  ORM :class:`~quizcore.models.User`, loaded only when a view asks for it; the exam's hot
  paths (status, autosave, submit, violations) need only the identity.
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
from dataclasses import dataclass

import sqlalchemy as sa
from pyramid.authorization import ALL_PERMISSIONS, ACLHelper, Allow, Authenticated, Everyone
from pyramid.request import RequestLocalCache
from pyramid_jwt import create_jwt_authentication_policy

from .models import Role, User
from .wire import (
    ACCESS_CLAIMS_ENVIRON,
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


class Root:
    """The root resource: who may do what, by role."""

    __acl__ = [
        (Allow, f"role:{Role.ADMIN}", ALL_PERMISSIONS),
        (Allow, f"role:{Role.TEACHER}", ("view", "teach")),
        (Allow, f"role:{Role.STUDENT}", ("view", "study")),
    ]

    def __init__(self, request):
        self.request = request


@dataclass(frozen=True, slots=True)
class Identity:
    """The signed-in user as far as authorisation goes: who, and in which role. It answers
    ``id``, ``role``, ``name`` and ``email`` like :class:`~quizcore.models.User`, so the
    visibility rules take either."""

    id: str
    role: Role
    name: str
    email: str


_users = User.__table__
#: The identity's row: a Core statement, compiled once and cached by SQLAlchemy. Loading a
#: User through the ORM cost twice as much per request (identity map, attribute state).
_IDENTITY_ROW = sa.select(_users.c.id, _users.c.role, _users.c.name, _users.c.email,
                          _users.c.is_active, _users.c.token_version) \
    .where(_users.c.id == sa.bindparam("user_id"))


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

    def _load_identity(self, request) -> Identity | None:
        # The per-user rate-limit tween has usually verified the token already; a request it
        # did not decode (no limiter, other scheme, bad token) is decoded here as before.
        claims = request.environ.get(ACCESS_CLAIMS_ENVIRON)
        if claims is None:
            claims = self.jwt.get_claims(request)
        if not claims or claims.get(CLAIM_TYPE) != ACCESS_TOKEN_TYPE or \
                not claims.get(CLAIM_SUBJECT):
            return None
        # PyJWT checks "exp" only when present; every token quizcore signs has one, so a
        # token without it was not issued here and must not live forever.
        if any(name not in claims for name in REQUIRED_ACCESS_CLAIMS):
            return None
        row = request.dbsession.execute(
            _IDENTITY_ROW, {"user_id": str(claims[CLAIM_SUBJECT])}).one_or_none()
        if row is None or not row.is_active or \
                row.token_version != claims.get(CLAIM_TOKEN_VERSION):
            return None
        return Identity(row.id, Role(row.role), row.name, row.email)

    def identity(self, request) -> Identity | None:
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
    config.add_request_method(_user, "user", reify=True)


def _user(request) -> User | None:
    """The signed-in user's ORM row (``request.user``), for views that read or change more
    than the identity."""
    identity = request.identity
    return request.dbsession.get(User, identity.id) if identity is not None else None
