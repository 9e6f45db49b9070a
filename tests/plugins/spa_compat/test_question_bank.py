"""Contract of the SPA's question bank (``QuestionBank.tsx``, and the builder's "Add from
Bank" dialog ``QuizBuilder.tsx:725``): for each call the request the page sends
(``api.ts``) and every response field it reads, on MariaDB."""

from __future__ import annotations

import pytest

from quizcore.models import Difficulty, Question, QuestionType
from tests import factories
from tests.helpers import assert_error

pytestmark = pytest.mark.plugin("quiz_plugins.spa_compat")

#: ``getQuestionBank()``: api.ts sends page, per_page and (only) difficulty.
BANK = "/api/quizzes/questions?page=1&per_page=20"

#: ``handleCreate``'s body for a multiple-choice question.
MCQ = {"type": "mcq", "text": "Which planet is largest?", "topic": "Astronomy",
       "difficulty": "medium", "marks": 2, "options": ["Mars", "Jupiter", "Venus", "Earth"],
       "correct_answer": 1}
#: ... and for a descriptive one (no options, no correct answer).
ESSAY = {"type": "descriptive", "text": "Explain tides.", "topic": "Astronomy",
         "difficulty": "hard", "marks": 5}


def assert_page_question(item: dict, question: Question) -> None:
    """What the bank page and the builder's bank dialog read of a question."""
    assert item["id"] == question.id
    assert item["text"] == question.text
    assert item["type"] == str(question.type)
    assert item["topic"] == (question.topic or "")
    assert item["difficulty"] == (question.difficulty.value if question.difficulty else None)
    assert item["marks"] == question.marks
    if question.type == QuestionType.MCQ:
        assert item["options"] == question.options
        assert item["correctAnswer"] == question.correct_answer == item["correct_answer"]


def test_the_bank_as_the_pages_read_it(testapp, teacher, other_teacher, auth):
    mine = [factories.QuestionFactory(owner=teacher, correct_answer=2),
            factories.DescriptiveQuestionFactory(owner=teacher, difficulty=Difficulty.HARD),
            factories.QuestionFactory(owner=teacher, topic=None, difficulty=None)]
    factories.QuestionFactory(owner=other_teacher)
    body = testapp.get(BANK, headers=auth(teacher)).json
    assert body["total"] == 3 and body["pages"] == 1 and body["current_page"] == 1
    listed = {item["id"]: item for item in body["questions"]}
    assert set(listed) == {q.id for q in mine}  # not the other teacher's
    for question in mine:
        assert_page_question(listed[question.id], question)
    # A question without a topic reads "" (the page lower-cases every topic to filter).
    assert listed[mine[2].id]["topic"] == ""
    essay = listed[mine[1].id]
    assert essay["modelAnswer"] == mine[1].sample_answer == essay["sample_answer"]

    hard = testapp.get(BANK + "&difficulty=hard", headers=auth(teacher)).json
    assert [item["id"] for item in hard["questions"]] == [mine[1].id]
    typed = testapp.get("/api/quizzes/questions/?type=descriptive", headers=auth(teacher)).json
    assert [item["id"] for item in typed["questions"]] == [mine[1].id]
    page = testapp.get("/api/quizzes/questions?page=2&per_page=2", headers=auth(teacher)).json
    assert len(page["questions"]) == 1 and page["pages"] == 2 and page["current_page"] == 2


def test_bad_filters_are_the_canonical_400(testapp, teacher, auth):
    assert_error(testapp.get(BANK + "&difficulty=impossible", headers=auth(teacher),
                             expect_errors=True), 400)


def test_only_staff_use_the_bank(testapp, student, auth, teacher):
    question = factories.QuestionFactory(owner=teacher)
    assert_error(testapp.get(BANK, headers=auth(student), expect_errors=True), 403)
    assert_error(testapp.post_json("/api/quizzes/questions", MCQ, headers=auth(student),
                                   expect_errors=True), 403)
    assert_error(testapp.put_json(f"/api/quizzes/questions/{question.id}", MCQ,
                                  headers=auth(student), expect_errors=True), 403)
    assert_error(testapp.delete(f"/api/quizzes/questions/{question.id}",
                                headers=auth(student), expect_errors=True), 403)
    assert_error(testapp.get(BANK, expect_errors=True), 401)


def test_adding_questions_as_the_page_does(testapp, teacher, auth, dbsession):
    for sent in (MCQ, ESSAY):
        body = testapp.post_json("/api/quizzes/questions/", sent, headers=auth(teacher),
                                 status=201).json
        assert isinstance(body["message"], str)
        stored = dbsession.get(Question, body["question"]["id"])
        assert stored.created_by == teacher.id and stored.text == sent["text"]
        assert_page_question(body["question"], stored)
    assert stored.type == QuestionType.DESCRIPTIVE and stored.options is None


