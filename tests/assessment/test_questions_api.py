"""The question bank over HTTP: validation per type, ownership, the edit policy."""

import pytest

from quizcore.domain import attempts as lifecycle
from quizcore.models import Question
from tests import factories
from tests.helpers import assert_error

MCQ = {"text": "2 + 2?", "type": "mcq", "marks": 2, "options": ["3", "4", "5"],
       "correct_answer": 1, "topic": "Arithmetic", "difficulty": "easy"}


def test_teacher_creates_and_reads_a_question(testapp, teacher, auth, redis):
    created = testapp.post_json("/api/questions", MCQ, headers=auth(teacher), status=201).json
    assert created["created_by"] == teacher.id and created["in_use"] is False
    fetched = testapp.get(f"/api/questions/{created['id']}", headers=auth(teacher)).json
    assert fetched["options"] == ["3", "4", "5"] and fetched["correct_answer"] == 1


@pytest.mark.parametrize("body, field", [
    ({**MCQ, "options": ["only one"]}, "options"),
    ({**MCQ, "options": [str(i) for i in range(11)]}, "options"),
    ({**MCQ, "options": ["a", "  "]}, "options"),
    ({**MCQ, "correct_answer": 3}, "correct_answer"),
    ({**MCQ, "correct_answer": -1}, "correct_answer"),
    ({k: v for k, v in MCQ.items() if k != "correct_answer"}, "correct_answer"),
    ({**MCQ, "marks": 0}, "marks"),
    ({**MCQ, "marks": 1000}, "marks"),
    ({**MCQ, "marks": 2.5}, "marks"),
    ({**MCQ, "type": "essay"}, "type"),
    ({**MCQ, "text": "   "}, "text"),
    ({"text": "Sky is blue", "type": "true_false", "marks": 1, "correct_answer": 2},
     "correct_answer"),
    ({"text": "Capital?", "type": "short_answer", "marks": 1, "accepted_answers": []},
     "accepted_answers"),
    ({"text": "Capital?", "type": "short_answer", "marks": 1}, "accepted_answers"),
])
def test_invalid_questions_are_a_400_naming_the_field(testapp, teacher, auth, dbsession, body,
                                                      field):
    response = testapp.post_json("/api/questions", body, headers=auth(teacher), status=400)
    error = assert_error(response, 400)
    assert field in {e["name"] for e in error["errors"]}, error
    assert dbsession.query(Question).count() == 0


def test_true_false_accepts_booleans(testapp, teacher, auth):
    body = {"text": "Water is wet", "type": "true_false", "marks": 1, "correct_answer": False}
    created = testapp.post_json("/api/questions", body, headers=auth(teacher), status=201).json
    assert created["correct_answer"] == 1 and created["options"] == ["True", "False"]
    body["correct_answer"] = True
    assert testapp.post_json("/api/questions", body, headers=auth(teacher)).json[
        "correct_answer"] == 0


def test_boolean_key_of_a_multiple_choice_question_is_refused(testapp, teacher, auth):
    assert_error(testapp.post_json("/api/questions", {**MCQ, "correct_answer": True},
                                   headers=auth(teacher), status=400), 400)


def test_descriptive_needs_no_key_and_fields_of_other_types_are_dropped(testapp, teacher,
                                                                        auth):
    body = {"text": "Explain gravity.", "type": "descriptive", "marks": 5,
            "options": ["x", "y"], "correct_answer": 0, "sample_answer": "Mass attracts."}
    created = testapp.post_json("/api/questions", body, headers=auth(teacher), status=201).json
    assert created["options"] is None and created["correct_answer"] is None
    assert created["sample_answer"] == "Mass attracts."


def test_list_is_filtered_and_limited_to_the_teachers_own(testapp, teacher, other_teacher,
                                                          admin, auth):
    factories.QuestionFactory(owner=teacher, text="Photosynthesis basics", topic="Biology")
    factories.QuestionFactory(owner=teacher, text="Cell walls", topic="Biology",
                              difficulty="hard")
    factories.QuestionFactory(owner=other_teacher, text="Photosynthesis again")
    mine = testapp.get("/api/questions", headers=auth(teacher)).json
    assert mine["total"] == 2 and mine["current_page"] == 1
    found = testapp.get("/api/questions?search=PHOTO", headers=auth(teacher)).json
    assert [q["text"] for q in found["items"]] == ["Photosynthesis basics"]
    hard = testapp.get("/api/questions?difficulty=hard&topic=Biology",
                       headers=auth(teacher)).json
    assert [q["text"] for q in hard["items"]] == ["Cell walls"]
    assert testapp.get("/api/questions?search=photo", headers=auth(admin)).json["total"] == 2
    assert_error(testapp.get("/api/questions?type=essay", headers=auth(teacher), status=400),
                 400)
    page = testapp.get("/api/questions?per_page=1&page=2", headers=auth(teacher)).json
    assert page["limit"] == 1 and len(page["items"]) == 1 and page["pages"] == 2


def test_search_treats_wildcards_literally(testapp, teacher, auth):
    factories.QuestionFactory(owner=teacher, text="What is 50% of 10?")
    factories.QuestionFactory(owner=teacher, text="What is 5 of 10?")
    assert testapp.get("/api/questions?search=50%25", headers=auth(teacher)).json["total"] == 1


