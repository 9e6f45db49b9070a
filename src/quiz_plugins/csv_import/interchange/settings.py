"""Limits of the interchange import (``quizcore.csv_import.interchange.*``; the upload size is
``quizcore.csv_import.max_upload_bytes``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from quizcore.settings import Setting, as_int

from .safety import Limits

PREFIX = "quizcore.csv_import.interchange."
MAX_QUESTIONS = PREFIX + "max_questions"
MAX_UNPACKED_BYTES = PREFIX + "max_unpacked_bytes"
MAX_ZIP_MEMBERS = PREFIX + "max_zip_members"
MAX_COMPRESSION_RATIO = PREFIX + "max_compression_ratio"
MAX_ATTRIBUTE_BYTES = PREFIX + "max_attribute_bytes"

SETTINGS = (
    Setting(MAX_QUESTIONS, 10_000, as_int(1), "most questions in one file; more is a 400"),
    Setting(MAX_UNPACKED_BYTES, 64 * 1024 * 1024, as_int(1024),
            "how large a QTI zip package may unpack to, from its directory and while "
            "inflating"),
    Setting(MAX_ZIP_MEMBERS, 2_000, as_int(1), "most members in a QTI zip package"),
    Setting(MAX_COMPRESSION_RATIO, 100, as_int(1),
            "largest inflated/compressed size ratio of a zip member (zip bombs are refused)"),
    Setting(MAX_ATTRIBUTE_BYTES, 64 * 1024, as_int(64),
            "longest XML attribute value accepted"),
)


def interchange_limits(settings: Mapping[str, Any]) -> Limits:
    return Limits(max_questions=settings[MAX_QUESTIONS],
                  max_unpacked_bytes=settings[MAX_UNPACKED_BYTES],
                  max_zip_members=settings[MAX_ZIP_MEMBERS],
                  max_compression_ratio=settings[MAX_COMPRESSION_RATIO],
                  max_attribute_bytes=settings[MAX_ATTRIBUTE_BYTES])
