"""Importing the richer question types from CSV and XLSX."""

from __future__ import annotations

import pytest

from quizcore.models import Question, QuestionType
from tests.plugins.csv_import.files import csv_bytes, upload, xlsx_bytes

pytestmark = pytest.mark.plugin("quiz_plugins.csv_import")

PATH = "/api/questions/bulk-import"
HEADER = ["text", "type", "marks", "options", "correct_answers", "scoring", "numeric_answers",
          "decimal_comma", "pairs", "items", "accepted_answers", "case_sensitive"]
ROWS = [
    ["Primes?", "multiple answer", "2", "2|4|5", "A|5", "partial", "", "", "", "", "", ""],
    ["Pi?", "numerical", "1", "", "", "", "3.14±0.005|3.14±5%@50%", "yes", "", "", "", ""],
    ["Capitals", "matching", "2", "", "", "", "", "", "France=Paris|Spain=Madrid", "", "",
     ""],
    ["Order", "ordering", "1", "", "", "partial", "", "", "", "a|b|c", "", ""],
    ["Na?", "short_answer", "1", "", "", "", "", "", "", "", "Na", "true"],
]


def stored(dbsession, body) -> list[Question]:
    dbsession.expire_all()
    return [dbsession.get(Question, item["id"]) for item in body["imported_questions"]]


@pytest.mark.parametrize("maker", [csv_bytes, xlsx_bytes])
def test_every_new_type_imports(testapp, teacher, auth, dbsession, maker):
    body = upload(testapp, PATH, maker([HEADER, *ROWS]), headers=auth(teacher),
                  filename="q.csv" if maker is csv_bytes else "q.xlsx").json
    assert body["imported"] == 5, body
    multiple, numerical, matching, ordering, short = stored(dbsession, body)
    assert multiple.type == QuestionType.MULTIPLE_ANSWER
    assert multiple.details == {"correct_answers": [0, 2], "scoring": "partial"}
    assert numerical.details == {"decimal_comma": True, "numeric_answers": [
        {"value": 3.14, "tolerance": 0.005, "tolerance_type": "absolute", "credit": 1.0},
        {"value": 3.14, "tolerance": 0.05, "tolerance_type": "relative", "credit": 0.5}]}
    assert matching.details["pairs"][1] == {"left": "Spain", "right": "Madrid"}
    assert ordering.details == {"items": ["a", "b", "c"], "scoring": "partial"}
    assert short.details == {"case_sensitive": True}


@pytest.mark.parametrize(("row", "column"), [
    (["Pi?", "numerical", "1", "", "", "", "three", "", "", "", "", ""], "numeric_answers"),
    (["Cap", "matching", "1", "", "", "", "", "", "France-Paris|Spain=Madrid", "", "", ""],
     "pairs"),
    (["Order", "ordering", "1", "", "", "partial_negative", "", "", "", "a|b", "", ""],
     "scoring"),
    (["Primes?", "multiple_answer", "1", "2|4", "", "", "", "", "", "", "", ""],
     "correct_answers"),
])
def test_bad_rows_name_their_column(testapp, teacher, auth, row, column):
    body = upload(testapp, PATH, csv_bytes([HEADER, row]), headers=auth(teacher)).json
    assert body["imported"] == 0
    assert body["errors"][0]["column"] == column
