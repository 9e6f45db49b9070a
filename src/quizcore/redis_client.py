"""The Redis connection shared by a process (``request.redis``), and :data:`REDIS_ERRORS`.

Redis carries live events to the monitor, shared rate-limit counters and short-lived caches.
Nothing in it is the only copy of a fact, so every caller treats it as optional: when Redis
is unreachable the request is still served and the failure is logged.
"""

from __future__ import annotations

import logging

import redis

log = logging.getLogger(__name__)

#: Exceptions that mean "Redis cannot serve this right now", for the API and the monitor
#: sidecar alike. Every Redis error counts, not only a lost connection: a Redis that answers
#: but refuses (READONLY after a failover, OOM at maxmemory, MISCONF when it cannot persist,
#: NOAUTH, LOADING) is as unavailable to a caller that treats Redis as optional as one that
#: is down. OSError covers socket failures redis-py does not wrap.
REDIS_ERRORS = (redis.exceptions.RedisError, OSError)


def make_redis(url: str, timeout_seconds: float) -> redis.Redis:
    return redis.Redis.from_url(
        url,
        socket_timeout=timeout_seconds,
        socket_connect_timeout=timeout_seconds,
        health_check_interval=30,
        decode_responses=True,
    )


def includeme(config):
    settings = config.get_settings()
    client = config.registry.get("redis") or make_redis(
        settings["quizcore.redis_url"], settings["quizcore.redis_timeout_seconds"])
    config.registry["redis"] = client
    config.add_request_method(lambda request: request.registry["redis"], "redis", reify=True)
