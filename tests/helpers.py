"""Small helpers shared by the tests."""

from __future__ import annotations

from quizcore.security import SecurityPolicy


def auth_headers(registry, user) -> dict[str, str]:
    policy: SecurityPolicy = registry["quizcore.security_policy"]
    lifetime = registry.settings["quizcore.access_token_lifetime_seconds"]
    token = policy.create_access_token(user, lifetime).token
    return {"Authorization": f"Bearer {token}"}


def assert_error(response, status: int) -> dict:
    """The response has ``status`` and the quizcore JSON error body; returns the body."""
    assert response.status_code == status, response.text
    assert response.content_type == "application/json", response.text
    body = response.json
    assert isinstance(body.get("error"), str) and body["error"], body
    assert isinstance(body.get("message"), str) and body["message"], body
    return body