def test_the_builders_spellings_are_read(testapp, teacher, auth, dbsession):
    body = testapp.post_json("/api/quizzes/questions", {
        "type": "mcq", "text": "2 + 2?", "topic": "Sums", "difficulty": "easy", "marks": 1,
        "options": ["3", "4"], "correctAnswer": 1}, headers=auth(teacher), status=201).json
    assert body["question"]["correctAnswer"] == 1
    essay = testapp.post_json("/api/quizzes/questions", {
        "type": "descriptive", "text": "Why?", "marks": 3, "modelAnswer": "Because."},
        headers=auth(teacher), status=201).json["question"]
    assert essay["modelAnswer"] == "Because." == dbsession.get(Question, essay["id"]).sample_answer


def test_bad_questions_are_refused_and_nothing_is_added(testapp, teacher, auth, dbsession):
    count = dbsession.query(Question).count()
    for bad in ({**MCQ, "options": ["only one"]},
                {**MCQ, "correct_answer": 7},
                {**MCQ, "type": "riddle"},
                {**MCQ, "text": ""},
                {**ESSAY, "marks": 0},
                {"text": "No type"}):
        response = testapp.post_json("/api/quizzes/questions", bad, headers=auth(teacher),
                                     expect_errors=True)
        body = assert_error(response, 400)
        assert body["errors"] and body["errors"][0]["location"] == "body"
    testapp.post("/api/quizzes/questions", "not json", headers={
        **auth(teacher), "Content-Type": "application/json"}, status=400)
    dbsession.expire_all()
    assert dbsession.query(Question).count() == count


def test_editing_as_the_page_does(testapp, teacher, auth, dbsession):
    question = factories.QuestionFactory(owner=teacher, correct_answer=0)
    # ``handleEdit`` sends the whole form again.
    body = testapp.put_json(f"/api/quizzes/questions/{question.id}", {
        **MCQ, "text": "Which planet is smallest?", "options": ["Mercury", "Mars"],
        "correct_answer": 0}, headers=auth(teacher)).json
    assert body["question"]["text"] == "Which planet is smallest?"
    assert body["question"]["correctAnswer"] == 0 and body["question"]["options"] == [
        "Mercury", "Mars"]
    # Turned into a descriptive question: the page sends no options.
    turned = testapp.put_json(f"/api/quizzes/questions/{question.id}/", ESSAY,
                              headers=auth(teacher)).json["question"]
    assert turned["type"] == "descriptive" and turned["options"] is None
    dbsession.expire_all()
    assert dbsession.get(Question, question.id).type == QuestionType.DESCRIPTIVE


def test_other_teachers_questions_are_not_found(testapp, teacher, other_teacher, auth,
                                                dbsession):
    question = factories.QuestionFactory(owner=teacher, text="Mine")
    assert_error(testapp.put_json(f"/api/quizzes/questions/{question.id}", MCQ,
                                  headers=auth(other_teacher), expect_errors=True), 404)
    assert_error(testapp.delete(f"/api/quizzes/questions/{question.id}",
                                headers=auth(other_teacher), expect_errors=True), 404)
    dbsession.expire_all()
    assert dbsession.get(Question, question.id).text == "Mine"


def test_bad_edits_change_nothing(testapp, teacher, auth, dbsession):
    question = factories.QuestionFactory(owner=teacher, text="Keep me")
    assert_error(testapp.put_json(f"/api/quizzes/questions/{question.id}",
                                  {**MCQ, "text": "Changed", "correct_answer": 9},
                                  headers=auth(teacher), expect_errors=True), 400)
    dbsession.expire_all()
    assert dbsession.get(Question, question.id).text == "Keep me"


def test_deleting_as_the_page_does(testapp, teacher, auth, dbsession, school_class):
    spare_id = factories.QuestionFactory(owner=teacher).id
    body = testapp.delete(f"/api/quizzes/questions/{spare_id}", headers=auth(teacher)).json
    assert "error" not in body and isinstance(body["message"], str)  # ``!response.error``
    dbsession.expire_all()
    assert dbsession.get(Question, spare_id) is None
    used = factories.QuestionFactory(owner=teacher)
    factories.QuizFactory(owner=teacher, questions=[used], classes=[school_class])
    assert_error(testapp.delete(f"/api/quizzes/questions/{used.id}", headers=auth(teacher),
                                expect_errors=True), 409)
    dbsession.expire_all()
    assert dbsession.get(Question, used.id) is not None


def test_the_bank_and_the_quiz_routes_live_side_by_side(testapp, teacher, auth,
                                                        school_class):
    """``/api/quizzes/{id}`` matches quiz ids only, so ``/api/quizzes/questions`` reaches the
    bank while a quiz is still found at its id."""
    quiz = factories.QuizFactory(owner=teacher, classes=[school_class])
    assert testapp.get(f"/api/quizzes/{quiz.id}", headers=auth(teacher)).json["id"] == quiz.id
    assert testapp.get(f"/api/quizzes/{quiz.id}/", headers=auth(teacher)).json["id"] == quiz.id
    assert "questions" in testapp.get("/api/quizzes/questions", headers=auth(teacher)).json
    assert_error(testapp.get("/api/quizzes/not-a-quiz", headers=auth(teacher),
                             expect_errors=True), 404)
