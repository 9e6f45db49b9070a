"""What a document builder returns, and how it becomes an HTTP download."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote

from pyramid.response import Response

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_TYPE = "application/pdf"

#: Longest file name offered (browsers and file systems cope with far more, people do not).
MAX_NAME_LENGTH = 120

#: Unicode bidirectional marks, embeddings, overrides and isolates.
BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class Download:
    """A finished document: its file name, content type and content, either whole
    (``body``) or as a stream of chunks (``chunks``)."""

    filename: str
    content_type: str
    body: bytes | None = None
    chunks: Iterable[bytes] | None = None


def file_name(*parts: str | None, extension: str, day: dt.date | None = None) -> str:
    """``"results-Plants-2026-01-31.xlsx"`` from the non-empty ``parts`` and ``day``.

    Characters that file systems or headers dislike (path separators, quotes, control
    characters) become ``-``; letters of any script are kept. Bidirectional controls are
    dropped: a right-to-left override in a title could make ``gpj.exe`` read as ``exe.jpg``.
    """
    words = [re.sub(r"[\x00-\x1f\x7f/\\:*?\"<>|;,]+", "-", BIDI_CONTROLS.sub("", part))
             .strip(" .-") for part in parts if part]
    if day is not None:
        words.append(day.isoformat())
    stem = re.sub(r"\s+", " ", "-".join(word for word in words if word))[:MAX_NAME_LENGTH]
    return f"{stem or 'download'}.{extension}"


def ascii_file_name(name: str) -> str:
    """An ASCII stand-in for ``name`` for clients that ignore ``filename*``: accents
    dropped (é → e), runs of other characters replaced by one ``-``."""
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    folded = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    folded = re.sub(r"[^A-Za-z0-9.]+", "-", folded).strip(".-") or "download"
    return f"{folded}.{extension}" if extension else folded


def content_disposition(name: str) -> str:
    """``attachment; filename="..."`` with an ASCII name, plus ``filename*=UTF-8''...``
    (RFC 5987/6266) carrying the real name when it is not plain ASCII."""
    fallback = ascii_file_name(name)
    header = f'attachment; filename="{fallback}"'
    if fallback != name:
        header += f"; filename*=UTF-8''{quote(name, safe='')}"
    return header


def response(download: Download) -> Response:
    """The download as a Pyramid response (streamed when the document comes in chunks).

    Documents hold personal data: they are not cached anywhere (``no-store``), and
    ``nosniff`` keeps a browser from reinterpreting a CSV as something else.
    """
    result = Response(content_type=download.content_type.split(";")[0])
    if "charset=" in download.content_type:
        result.charset = download.content_type.split("charset=")[1]
    if download.chunks is not None:
        result.app_iter = download.chunks
    else:
        result.body = download.body or b""
    result.headers["Content-Disposition"] = content_disposition(download.filename)
    result.headers["Cache-Control"] = "no-store"
    result.headers["X-Content-Type-Options"] = "nosniff"
    return result
