"""Build the files the import tests upload: CSV text and real XLSX workbooks."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from urllib.parse import urlencode

import xlsxwriter

STUDENT_HEADER = ["name", "email", "registration_number", "class_name", "section",
                  "academic_year", "date_of_birth", "parent_email", "parent_phone"]


def csv_bytes(rows, *, delimiter: str = ",", bom: bool = False,
              encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    data = buffer.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


class Formula(str):
    """A cell written as a real formula into an XLSX workbook."""


def xlsx_bytes(rows) -> bytes:
    """A workbook whose first sheet holds ``rows``; dates get a date format, :class:`Formula`
    cells become formulas."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet("Students")
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, Formula):
                sheet.write_formula(r, c, str(value))
            elif isinstance(value, dt.date):
                sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_format)
            elif isinstance(value, str):
                sheet.write_string(r, c, value)
            else:
                sheet.write(r, c, value)
    workbook.close()
    return buffer.getvalue()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def student_rows(count: int, *, prefix: str = "s", class_name: str = "Grade 9",
                 section: str = "A", year: str = "2025-2026"):
    """The header and ``count`` valid student rows."""
    rows = [STUDENT_HEADER]
    for n in range(count):
        rows.append([f"Student {prefix}{n}", f"{prefix}{n}@import.example",
                     f"REG-{prefix.upper()}-{n:05d}", class_name, section, year,
                     "2011-04-30", f"parent.{prefix}{n}@home.example", "+44 20 7946 0000"])
    return rows


def upload(client, path: str, data: bytes, *, headers=None, filename: str = "upload.csv",
           status: int | str = 200, **query):
    """POST ``data`` as the multipart field ``file``; ``query`` becomes the query string."""
    url = path + ("?" + urlencode(query) if query else "")
    return client.post(url, upload_files=[("file", filename, data)], headers=headers or {},
                       status=status)
