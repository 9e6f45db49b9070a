"""Small helpers shared by the tests."""

from __future__ import annotations

import threading

from quizcore.security import SecurityPolicy


def auth_headers(registry, user) -> dict[str, str]:
    policy: SecurityPolicy = registry["quizcore.security_policy"]
    lifetime = registry.settings["quizcore.access_token_lifetime_seconds"]
    token = policy.create_access_token(user, lifetime).token
    return {"Authorization": f"Bearer {token}"}


def fill(value, ids: dict):
    """``value`` (a string, or lists and dicts of them) with every ``{name}`` replaced by
    ``ids[name]``: request paths and bodies written against rows made in the test."""
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, list):
        return [fill(item, ids) for item in value]
    if isinstance(value, dict):
        return {key: fill(item, ids) for key, item in value.items()}
    return value


def assert_error(response, status: int) -> dict:
    """The response has ``status`` and the quizcore JSON error body; returns the body."""
    assert response.status_code == status, response.text
    assert response.content_type == "application/json", response.text
    body = response.json
    assert isinstance(body.get("error"), str) and body["error"], body
    assert isinstance(body.get("message"), str) and body["message"], body
    return body


def run_together(count: int, action, timeout: float = 120) -> list:
    """Run ``action(i)`` in ``count`` threads released at the same instant (a barrier).

    Returns each thread's result, or the exception it raised, in thread order. A thread that
    does not finish within ``timeout`` fails the test instead of hanging the run.
    """
    barrier = threading.Barrier(count, timeout=timeout)
    results: list = [None] * count

    def worker(index):
        barrier.wait()
        try:
            results[index] = action(index)
        except Exception as exc:  # noqa: BLE001 - handed to the test
            results[index] = exc

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return results
