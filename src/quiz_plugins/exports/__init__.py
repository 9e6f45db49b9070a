"""Downloads: students and quiz results as CSV or XLSX, quiz results and single attempts as
PDF.

Each document is built here (:mod:`.students`, :mod:`.results`, :mod:`.attempt_pdf`) with
the core's document toolkit (:mod:`quizcore.documents`); :mod:`.views` decides who may
download what. The analytics download is the analytics plugin's.
"""

from __future__ import annotations

from quizcore.documents.files import CSV_TYPE, PDF_TYPE, XLSX_TYPE
from quizcore.documents.pdf import require_fonts

from . import views
from .settings import SETTINGS


def includeme(config):
    """Switch the downloads on.

    Registers (all ``GET``):

    * ``/api/exports/students`` and its alias ``/api/students/export`` (``class_id``,
      ``format=csv|xlsx``): administrators, and teachers for their classes;
    * ``/api/exports/quiz/{quiz_id}/results`` (``format=csv|xlsx|pdf``): the quiz's owner
      and administrators;
    * ``/api/exports/attempts/{attempt_id}/pdf``: the quiz's owner and administrators, and
      the attempt's student when the quiz allows review.

    Settings: ``quizcore.exports.pdf_max_rows`` (10,000; environment
    ``QUIZCORE_EXPORTS_PDF_MAX_ROWS``): the most attempts a results PDF lists. It reads the
    core's ``quizcore.pdf_font_dir`` and refuses to start when the DejaVu fonts are not
    there (PDFs could not show non-Latin names). No table, no event subscriber.
    """
    config.add_settings_spec(SETTINGS)
    require_fonts(config.registry.settings["quizcore.pdf_font_dir"], "quiz_plugins.exports")
    for service in views.SERVICES:
        config.add_cornice_service(service)
    for service in (views.students_export, views.students_export_alias):
        # 404: a class_id the user may not see
        config.add_operation_statuses(service, "GET", statuses=(404,),
                                      download=(CSV_TYPE, XLSX_TYPE))
    config.add_operation_statuses(views.quiz_results_export, "GET",
                                  download=(CSV_TYPE, XLSX_TYPE, PDF_TYPE))
    config.add_operation_statuses(views.attempt_pdf_export, "GET", download=(PDF_TYPE,))
