"""The plugin's settings (``quizcore.csv_import.*``, environment ``QUIZCORE_CSV_IMPORT_*``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from quizcore.settings import Setting, as_int

from .reader import Limits

MiB = 1024 * 1024
PREFIX = "quizcore.csv_import."
MAX_UPLOAD_BYTES = PREFIX + "max_upload_bytes"
MAX_ROWS = PREFIX + "max_rows"
MAX_LINE_BYTES = PREFIX + "max_line_bytes"
MAX_UNPACKED_BYTES = PREFIX + "max_unpacked_bytes"

SETTINGS = (
    Setting(MAX_UPLOAD_BYTES, 16 * MiB, as_int(1024),
            "largest file accepted; a larger one gets 413 (quizcore.max_body_bytes also "
            "caps the whole request)"),
    Setting(MAX_ROWS, 10_000, as_int(1), "most data rows in one file; more is a 400"),
    Setting(MAX_LINE_BYTES, 1 * MiB, as_int(1024),
            "longest line of a CSV file; a longer one refuses the file"),
    Setting(MAX_UNPACKED_BYTES, 64 * MiB, as_int(MiB),
            "how large an XLSX workbook may unpack to (zip bombs are refused)"),
)


def limits(settings: Mapping[str, Any]) -> Limits:
    return Limits(max_rows=settings[MAX_ROWS], max_line_bytes=settings[MAX_LINE_BYTES],
                  max_unpacked_bytes=settings[MAX_UNPACKED_BYTES])
