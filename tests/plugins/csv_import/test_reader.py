"""The reader on its own: file kinds from their bytes, CSV dialects, headers, row numbers, and
every kind of hostile file refused with a clear reason."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest

from quiz_plugins.csv_import import questions, students
from quiz_plugins.csv_import.common import cell_text, fold
from quiz_plugins.csv_import.reader import (
    FileProblem,
    Limits,
    looks_like_formula,
    normalize_header,
    read_table,
)
from tests.plugins.csv_import.files import Formula, csv_bytes, xlsx_bytes, zip_bytes

pytestmark = pytest.mark.plugin("quiz_plugins.csv_import")

LIMITS = Limits(max_rows=100, max_line_bytes=1024 * 1024, max_unpacked_bytes=64 * 1024 * 1024)
HEADER = ["name", "email", "registration_number", "class_name"]
ROW = ["Ada Obi", "ada@school.example", "R-1", "Grade 9"]


def read(data: bytes, aliases=students.ALIASES, limits=LIMITS):
    return read_table(data, aliases, limits)


def refused(data: bytes, limits=LIMITS, aliases=students.ALIASES) -> FileProblem:
    with pytest.raises(FileProblem) as caught:
        read(data, aliases, limits)
    return caught.value


# -- what is read ----------------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";"])
@pytest.mark.parametrize("bom", [False, True])
def test_csv_with_either_delimiter_and_with_or_without_bom(delimiter, bom):
    table = read(csv_bytes([HEADER, ROW], delimiter=delimiter, bom=bom))
    assert table.format == "csv" and table.delimiter == delimiter
    assert table.columns == ["name", "email", "registration_number", "class_name"]
    assert [row.cells for row in table.rows] == [dict(zip(table.columns, ROW, strict=True))]


def test_semicolon_file_whose_values_contain_commas_is_read_with_semicolons():
    data = csv_bytes([HEADER, ["Obi, Ada", "ada@school.example", "R-1", "Grade 9, A"]],
                     delimiter=";")
    table = read(data)
    assert table.delimiter == ";"
    assert table.rows[0].cells["name"] == "Obi, Ada"


def test_header_names_match_without_case_spaces_or_punctuation():
    data = csv_bytes([[" Full Name ", "E-mail", "Registration  Number", "CLASS", "Shoe size"],
                      ROW + ["42"]])
    table = read(data)
    assert table.columns == ["name", "email", "registration_number", "class_name"]
    assert table.ignored_columns == ["Shoe size"]
    assert "42" not in table.rows[0].cells.values()
    assert normalize_header("Registration Number") == "registration_number"


def test_row_numbers_are_spreadsheet_rows_blank_rows_counted_but_skipped():
    data = b"\r\n\r\n" + csv_bytes([HEADER, ROW, [], ["", " ", "", ""],
                                    ["Bo", "bo@school.example", "R-2", ""]])
    table = read(data)
    assert table.header_row == 3
    assert [row.number for row in table.rows] == [4, 7]


def test_quoted_values_keep_their_line_breaks_and_rows_stay_spreadsheet_rows():
    data = csv_bytes([HEADER, ["Ada\nObi", "ada@school.example", "R-1", ""], ROW])
    table = read(data)
    assert table.rows[0].cells["name"] == "Ada\nObi"
    assert [row.number for row in table.rows] == [2, 3]


def test_two_columns_meaning_the_same_field_are_refused():
    problem = refused(csv_bytes([["email", "E-mail Address", "name"], ["a@b.c", "d@e.f", "x"]]))
    assert "both mean email" in problem.message


def test_xlsx_values_keep_their_types_and_numbers_their_digits():
    data = xlsx_bytes([HEADER + ["date_of_birth"],
                       ["Ada", "ada@school.example", 2025001, "Grade 9", dt.date(2011, 4, 30)],
                       [None, None, None, None, None],
                       ["Bo", "bo@school.example", 2025002.0, "Grade 9", None]])
    table = read(data)
    assert table.format == "xlsx"
    assert [row.number for row in table.rows] == [2, 4]
    first = table.rows[0].cells
    assert cell_text(first["registration_number"]) == "2025001"
    assert cell_text(table.rows[1].cells["registration_number"]) == "2025002"
    assert first["date_of_birth"] == dt.datetime(2011, 4, 30)


def test_xlsx_is_recognised_by_content_not_by_name():
    """The reader never sees a name: a workbook is a workbook, text is CSV."""
    assert read(xlsx_bytes([HEADER, ROW])).format == "xlsx"
    assert read(csv_bytes([HEADER, ROW])).format == "csv"


# -- formulas --------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["=1+1", "=HYPERLINK(\"http://x\",\"y\")", "@SUM(A1:A2)",
                                  "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
                                  "\t=1+1", " =1+1", "-abc", "+A1"])
def test_text_a_spreadsheet_would_run_is_a_formula(text):
    assert looks_like_formula(text)


@pytest.mark.parametrize("text", ["-5", "-3.75", "+44 20 7946 0000", "+1 (555) 123-4567",
                                  "-", "--", "+", "=", "@", "Ada", "a=b", "2025-2026",
                                  "1 + 1 = ?"])
def test_numbers_phone_numbers_and_plain_text_are_not_formulas(text):
    assert not looks_like_formula(text)


def test_formula_text_in_csv_refuses_the_file_listing_each_cell():
    data = csv_bytes([HEADER, ROW, ["=1+1", "b@school.example", "R-2", "Grade 9"],
                      ["Cy", "c@school.example", "@SUM(1)", "-cmd"]])
    problem = refused(data)
    assert "3 cell(s)" in problem.message and "formulas" in problem.message
    assert [(p.row, p.column) for p in problem.problems] == [
        (3, "name"), (4, "registration_number"), (4, "class_name")]


def test_negative_numbers_and_phone_numbers_are_ordinary_values():
    data = csv_bytes([["text", "type", "option_a", "option_b", "correct_answer"],
                      ["What is 2 - 7?", "mcq", "-5", "+5", "A"]])
    table = read(data, aliases=questions.ALIASES)
    assert table.rows[0].cells["option_a"] == "-5"


def test_xlsx_formula_cell_refuses_the_file():
    problem = refused(xlsx_bytes([HEADER, ["Ada", "a@school.example", Formula("=1+1"), "G"]]))
    assert problem.problems[0].row == 2 and problem.problems[0].column == "registration_number"


def test_xlsx_text_cell_starting_with_equals_refuses_the_file():
    problem = refused(xlsx_bytes([HEADER, ["=HYPERLINK(\"x\")", "a@school.example", "R", "G"]]))
    assert problem.problems[0].column == "name"


def test_formula_in_a_column_that_is_not_imported_is_never_read():
    table = read(xlsx_bytes([HEADER + ["helper"], ROW + [Formula("=A2&B2")]]))
    assert table.ignored_columns == ["helper"]
    assert len(table.rows) == 1


def test_control_characters_in_a_cell_refuse_the_file():
    problem = refused(csv_bytes([HEADER, ["Ada\x07", "a@school.example", "R", "G"]]))
    assert "control characters" in problem.message


# -- hostile and broken files ----------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"   \r\n\r\n  "])
def test_empty_file_is_refused(data):
    assert "empty" in refused(data).message


def test_header_alone_is_refused():
    assert "no data rows" in refused(csv_bytes([HEADER])).message
    assert "no data rows" in refused(xlsx_bytes([HEADER])).message


def test_nul_bytes_refuse_the_file_naming_the_line():
    problem = refused(csv_bytes([HEADER, ROW]) + b"Bo,b\x00@x,R,G\r\n")
    assert "NUL" in problem.message and "line 3" in problem.message


def test_a_ten_megabyte_line_is_refused_without_parsing_it():
    data = csv_bytes([HEADER, ROW]) + b"A" * (10 * 1024 * 1024) + b",x@y.z,R,G\r\n"
    problem = refused(data)
    assert "Line 3" in problem.message and "longest line" in problem.message


def test_a_long_quoted_field_beyond_csv_field_limit_is_a_clear_refusal():
    limits = Limits(max_rows=10, max_line_bytes=10 * 1024 * 1024, max_unpacked_bytes=1 << 26)
    data = csv_bytes([HEADER, ["x" * 200_000, "a@b.c", "R", "G"]])
    problem = refused(data, limits)
    assert "Row 2 could not be read as CSV" in problem.message


def test_latin1_file_is_refused_naming_the_line_and_the_fix():
    data = csv_bytes([HEADER, ["José Müller", "jose@school.example", "R", "G"]],
                     encoding="latin-1")
    problem = refused(data)
    assert "not UTF-8" in problem.message and "line 2" in problem.message
    assert "CSV UTF-8" in problem.message


def test_utf16_file_is_refused():
    data = "\ufeff".encode("utf-16-le") + "name,email\r\nA,b@c.d\r\n".encode("utf-16-le")
    assert "UTF-16" in refused(data).message


def test_unterminated_quote_is_refused_with_its_row():
    data = csv_bytes([HEADER, ROW]) + b'"Bo,bo@school.example,R-2,G\r\nCy,c@d.e,R-3,G\r\n'
    assert "Row 3 could not be read as CSV" in refused(data).message


@pytest.mark.parametrize("data, what", [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old Excel"),
    (b"%PDF-1.7\n...", "PDF"),
    (b"\x89PNG\r\n\x1a\n....", "PNG"),
    (b"\x1f\x8b\x08\x00....", "gzip"),
])
def test_other_binary_formats_are_refused_by_name(data, what):
    assert what in refused(data).message


def test_a_zip_that_is_not_a_workbook_is_refused():
    assert "ZIP archive" in refused(zip_bytes({"notes.txt": b"hello"})).message
    ods = zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
                     "content.xml": b"<x/>"})
    assert "OpenDocument" in refused(ods).message


def test_a_truncated_workbook_is_refused():
    data = xlsx_bytes([HEADER, ROW])
    assert "broken" in refused(data[: len(data) // 2]).message


def workbook_parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_a_workbook_with_a_corrupt_sheet_is_refused():
    members = workbook_parts(xlsx_bytes([HEADER, ROW]))
    members["xl/worksheets/sheet1.xml"] = b"<worksheet><sheetData><row r='1'><c"
    assert "could not be read" in refused(zip_bytes(members)).message


def test_zip_bomb_is_refused_before_it_is_unpacked():
    bomb = zip_bytes({"xl/workbook.xml": b"<workbook/>",
                      "xl/worksheets/sheet1.xml": b" " * (50 * 1024 * 1024)})
    assert len(bomb) < 200_000
    problem = refused(bomb)
    assert "zip bomb" in problem.message


def test_workbook_unpacking_beyond_the_limit_is_refused():
    limits = Limits(max_rows=10, max_line_bytes=1 << 20, max_unpacked_bytes=1024 * 1024)
    rows = [HEADER] + [[f"Student {n} " + "x" * 50, f"s{n}@school.example", f"R{n}", "G"]
                       for n in range(30_000)]
    problem = refused(xlsx_bytes(rows), limits)
    assert "unpacks to" in problem.message


def test_billion_laughs_in_a_sheet_is_refused():
    members = workbook_parts(xlsx_bytes([HEADER, ROW]))
    entities = "".join(f'<!ENTITY e{n} "{f"&e{n - 1};" * 10}">' for n in range(1, 10))
    members["xl/sharedStrings.xml"] = (
        '<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY e0 "laugh">' + entities + ']>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<si><t>&e9;</t></si></sst>').encode()
    problem = refused(zip_bytes(members))
    assert "could not be read" in problem.message


def test_more_rows_than_the_limit_are_refused():
    limits = Limits(max_rows=3, max_line_bytes=1 << 20, max_unpacked_bytes=1 << 26)
    rows = [HEADER] + [[f"S{n}", f"s{n}@school.example", f"R{n}", "G"] for n in range(4)]
    assert "more than 3 data rows" in refused(csv_bytes(rows), limits).message
    assert "more than 3 data rows" in refused(xlsx_bytes(rows), limits).message
    assert len(read(csv_bytes(rows[:4]), limits=limits).rows) == 3


def test_fold_matches_what_the_database_collation_calls_equal():
    assert fold("José@School.example") == fold("jose@school.example")
    assert fold("  Grade   9 ") == fold("grade 9")
    assert fold("Straße") == fold("STRASSE")


def test_spreadsheet_error_cells_are_row_errors_not_values():
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(["Ada", "#N/A", "R-1", "Grade 9"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = read(buffer.getvalue())
    assert table.rows[0].errors == {"email": "#N/A"}
    assert "email" not in table.rows[0].cells
    cleaned, errors = students.check_row(table.rows[0], dt.date(2026, 1, 1))
    assert cleaned is None
    assert [(e.column, e.error) for e in errors] == [
        ("email", "the cell holds the spreadsheet error #N/A")]
