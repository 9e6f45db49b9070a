"""Reading an uploaded table: CSV or XLSX in, header and rows out, hostile files refused.

What kind of file it is comes from its bytes, never from its name or Content-Type:

* a ZIP archive holding ``xl/workbook.xml`` is an XLSX workbook, read with openpyxl in
  read-only mode (rows are streamed; openpyxl uses defusedxml, so entity tricks are
  refused). Only the first worksheet is read. Before openpyxl sees it, the archive's
  declared sizes are checked (zip bombs): at most ``max_unpacked_bytes`` in all, no member
  packed more than :data:`MAX_PACKING_RATIO` times (Python's zipfile refuses to inflate a
  member past its declared size, so the declaration can be trusted);
* other known binary formats (old .xls, ODS, PDF, images, archives) are refused by name;
* anything else must be UTF-8 text (a byte-order mark is allowed and dropped), without NUL
  bytes, with no line longer than ``max_line_bytes``. It is read as CSV; the delimiter,
  comma or semicolon, is the one that makes more of the header's names known columns.

The header is the first non-blank row. Its names are matched case- and space-insensitively
(``"Registration Number"`` is ``registration_number``) against the columns the import
knows, aliases included; other columns are ignored (and reported). Row numbers are the
spreadsheet's: the header of a file that starts at the top is row 1, and blank rows count
(they are shown by a spreadsheet) but are skipped.

**Formulas are refused, for the whole file.** A cell that a spreadsheet would run as a
formula (a formula cell of a workbook, or text starting with ``=``, ``@``, or ``+``/``-``
followed by anything but a number or phone number) in a column being imported stops the
import with a 400 that lists the cells; nothing is written. Stored, such text would run in
the spreadsheet of whoever exports it later. Negative numbers (``-5``), phone numbers
(``+44 20 7946 0000``) and a lone ``-`` are ordinary values. Formulas in columns that are
not imported are never read, so a workbook with helper columns can still be imported.
Control characters (NUL included) in an imported cell are refused the same way.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

#: Most cells a "refused file" error lists; the message gives the total.
MAX_LISTED_PROBLEMS = 100
#: A member of an XLSX archive may unpack to at most this many times its packed size
#: (spreadsheet XML packs 5-30 times; zip bombs a thousand times and more). Members under
#: :data:`RATIO_CHECK_FROM_BYTES` unpacked are not checked.
MAX_PACKING_RATIO = 200
RATIO_CHECK_FROM_BYTES = 1024 * 1024
#: A workbook is a few dozen parts; thousands of members mean something else.
MAX_ARCHIVE_MEMBERS = 1000

CSV = "csv"
XLSX = "xlsx"

_BINARY_SIGNATURES = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Excel (.xls) or other Office 97 file"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"BZh", "a bzip2 archive"),
)
_UTF16_32_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE,
                  codecs.BOM_UTF16_BE)
SAVE_AS_HINT = "Save the sheet as \"CSV UTF-8 (comma delimited)\" or as an Excel workbook (.xlsx)."

#: ``+`` or ``-`` followed only by digits and the punctuation of numbers and phone numbers.
_NUMBER_OR_PHONE = re.compile(r"[+-][\d\s().,/-]*")
#: C0 control characters other than tab, line feed and carriage return, and DEL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# -- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CellProblem:
    """Why a cell (or a whole row or line) made the file unreadable."""

    row: int
    error: str
    column: str | None = None


class FileProblem(Exception):
    """The file cannot be imported at all (answered with 400, nothing written)."""

    def __init__(self, message: str, problems: list[CellProblem] | None = None):
        super().__init__(message)
        self.message = message
        self.problems = problems or []


@dataclass
class Row:
    """A non-blank data row: its spreadsheet row number and its cells by column name.

    Values are ``str`` from CSV; from XLSX also ``int``, ``float``, ``bool`` and
    ``datetime`` as the workbook stores them. Empty cells are absent or None.
    """

    number: int
    cells: dict[str, Any]
    #: Cells holding a spreadsheet error (``#N/A``...), by column name.
    errors: dict[str, str] = field(default_factory=dict)


@dataclass
class Table:
    format: str  # "csv" | "xlsx"
    header_row: int
    #: The known columns present, by canonical name, in file order.
    columns: list[str]
    #: Header names that match no known column (their cells are not read).
    ignored_columns: list[str]
    rows: list[Row]
    delimiter: str | None = None


@dataclass(frozen=True)
class Limits:
    max_rows: int
    max_line_bytes: int
    max_unpacked_bytes: int


# -- small rules -----------------------------------------------------------------------------


def normalize_header(name: Any) -> str:
    """``" Registration  Number "`` -> ``registration_number``; ``"E-mail"`` -> ``e_mail``."""
    text = unicodedata.normalize("NFKC", str(name or "")).strip().lower()
    return re.sub(r"[^0-9a-z]+", "_", text).strip("_")


def looks_like_formula(text: str) -> bool:
    """Would a spreadsheet run this cell as a formula?"""
    stripped = text.lstrip()  # a leading tab or CR does not stop a spreadsheet
    if len(stripped) < 2:
        return False
    if stripped[0] in "=@":
        return True
    if stripped[0] in "+-":
        return _NUMBER_OR_PHONE.fullmatch(stripped) is None
    return False


def has_control_characters(text: str) -> bool:
    return _CONTROL.search(text) is not None


# -- entry point -----------------------------------------------------------------------------


def read_table(data: bytes, aliases: Mapping[str, str], limits: Limits) -> Table:
    """Read an uploaded file. ``aliases`` maps normalised header names to column names.

    Raises :class:`FileProblem` for anything that makes the file as a whole unusable.
    """
    if not data or not data.strip():
        raise FileProblem("The file is empty.")
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return _read_xlsx(data, aliases, limits)
    for signature, what in _BINARY_SIGNATURES:
        if data.startswith(signature):
            raise FileProblem(f"The file is {what}, not a CSV file or an XLSX workbook. "
                              + SAVE_AS_HINT)
    return _read_csv(data, aliases, limits)


# -- CSV -------------------------------------------------------------------------------------


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _decode(data: bytes, limits: Limits) -> str:
    if any(data.startswith(bom) for bom in _UTF16_32_BOMS):
        raise FileProblem("The file is UTF-16 or UTF-32 text; only UTF-8 is accepted. "
                          + SAVE_AS_HINT)
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    nul = data.find(b"\x00")
    if nul >= 0:
        line = _line_of(data, nul)
        raise FileProblem(f"The file contains NUL bytes (line {line}): it is binary, not a "
                          "CSV file. " + SAVE_AS_HINT,
                          [CellProblem(line, "NUL byte in the file")])
    start = 0
    while start < len(data):
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        if end - start > limits.max_line_bytes:
            line = _line_of(data, start)
            raise FileProblem(
                f"Line {line} is {end - start} bytes long; the longest line accepted is "
                f"{limits.max_line_bytes} bytes.",
                [CellProblem(line, "line too long")])
        start = end + 1
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = _line_of(data, error.start)
        bad = data[error.start:error.start + 1].hex().upper()
        raise FileProblem(
            f"The file is not UTF-8 text (byte 0x{bad} on line {line}); it was probably saved "
            "in another encoding such as Windows-1252 or Latin-1. " + SAVE_AS_HINT,
            [CellProblem(line, "not UTF-8")]) from None


def _first_record(text: str, delimiter: str) -> list[str]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for record in reader:
            if any(cell.strip() for cell in record):
                return record
    except csv.Error:
        return []
    return []


def _pick_delimiter(text: str, aliases: Mapping[str, str]) -> str:
    """Comma or semicolon: the one under which more header names are known columns (then
    the one giving more columns; comma on a tie)."""
    def score(delimiter: str) -> tuple[int, int]:
        record = _first_record(text, delimiter)
        known = {aliases.get(normalize_header(name)) for name in record} - {None}
        return len(known), len(record)

    return max((",", ";"), key=score)


def _csv_records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    number = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            row = number + 1
            raise FileProblem(
                f"Row {row} could not be read as CSV ({error}); check its quotes.",
                [CellProblem(row, f"unreadable CSV: {error}")]) from None
        number += 1
        yield number, record


def _read_csv(data: bytes, aliases: Mapping[str, str], limits: Limits) -> Table:
    text = _decode(data, limits)
    delimiter = _pick_delimiter(text, aliases)
    builder = _TableBuilder(CSV, aliases, limits)
    for number, record in _csv_records(text, delimiter):
        builder.add(number, [(value, False) for value in record])
    table = builder.finish()
    table.delimiter = delimiter
    return table


# -- XLSX ------------------------------------------------------------------------------------


def _check_archive(data: bytes, limits: Limits) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as error:
        raise FileProblem(f"The file looks like an XLSX workbook but is broken ({error}).") \
            from None
    names = {member.filename for member in members}
    if "xl/workbook.xml" not in names:
        what = "an OpenDocument spreadsheet (.ods)" if "content.xml" in names else \
            "a ZIP archive"
        raise FileProblem(f"The file is {what}, not an XLSX workbook. " + SAVE_AS_HINT)
    if len(members) > MAX_ARCHIVE_MEMBERS:
        raise FileProblem(f"The workbook has {len(members)} parts; this is not a plain "
                          "spreadsheet.")
    unpacked = sum(member.file_size for member in members)
    if unpacked > limits.max_unpacked_bytes:
        raise FileProblem(f"The workbook unpacks to {unpacked} bytes; the most accepted is "
                          f"{limits.max_unpacked_bytes}.")
    for member in members:
        if member.file_size >= RATIO_CHECK_FROM_BYTES and \
                member.file_size > MAX_PACKING_RATIO * max(member.compress_size, 1):
            raise FileProblem(f"The workbook part {member.filename} is packed "
                              f"{member.file_size // max(member.compress_size, 1)} times "
                              "smaller than its content: refused as a zip bomb.")


def _xlsx_value(cell) -> tuple[Any, bool, str | None]:
    """(value, is_formula, spreadsheet error) of an openpyxl read-only cell."""
    kind = getattr(cell, "data_type", None)
    value = cell.value
    if kind == "f":
        return value, True, None
    if kind == "e":
        return None, False, str(value)
    if isinstance(value, dt.time):
        value = value.isoformat()
    return value, False, None


@contextmanager
def _unreadable_workbook():
    """Any failure of openpyxl on an uploaded workbook means a bad file, not a bug."""
    try:
        yield
    except FileProblem:
        raise
    except Exception as error:  # noqa: BLE001 - the parser of untrusted input failed
        lines = str(error).strip().splitlines()
        detail = f": {lines[0]}" if lines else ""
        raise FileProblem(f"The XLSX workbook could not be read ({type(error).__name__}"
                          f"{detail}).") from None


def _read_xlsx(data: bytes, aliases: Mapping[str, str], limits: Limits) -> Table:
    _check_archive(data, limits)
    # openpyxl is imported here: CSV-only deployments never pay for it.
    import openpyxl

    builder = _TableBuilder(XLSX, aliases, limits)
    with _unreadable_workbook():
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False,
                                          keep_links=False)
    try:
        with _unreadable_workbook():
            if not workbook.worksheets:
                raise FileProblem("The workbook has no worksheet.")
            sheet = workbook.worksheets[0]
            # Ignore the sheet's declared size: it may claim a million rows or columns.
            # Rows are then filled from column A, so a value's position is its column.
            sheet.reset_dimensions()
            for number, cells in enumerate(sheet.iter_rows(), start=1):
                builder.add(number, cells, xlsx=True)
            return builder.finish()
    finally:
        workbook.close()


# -- header and rows -------------------------------------------------------------------------


class _TableBuilder:
    """Turns raw rows into a :class:`Table`: header mapping, blank rows, limits, hostile
    cells."""

    def __init__(self, file_format: str, aliases: Mapping[str, str], limits: Limits):
        self.format = file_format
        self.aliases = aliases
        self.limits = limits
        self.header_row: int | None = None
        self.positions: list[tuple[int, str]] = []  # (cell index, column name)
        self.ignored: list[str] = []
        self.rows: list[Row] = []
        self.problems: list[CellProblem] = []
        self.problems_left_off = 0
        self.formulas = 0

    def add(self, number: int, cells, xlsx: bool = False) -> None:
        if xlsx:
            values = [_xlsx_value(cell) for cell in cells]
        else:
            values = [(value, is_formula, None) for value, is_formula in cells]
        if not any(_present(value) or formula or error for value, formula, error in values):
            return
        if self.header_row is None:
            self._header(number, [value for value, _, _ in values])
            return
        if len(self.rows) >= self.limits.max_rows:
            raise FileProblem(f"The file has more than {self.limits.max_rows} data rows; "
                              "split it into smaller files.")
        row = Row(number, {})
        for index, name in self.positions:
            if index >= len(values):
                continue
            value, formula, error = values[index]
            if error:
                row.errors[name] = error
                continue
            if isinstance(value, str):
                self._check_text(number, name, value, formula)
            elif formula:
                self._formula(number, name, str(value))
            row.cells[name] = value
        self.rows.append(row)

    def _check_text(self, number: int, name: str, value: str, formula: bool) -> None:
        if formula or looks_like_formula(value):
            self._formula(number, name, value)
        elif has_control_characters(value):
            self._problem(number, name, "control character in the cell")

    def _formula(self, number: int, name: str, value: str) -> None:
        self.formulas += 1
        shown = value if len(value) <= 40 else value[:37] + "..."
        self._problem(number, name, f"a spreadsheet would run this as a formula: {shown!r}")

    def _problem(self, number: int, name: str, error: str) -> None:
        if len(self.problems) < MAX_LISTED_PROBLEMS:
            self.problems.append(CellProblem(number, error, name))
        else:
            self.problems_left_off += 1

    def _header(self, number: int, names: list[Any]) -> None:
        self.header_row = number
        seen: dict[str, str] = {}
        for index, raw in enumerate(names):
            if not _present(raw):
                continue
            label = str(raw).strip()
            column = self.aliases.get(normalize_header(label))
            if column is None:
                self.ignored.append(label)
                continue
            if column in seen:
                raise FileProblem(f"The columns {seen[column]!r} and {label!r} both mean "
                                  f"{column}; keep one of them.",
                                  [CellProblem(number, "duplicate column", column)])
            seen[column] = label
            self.positions.append((index, column))

    def finish(self) -> Table:
        if self.header_row is None:
            raise FileProblem("The file has no rows.")
        if self.problems:
            total = len(self.problems) + self.problems_left_off
            formulas = self.formulas
            what = (f"{formulas} cell(s) that a spreadsheet would run as formulas (text "
                    "starting with =, +, - or @)") if formulas else ""
            others = total - formulas
            if others:
                what += (" and " if what else "") + f"{others} cell(s) with control characters"
            raise FileProblem(
                f"Nothing was imported: the file has {what}. Paste values only, or reword "
                "those cells, and upload it again.", self.problems)
        if not self.rows:
            raise FileProblem("The file has a header but no data rows.")
        return Table(self.format, self.header_row, [name for _, name in self.positions],
                     self.ignored, self.rows)


def _present(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    return True
