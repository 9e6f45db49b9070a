"""A benchmark-only plugin: every API response whose transaction emitted a domain event
carries ``X-Committed-At``, the moment (epoch seconds) that transaction committed, taken
before its events are published to Redis. ``monitor_latency.py`` enables it to measure
commit -> websocket latency on the real endpoints.
"""

from __future__ import annotations

import time

from quizcore.events import DomainEvent


def stamp_commit_time(event: DomainEvent) -> None:
    request = event.request
    if request is None:
        return
    transaction = request.tm.get()
    stamped = request.__dict__.setdefault("_bench_stamped_transactions", set())
    if id(transaction) in stamped:
        return
    stamped.add(id(transaction))

    def stamp(committed: bool) -> None:
        if committed:
            request.response.headers["X-Committed-At"] = repr(time.time())

    # In-transaction subscribers run before emit() registers the hook that publishes the
    # transaction's events, so this hook runs first: the stamp precedes the publication.
    transaction.addAfterCommitHook(stamp)


def includeme(config):
    """Subscribes :func:`stamp_commit_time` to every domain event; reads no settings."""
    config.add_subscriber(stamp_commit_time, DomainEvent)
