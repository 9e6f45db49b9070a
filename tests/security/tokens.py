"""Access tokens crafted with PyJWT: expired, forged, unsigned, signed with another secret,
with claims missing or wrong. Used against the API and the monitor sidecar alike."""

from __future__ import annotations

import base64
import json
import time

import jwt

from quizcore.wire import ACCESS_TOKEN_TYPE, JWT_ALGORITHM

OTHER_SECRET = "a-secret-that-is-not-the-server-one-0123456789abcdef"


def claims_for(user, **overrides) -> dict:
    """The claims quizcore itself puts in an access token of ``user``, valid for an hour."""
    now = int(time.time())
    claims = {"sub": str(user.id), "iat": now, "exp": now + 3600, "role": str(user.role),
              "tv": user.token_version, "typ": ACCESS_TOKEN_TYPE, "jti": "0123456789abcdef"}
    claims.update(overrides)
    return {key: value for key, value in claims.items() if value is not None}


def signed(claims: dict, secret: str, algorithm: str = JWT_ALGORITHM, headers=None) -> str:
    return jwt.encode(claims, secret, algorithm=algorithm, headers=headers)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unsigned(claims: dict) -> str:
    """``alg: none``, written by hand: PyJWT refuses to decode these, and so must the API."""
    header = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    return f"{header}.{_b64(json.dumps(claims).encode())}."


def with_forged_signature(token: str) -> str:
    """The same header and claims under a signature that does not match them."""
    header, payload, signature = token.split(".")
    flipped = "A" if signature[0] != "A" else "B"
    return f"{header}.{payload}.{flipped}{signature[1:]}"


def with_claims_swapped(token: str, **changes) -> str:
    """Another payload (for example a higher role) under the original signature."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update(changes)
    return f"{header}.{_b64(json.dumps(claims).encode())}.{signature}"


def forged_tokens(user, secret: str, valid_token: str) -> dict[str, str]:
    """name -> a token that must never authenticate ``user`` (``secret``: the server's)."""
    now = int(time.time())
    return {
        "expired": signed(claims_for(user, iat=now - 7200, exp=now - 3600), secret),
        "not_yet_valid": signed(claims_for(user, nbf=now + 3600), secret),
        "forged_signature": with_forged_signature(valid_token),
        "claims_swapped": with_claims_swapped(valid_token, role="admin"),
        "alg_none": unsigned(claims_for(user)),
        "alg_none_uppercase": unsigned(claims_for(user)).replace(
            _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode()),
            _b64(json.dumps({"alg": "NONE", "typ": "JWT"}).encode())),
        "other_secret": signed(claims_for(user), OTHER_SECRET),
        "other_algorithm": signed(claims_for(user), secret, algorithm="HS512"),
        "no_type": signed(claims_for(user, typ=None), secret),
        "refresh_type": signed(claims_for(user, typ="refresh"), secret),
        "no_subject": signed(claims_for(user, sub=None), secret),
        "unknown_subject": signed(claims_for(user, sub="00000000-0000-0000-0000-000000000000"),
                                  secret),
        "subject_not_a_string": signed(claims_for(user, sub={"id": str(user.id)}), secret),
        "stale_token_version": signed(claims_for(user, tv=user.token_version - 1), secret),
        "no_token_version": signed(claims_for(user, tv=None), secret),
        "no_expiry": signed(claims_for(user, exp=None), secret),
        "expiry_not_a_number": signed(claims_for(user, exp="tomorrow"), secret),
    }
