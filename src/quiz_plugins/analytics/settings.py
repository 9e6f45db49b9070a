"""The plugin's settings (``quizcore.analytics.*``, environment ``QUIZCORE_ANALYTICS_*``)."""

from __future__ import annotations

from quizcore.settings import Setting, as_int

PREFIX = "quizcore.analytics."
RECENT_LIMIT = PREFIX + "recent_limit"
ACTIVITY_DAYS = PREFIX + "activity_days"

SETTINGS = (
    Setting(RECENT_LIMIT, 10, as_int(1, 100),
            "attempts listed under recent_attempts on the dashboards"),
    Setting(ACTIVITY_DAYS, 14, as_int(1, 366),
            "days covered by the dashboards' activity series (attempts started and "
            "submitted per day)"),
)
