"""``GET /api/health``: can this process reach its database and Redis?"""

from __future__ import annotations

import logging

import sqlalchemy as sa

from ..redis_client import REDIS_ERRORS
from ..rest import NO_PERMISSION_REQUIRED, Service

log = logging.getLogger(__name__)

health = Service(name="health", path="/api/health",
                 description="Database and Redis reachability of this API process.")


@health.get(permission=NO_PERMISSION_REQUIRED)
def get_health(request):
    """200 while the database answers (Redis is optional: "degraded" without it); else 503."""
    registry = request.registry
    database = "ok"
    try:
        with registry["dbengine"].connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as exc:
        log.error("Health check: database unreachable: %s", exc)
        database = "unavailable"
    redis_state = "ok"
    try:
        registry["redis"].ping()
    except REDIS_ERRORS as exc:
        log.warning("Health check: Redis unreachable: %s", exc)
        redis_state = "unavailable"

    status = "ok" if database == "ok" and redis_state == "ok" else "degraded"
    if database != "ok":
        status = "unavailable"
        request.response.status_code = 503
    return {
        "status": status,
        "database": database,
        "redis": redis_state,
        "plugins": list(registry.get("quizcore.plugins", ())),
        "realtime_publish_failures": registry["quizcore.realtime_failures"].value,
    }


def includeme(config):
    config.add_cornice_service(health)
    config.add_operation_statuses(health, "GET", statuses=(503,))  # the database or Redis is down
