"""The plugin's settings (``quizcore.exports.*``, environment ``QUIZCORE_EXPORTS_*``)."""

from __future__ import annotations

from quizcore.settings import Setting, as_int

PREFIX = "quizcore.exports."
PDF_MAX_ROWS = PREFIX + "pdf_max_rows"

SETTINGS = (
    Setting(PDF_MAX_ROWS, 10_000, as_int(1),
            "most attempts a results PDF lists; a quiz with more gets a 400 that suggests "
            "CSV or XLSX (a PDF table that long helps nobody and takes seconds to lay out)"),
)
