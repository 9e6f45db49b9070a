"""POST /api/questions/bulk-import: every question type, the ways to write options and
answers, the bank's own rules per row, owners, dry runs, atomic imports, hostile files."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from quizcore.models import Difficulty, Question, QuestionType, Teacher
from tests import factories
from tests.helpers import assert_error
from tests.plugins.csv_import.files import csv_bytes, upload, xlsx_bytes

pytestmark = pytest.mark.plugin("quiz_plugins.csv_import")

PATH = "/api/questions/bulk-import"
HEADER = ["text", "type", "topic", "difficulty", "marks", "options", "correct_answer",
          "accepted_answers", "sample_answer", "marking_rubric"]


def q(text="What is the capital of France?", qtype="mcq", topic="Geography",
      difficulty="easy", marks="2", options="Paris|London|Rome", correct="A", accepted="",
      sample="", rubric=""):
    return [text, qtype, topic, difficulty, marks, options, correct, accepted, sample, rubric]


def bank(dbsession, owner) -> list[Question]:
    return list(dbsession.scalars(sa.select(Question).where(Question.created_by == owner.id)
                                  .order_by(Question.created_at, Question.text)))


def stored(dbsession, body) -> list[Question]:
    return [dbsession.get(Question, item["id"]) for item in body["imported_questions"]]


def test_teacher_imports_every_question_type_into_their_bank(testapp, teacher, auth,
                                                             dbsession):
    data = csv_bytes([HEADER,
                      q(),
                      q("The earth is flat.", "True/False", correct="false", options="",
                        marks=""),
                      q("Name a primary colour.", "Short Answer", options="", correct="",
                        accepted="red|blue|yellow"),
                      q("Explain photosynthesis.", "essay", difficulty="Hard", marks="10",
                        options="", correct="", sample="Light to sugar.",
                        rubric="5 for light, 5 for sugar")])
    body = upload(testapp, PATH, data, headers=auth(teacher)).json
    assert body["imported"] == 4 and body["failed"] == 0
    assert body["message"] == "Imported 4 questions."
    mcq, true_false, short, essay = stored(dbsession, body)
    assert (mcq.type, mcq.options, mcq.correct_answer, mcq.marks, mcq.topic,
            mcq.difficulty) == (QuestionType.MCQ, ["Paris", "London", "Rome"], 0, 2,
                                "Geography", Difficulty.EASY)
    assert (true_false.type, true_false.correct_answer, true_false.marks,
            true_false.options) == (QuestionType.TRUE_FALSE, 1, 1, None)
    assert short.accepted_answers == ["red", "blue", "yellow"]
    assert (essay.type, essay.difficulty, essay.marks, essay.sample_answer,
            essay.marking_rubric) == (QuestionType.DESCRIPTIVE, Difficulty.HARD, 10,
                                      "Light to sugar.", "5 for light, 5 for sugar")
    assert {item.created_by for item in (mcq, true_false, short, essay)} == {teacher.id}
    listed = testapp.get("/api/questions", headers=auth(teacher)).json
    assert listed["total"] == 4


@pytest.mark.parametrize("correct, index", [("B", 1), ("b", 1), ("2", 1), ("London", 1),
                                            ("rome", 2)])
def test_the_right_option_by_letter_position_or_text(correct, index, testapp, teacher, auth,
                                                      dbsession):
    body = upload(testapp, PATH, csv_bytes([HEADER, q(correct=correct)]),
                  headers=auth(teacher)).json
    assert stored(dbsession, body)[0].correct_answer == index


def test_option_columns_instead_of_a_separated_list(testapp, teacher, auth, dbsession):
    data = xlsx_bytes([["Question", "Type", "Option A", "Option B", "Option C", "Option D",
                        "Answer", "Points"],
                       ["Pick the odd one", "Multiple Choice", "2", "4", "7 | 9", "-8", "C",
                        3]])
    body = upload(testapp, PATH, data, headers=auth(teacher)).json
    question = stored(dbsession, body)[0]
    assert question.options == ["2", "4", "7 | 9", "-8"]
    assert question.correct_answer == 2 and question.marks == 3


def test_each_bad_question_row_is_reported_and_the_good_ones_go_in(testapp, teacher, auth,
                                                                   dbsession):
    data = csv_bytes([HEADER,
                      q(),                                                   # 2 ok
                      q(qtype="riddle"),                                     # 3
                      q(options="Paris"),                                    # 4
                      q(correct="E"),                                        # 5
                      q(options="1|2|3", correct="2|"),                      # 6
                      q(options="3|1|2", correct="2"),                       # 7 ambiguous
                      q("T?", "true_false", options="", correct="1"),        # 8
                      q(marks="1.5"),                                        # 9
                      q(marks="0"),                                          # 10
                      q(text=""),                                            # 11
                      q(qtype=""),                                           # 12
                      q(difficulty="impossible"),                            # 13
                      q("S?", "short_answer", options="", correct=""),       # 14
                      q(options="a||c"),                                     # 15
                      q(text="x" * 10_001),                                  # 16
                      q("Fine too", "true_false", options="", correct="TRUE")])  # 17 ok
    body = upload(testapp, PATH, data, headers=auth(teacher)).json
    assert [item["row"] for item in body["imported_questions"]] == [2, 17]
    columns = {e["row"]: e["column"] for e in body["errors"]}
    assert columns == {3: "type", 4: "options", 5: "correct_answer", 6: "correct_answer",
                       7: "correct_answer", 8: "correct_answer", 9: "marks", 10: "marks",
                       11: "text", 12: "type", 13: "difficulty", 14: "accepted_answers",
                       15: "options", 16: "text"}
    errors = {e["row"]: e["error"] for e in body["errors"]}
    assert "ambiguous" in errors[7] and "letter" in errors[7]
    assert len(bank(dbsession, teacher)) == 2


def test_option_columns_with_a_gap_or_mixed_with_the_list_are_refused(testapp, teacher, auth):
    data = csv_bytes([["text", "type", "options", "option_a", "option_b", "option_c",
                       "correct_answer"],
                      ["Gap", "mcq", "", "a", "", "c", "A"],
                      ["Both", "mcq", "a|b", "a", "b", "", "A"]])
    body = upload(testapp, PATH, data, headers=auth(teacher)).json
    assert [(e["row"], e["column"]) for e in body["errors"]] == [(2, "option_b"),
                                                                 (3, "options")]


def test_admin_imports_into_their_own_bank_or_a_named_teachers(testapp, admin, teacher, auth,
                                                                dbsession):
    data = csv_bytes([HEADER, q()])
    own = upload(testapp, PATH, data, headers=auth(admin)).json
    assert dbsession.get(Teacher, admin.id) is not None
    assert stored(dbsession, own)[0].created_by == admin.id
    named = upload(testapp, PATH, data, headers=auth(admin), teacher_id=teacher.id).json
    assert stored(dbsession, named)[0].created_by == teacher.id


def test_teacher_id_must_be_a_teacher_and_only_admins_may_name_one(testapp, admin, teacher,
                                                                   other_teacher, student,
                                                                   auth, dbsession):
    data = csv_bytes([HEADER, q()])
    body = assert_error(upload(testapp, PATH, data, headers=auth(admin),
                               teacher_id=student.id, status=400), 400)
    assert body["errors"][0]["name"] == "teacher_id"
    assert_error(upload(testapp, PATH, data, headers=auth(teacher),
                        teacher_id=other_teacher.id, status=403), 403)
    assert bank(dbsession, other_teacher) == []


def test_admin_dry_run_does_not_create_a_teacher_profile(testapp, admin, auth, dbsession):
    body = upload(testapp, PATH, csv_bytes([HEADER, q()]), headers=auth(admin),
                  dry_run="true").json
    assert body["imported"] == 1 and body["imported_questions"][0]["id"] is None
    assert dbsession.get(Teacher, admin.id) is None
    assert dbsession.scalar(sa.select(sa.func.count()).select_from(Question)) == 0


def test_atomic_question_import_with_a_bad_row_writes_nothing(testapp, teacher, auth,
                                                              dbsession):
    data = csv_bytes([HEADER, q(), q(qtype="riddle")])
    body = assert_error(upload(testapp, PATH, data, headers=auth(teacher), atomic="true",
                               status=400), 400)
    assert body["failed"] == 1 and body["errors"][0]["row"] == 3
    assert body["imported_questions"] == []
    assert bank(dbsession, teacher) == []


def test_formula_in_a_question_refuses_the_file(testapp, teacher, auth, dbsession):
    data = csv_bytes([HEADER, q(), q(options="=1+1|2|3")])
    body = assert_error(upload(testapp, PATH, data, headers=auth(teacher), status=400), 400)
    assert body["errors"][0]["row"] == 3 and body["errors"][0]["column"] == "options"
    assert bank(dbsession, teacher) == []


def test_question_header_without_type_is_refused(testapp, teacher, auth):
    body = assert_error(upload(testapp, PATH, csv_bytes([["text"], ["Why?"]]),
                               headers=auth(teacher), status=400), 400)
    assert "no type column" in body["message"]


def test_long_question_texts_are_previewed_in_the_report(testapp, teacher, auth, dbsession):
    long_text = "Why " + "really " * 100 + "?"
    body = upload(testapp, PATH, csv_bytes([HEADER, q(text=long_text)]),
                  headers=auth(teacher)).json
    assert len(body["imported_questions"][0]["text"]) == 120
    assert stored(dbsession, body)[0].text == long_text


def test_students_may_not_import_questions(testapp, student, auth):
    assert_error(upload(testapp, PATH, csv_bytes([HEADER, q()]), headers=auth(student),
                        status=403), 403)


def test_bulk_import_path_is_not_taken_for_a_question_id(testapp, teacher, auth):
    """/api/questions/{id} matches UUIDs only, so POST reaches the plugin (registered after
    the core) instead of a 405 from the question route."""
    question = factories.QuestionFactory(owner=teacher)
    assert testapp.get(PATH, headers=auth(teacher), status=405).headers["Allow"] == "POST"
    assert testapp.get(f"/api/questions/{question.id}", headers=auth(teacher)).json["id"] == \
        question.id
    assert_error(testapp.get("/api/questions/not-a-uuid", headers=auth(teacher), status=404),
                 404)
