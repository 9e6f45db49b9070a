"""Analytics: dashboards for administrators, teachers and students, and the item analysis
of each quiz, as JSON and as PDF/XLSX/CSV downloads.

The quiz statistics are the core's (:mod:`quizcore.domain.analytics`: the exports plugin's
results document uses them too); the dashboards (:mod:`.dashboards`) and the analytics
document (:mod:`.report`) are this plugin's, and :mod:`.views` decides who may see what.
"""

from __future__ import annotations

from quizcore.documents.files import CSV_TYPE, PDF_TYPE, XLSX_TYPE
from quizcore.documents.pdf import require_fonts

from . import views
from .settings import SETTINGS


def includeme(config):
    """Switch analytics on.

    Registers (all ``GET``):

    * ``/api/analytics/admin`` (administrators);
    * ``/api/analytics/teacher/{teacher_id}`` (the teacher themself, administrators);
    * ``/api/analytics/student/{student_id}`` (the student, the teachers of their class —
      restricted to their own quizzes —, administrators);
    * ``/api/analytics/quiz/{quiz_id}`` (``attempts=first|all``) and
      ``/api/analytics/quiz/{quiz_id}/export`` (``format=pdf|xlsx|csv``), also served at
      ``/api/exports/analytics/{quiz_id}`` (``format=pdf|xlsx``): the quiz's owner and
      administrators.

    Settings (environment ``QUIZCORE_ANALYTICS_<KEY>``):
    ``quizcore.analytics.recent_limit`` (10): attempts listed as recent activity;
    ``quizcore.analytics.activity_days`` (14): days of the daily activity series. It reads
    the core's ``quizcore.pdf_font_dir`` and refuses to start without the DejaVu fonts
    there. No table, no event subscriber.
    """
    config.add_settings_spec(SETTINGS)
    require_fonts(config.registry.settings["quizcore.pdf_font_dir"], "quiz_plugins.analytics")
    for service in views.SERVICES:
        config.add_cornice_service(service)
    config.add_operation_statuses(views.exports_analytics, "GET",
                                  download=(PDF_TYPE, XLSX_TYPE))
    config.add_operation_statuses(views.quiz_analytics_export, "GET",
                                  download=(PDF_TYPE, XLSX_TYPE, CSV_TYPE))
