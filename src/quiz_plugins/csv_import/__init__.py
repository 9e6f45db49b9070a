"""Bulk import of students and questions from CSV and XLSX files.

* :mod:`.reader` recognises the file from its content and reads it (hostile files refused);
* :mod:`.students` and :mod:`.questions` check each row and write the valid ones in bulk;
* :mod:`.views` serves the two endpoints, :mod:`.scripts` the ``quizctl`` command;
* :mod:`.common` holds the report and the events both imports announce;
* :mod:`.interchange` imports and exports question banks as Moodle XML, GIFT and QTI.
"""

from __future__ import annotations

from . import scripts, views
from .interchange import scripts as interchange_scripts
from .interchange import views as interchange_views
from .interchange.bank import EXTENSIONS
from .interchange.settings import SETTINGS as INTERCHANGE_SETTINGS
from .settings import SETTINGS


def includeme(config):
    """Switch the import on.

    Registers:

    * ``POST /api/students/bulk-import`` and ``POST /api/questions/bulk-import`` (teachers
      and administrators; multipart field ``file``; query ``dry_run``, ``atomic``, and
      ``class_id`` / ``teacher_id``);
    * ``POST /api/questions/import`` and ``GET /api/questions/export`` (Moodle XML, GIFT,
      QTI; see :mod:`.interchange.views`);
    * ``quizctl import-students FILE [--class NAME[/SECTION[/YEAR]]] [--dry-run]
      [--atomic]``, ``quizctl import-questions`` and ``quizctl export-questions``.

    It emits ``EntityChanged`` events: one ``create`` per class an import creates and one
    summary ``import`` event per import (see :func:`.common.announce`). It owns no table.

    Settings (each overridable by ``QUIZCORE_CSV_IMPORT_<KEY>``):

    * ``quizcore.csv_import.max_upload_bytes`` (16 MiB): larger files get 413;
    * ``quizcore.csv_import.max_rows`` (10,000): more data rows are a 400;
    * ``quizcore.csv_import.max_line_bytes`` (1 MiB): a longer CSV line refuses the file;
    * ``quizcore.csv_import.max_unpacked_bytes`` (64 MiB): how large an XLSX workbook may
      unpack to;
    * ``quizcore.csv_import.interchange.*``: limits of the Moodle XML / GIFT / QTI import
      (see :mod:`.interchange.settings`).
    """
    config.add_settings_spec(SETTINGS)
    config.add_settings_spec(INTERCHANGE_SETTINGS)
    config.add_cornice_service(interchange_views.interchange_import)
    config.add_cornice_service(interchange_views.interchange_export)
    # quiz_id not visible
    config.add_operation_statuses(
        interchange_views.interchange_export, "GET", statuses=(404,),
        download=tuple(dict.fromkeys(kind for _, kind in EXTENSIONS.values())))
    config.add_cornice_service(views.students_import)
    config.add_cornice_service(views.questions_import)
    # class_id not visible; a concurrent import of the same rows
    config.add_operation_statuses(views.students_import, "POST", statuses=(404, 409))
    scripts.includeme(config)
    interchange_scripts.includeme(config)
