"""Examples of every question type's question and answer shape, for the OpenAPI document
(``x-examples`` on ``POST /api/questions`` and ``POST /api/attempts/{id}/answer``)."""

from __future__ import annotations

QUESTION_EXAMPLES = {
    "mcq": {"text": "2 + 2?", "type": "mcq", "marks": 1, "options": ["3", "4", "5"],
            "correct_answer": 1},
    "true_false": {"text": "The earth is flat.", "type": "true_false", "marks": 1,
                   "correct_answer": False},
    "short_answer": {"text": "Symbol of sodium?", "type": "short_answer", "marks": 1,
                     "accepted_answers": ["Na"], "case_sensitive": True},
    "descriptive": {"text": "Explain photosynthesis.", "type": "descriptive", "marks": 10,
                    "sample_answer": "Light to sugar.", "marking_rubric": "5 + 5"},
    "multiple_answer": {"text": "Which are primes?", "type": "multiple_answer", "marks": 2,
                        "options": ["2", "4", "5", "9"], "correct_answers": [0, 2],
                        "scoring": "partial"},
    "numerical": {"text": "Pi to two decimals?", "type": "numerical", "marks": 2,
                  "decimal_comma": False, "numeric_answers": [
                      {"value": 3.14, "tolerance": 0.005, "tolerance_type": "absolute",
                       "credit": 1},
                      {"value": 3.14, "tolerance": 0.05, "tolerance_type": "relative",
                       "credit": 0.5}]},
    "matching": {"text": "Match the capitals.", "type": "matching", "marks": 3,
                 "pairs": [{"left": "France", "right": "Paris"},
                           {"left": "Spain", "right": "Madrid"},
                           {"left": "Peru", "right": "Lima"}]},
    "ordering": {"text": "Smallest first.", "type": "ordering", "marks": 2,
                 "items": ["1/8", "1/4", "1/2", "1"], "scoring": "partial"},
}

_QUESTION = "3f2c1d5e-0000-4000-8000-000000000001"

ANSWER_EXAMPLES = {
    "mcq / true_false": {"question_id": _QUESTION, "answer_option": 1, "client_seq": 7},
    "short_answer / descriptive": {"question_id": _QUESTION, "answer_text": "Na"},
    "multiple_answer": {"question_id": _QUESTION, "answer_options": [0, 3]},
    "numerical": {"question_id": _QUESTION, "answer_text": "3,14"},
    "numerical (number)": {"question_id": _QUESTION, "answer_number": 3.14},
    "matching": {"question_id": _QUESTION, "answer_matches": {"0": 2, "1": 0, "2": 1}},
    "ordering": {"question_id": _QUESTION, "answer_order": [2, 0, 3, 1]},
}

#: (path, method) -> examples of the request body.
OPERATION_EXAMPLES = {
    ("/api/questions", "post"): QUESTION_EXAMPLES,
    ("/api/attempts/{id}/answer", "post"): ANSWER_EXAMPLES,
}