def test_other_teachers_questions_are_404_and_students_are_403(testapp, teacher, other_teacher,
                                                               student, auth):
    question = factories.QuestionFactory(owner=teacher)
    assert_error(testapp.get(f"/api/questions/{question.id}", headers=auth(other_teacher),
                             status=404), 404)
    assert_error(testapp.put_json(f"/api/questions/{question.id}", {"marks": 3},
                                  headers=auth(other_teacher), status=404), 404)
    assert_error(testapp.get("/api/questions", headers=auth(student), status=403), 403)


def test_admin_creates_for_a_named_teacher_or_for_themself(testapp, admin, teacher, auth):
    own = testapp.post_json("/api/questions", MCQ, headers=auth(admin), status=201).json
    assert own["created_by"] == admin.id
    created = testapp.post_json("/api/questions", {**MCQ, "teacher_id": teacher.id},
                                headers=auth(admin), status=201).json
    assert created["created_by"] == teacher.id


def test_update_is_partial_and_null_clears(testapp, teacher, auth):
    question = factories.QuestionFactory(owner=teacher, topic="Old")
    updated = testapp.put_json(f"/api/questions/{question.id}",
                               {"text": "New text", "topic": None},
                               headers=auth(teacher)).json
    assert updated["text"] == "New text" and updated["topic"] is None
    assert updated["options"] == ["one", "two", "three", "four"]


def _used_question(dbsession, teacher, school_class, student):
    question = factories.QuestionFactory(owner=teacher)
    quiz = factories.QuizFactory(owner=teacher, questions=[question], classes=[school_class])
    factories.QuizAttemptFactory(quiz=quiz, student=student)
    return question


def test_question_being_answered_refuses_content_changes(testapp, teacher, school_class,
                                                         student, auth, dbsession):
    question = _used_question(dbsession, teacher, school_class, student)
    for change in ({"text": "Reworded"}, {"marks": 5}, {"options": ["a", "b"]},
                   {"type": "true_false", "correct_answer": 0}):
        body = assert_error(testapp.put_json(f"/api/questions/{question.id}", change,
                                             headers=auth(teacher), status=409), 409)
        assert body["reason"] == "question_being_answered"
    dbsession.expire_all()
    stored = dbsession.get(Question, question.id)
    assert stored.text.startswith("Question") and stored.version == 1


def test_answer_key_corrections_stay_allowed(testapp, teacher, school_class, student, auth):
    question = _used_question(None, teacher, school_class, student)
    fixed = testapp.put_json(f"/api/questions/{question.id}",
                             {"correct_answer": 2, "marking_rubric": "Full marks for C.",
                              "topic": "Renamed", "text": question.text},
                             headers=auth(teacher)).json
    assert fixed["correct_answer"] == 2 and fixed["in_use"] is True


def test_edit_policy_is_in_the_openapi_document(testapp):
    spec = testapp.get("/api/openapi.json").json
    put = spec["paths"]["/api/questions/{id}"]["put"]["summary"]
    assert "409" in put and "new version" in put and "correct_answer" in put


def test_delete_is_refused_while_a_quiz_uses_the_question(testapp, teacher, auth, dbsession):
    question = factories.QuestionFactory(owner=teacher)
    factories.QuizFactory(owner=teacher, questions=[question], status="draft")
    body = assert_error(testapp.delete(f"/api/questions/{question.id}", headers=auth(teacher),
                                       status=409), 409)
    assert body["reason"] == "question_in_quiz"
    free_id = factories.QuestionFactory(owner=teacher).id
    testapp.delete(f"/api/questions/{free_id}", headers=auth(teacher), status=200)
    dbsession.expire_all()
    assert dbsession.get(Question, free_id) is None


def test_marks_change_may_not_push_a_quiz_past_999(testapp, teacher, auth):
    big = factories.QuestionFactory(owner=teacher, marks=600)
    small = factories.QuestionFactory(owner=teacher, marks=300)
    factories.QuizFactory(owner=teacher, questions=[big, small], status="draft")
    body = assert_error(testapp.put_json(f"/api/questions/{small.id}", {"marks": 500},
                                         headers=auth(teacher), status=400), 400)
    assert body["errors"][0]["name"] == "marks"


def test_question_events_are_emitted(testapp, teacher, auth, registry):
    seen = []
    from quizcore.events import EntityChanged

    registry.registerHandler(seen.append, (EntityChanged,))
    try:
        created = testapp.post_json("/api/questions", MCQ, headers=auth(teacher)).json
        testapp.put_json(f"/api/questions/{created['id']}", {"marks": 3},
                         headers=auth(teacher))
        testapp.delete(f"/api/questions/{created['id']}", headers=auth(teacher))
    finally:
        registry.unregisterHandler(seen.append, (EntityChanged,))
    assert [(e.action, e.entity_type) for e in seen] == [
        ("create", "question"), ("update", "question"), ("delete", "question")]
    assert seen[1].old == {"marks": 2} and seen[1].new == {"marks": 3}


def test_in_use_flag_reflects_attempt_answers(domain_request, teacher, school_class, student,
                                              testapp, auth):
    question = factories.QuestionFactory(owner=teacher)
    quiz = factories.QuizFactory(owner=teacher, questions=[question], classes=[school_class])
    assert testapp.get(f"/api/questions/{question.id}", headers=auth(teacher)).json[
        "in_use"] is False
    lifecycle.start_attempt(domain_request.dbsession, quiz.id, student)
    domain_request.dbsession.flush()
    assert testapp.get(f"/api/questions/{question.id}", headers=auth(teacher)).json[
        "in_use"] is True
