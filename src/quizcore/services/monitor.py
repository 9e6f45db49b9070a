"""``GET /api/quizzes/{quiz_id}/monitor``: the live status of a quiz.

The same data as the monitor's ``quiz_status`` websocket message: the sidecar builds its
snapshots from this endpoint with the teacher's own token, so who may watch a quiz is
decided here and only here. A client without websockets may poll it.
"""

from __future__ import annotations

import uuid

from ..domain.monitor import can_monitor, quiz_status
from ..errors import not_found
from ..models import Quiz
from ..rest import Service, iso, validator
from ..schemas.monitor import MonitorRequest

monitor = Service(name="quiz_monitor", path="/api/quizzes/{quiz_id}/monitor",
                  description="Live status of a quiz (owner or admin).")


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return len(value) == 36


@monitor.get(permission="teach", schema=MonitorRequest(), validators=(validator,))
def get_quiz_monitor(request):
    """Students get 403 (permission); another teacher's quiz is 404, like an unknown one."""
    quiz_id = request.validated["path"]["quiz_id"]
    quiz = request.dbsession.get(Quiz, quiz_id) if _is_uuid(quiz_id) else None
    if quiz is None or not can_monitor(request.user, quiz):
        raise not_found("Quiz")
    return _json_ready(quiz_status(request.dbsession, quiz))


_STUDENT_TIMES = ("started_at", "submitted_at", "deadline_at", "last_activity_at")


def _json_ready(status: dict) -> dict:
    """Timestamps as ISO 8601 with a ``Z`` (Cornice's renderer knows no datetimes)."""
    status["generated_at"] = iso(status["generated_at"])
    for entry in status["students"]:
        for key in _STUDENT_TIMES:
            entry[key] = iso(entry[key])
    return status


def includeme(config):
    config.add_cornice_service(monitor)
