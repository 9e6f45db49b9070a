"""Reading downloads back: the text of a PDF, the chart parts of an XLSX workbook."""

from __future__ import annotations

import io
import zipfile

from pypdf import PdfReader


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def chart_xml(body: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()
                if name.startswith("xl/charts/chart")}
