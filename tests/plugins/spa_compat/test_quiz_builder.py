"""Contract of the SPA's quiz builder (``QuizBuilder.tsx``) and the teacher's view of one quiz
(``QuizAnalytics.tsx:43``, ``QuizMonitor.tsx:80``, ``TeacherQuizzes.tsx:60``): for each call
the request the page sends (``api.ts``) and every response field it reads, on MariaDB.

The builder saves through the canonical ``POST /api/quizzes/`` and ``PUT /api/quizzes/{id}``
with its questions inline (:mod:`quizcore.domain.inline_questions`)."""

from __future__ import annotations

import datetime as dt

import pytest

from quizcore.models import Question, QuestionType, Quiz, QuizStatus
from tests import factories
from tests.helpers import assert_error

pytestmark = pytest.mark.plugin("quiz_plugins.spa_compat")

#: ``quizSettings`` as the builder spreads it into its body (QuizBuilder.tsx:47, :321),
#: dates as its ``datetime-local`` inputs give them.
SETTINGS = {
    "start_date": "2030-05-01T09:00", "end_date": "2030-05-01T11:00",
    "allow_late_submissions": False, "max_attempts": 2, "retake_policy": "highest",
    "show_correct_answers": False, "prevent_tab_switching": True, "require_fullscreen": True,
    "enable_camera_monitoring": True, "show_questions_one_at_a_time": True,
    "show_progress_bar": False, "randomize_questions": True, "randomize_options": True,
    "passing_percentage": 70, "enable_auto_grading": True, "allow_partial_credit": False,
    "password_protection": True, "quiz_password": "", "allowed_ip_addresses": "",
    "require_access_code": True, "show_answers_after_submission": False, "allow_review": False,
}

#: ``QuestionFormModal`` + ``addQuestion`` (QuizBuilder.tsx:277, :864): a placeholder id,
#: ``correctAnswer``, ``modelAnswer``.
NEW_MCQ = {"id": "q1767225600000", "type": "mcq", "text": "3 x 4?", "marks": 2,
           "options": ["7", "12", "34", "1"], "correctAnswer": 1, "topic": "General",
           "difficulty": "medium"}
NEW_ESSAY = {"id": "q1767225600001", "type": "descriptive", "text": "Explain division.",
             "marks": 5, "modelAnswer": "Sharing into equal groups.", "topic": "General",
             "difficulty": "medium"}


def builder_body(classes, questions, status="draft", **changes) -> dict:
    """``executeSaveDraft`` / ``executePublish`` (QuizBuilder.tsx:312, :361)."""
    return {"title": "Times tables", "description": "", "subject": "Mathematics",
            "time_limit_minutes": 30, "class_ids": [c.id for c in classes],
            "questions": questions, "status": status, **SETTINGS, **changes}


def bank_item(testapp, auth, teacher, question) -> dict:
    """A question as the "Add from Bank" dialog hands it to ``addQuestions``."""
    listed = testapp.get("/api/quizzes/questions?page=1&per_page=20",
                         headers=auth(teacher)).json["questions"]
    item = next(q for q in listed if q["id"] == question.id)
    return {**item, "topic": item["topic"] or "General",
            "difficulty": item["difficulty"] or "medium", "marks": item["marks"] or 1}


def counts(dbsession) -> tuple[int, int]:
    dbsession.expire_all()
    return dbsession.query(Quiz).count(), dbsession.query(Question).count()


def test_creating_a_draft_with_new_and_bank_questions(testapp, teacher, auth, school_class,
                                                      dbsession):
    from_bank = factories.QuestionFactory(owner=teacher, marks=3)
    body = builder_body([school_class], [NEW_MCQ, bank_item(testapp, auth, teacher, from_bank),
                                         NEW_ESSAY])
    created = testapp.post_json("/api/quizzes/", body, headers=auth(teacher), status=201).json
    assert created["status"] == "draft" and created["title"] == "Times tables"
    assert created["start_date"] == "2030-05-01T09:00:00Z"
    assert created["max_attempts"] == 2 and created["passing_percentage"] == 70
    assert [c["id"] for c in created["classes"]] == [school_class.id]
    ids = [q["id"] for q in created["questions"]]
    assert ids[1] == from_bank.id  # the bank question itself, not a copy
    mcq, essay = dbsession.get(Question, ids[0]), dbsession.get(Question, ids[2])
    # The new questions joined the teacher's bank, with the builder's spellings read.
    assert mcq.created_by == essay.created_by == teacher.id
    assert mcq.type == QuestionType.MCQ and mcq.correct_answer == 1 and mcq.marks == 2
    assert essay.sample_answer == "Sharing into equal groups." and essay.marks == 5
    assert created["total_marks"] == 10 and created["question_count"] == 3


def test_publishing_from_the_builder(testapp, teacher, auth, school_class, dbsession):
    created = testapp.post_json("/api/quizzes/", builder_body([school_class], [NEW_MCQ],
                                                              status="published"),
                                headers=auth(teacher), status=201).json
    assert created["status"] == "published"
    dbsession.expire_all()
    assert dbsession.get(Quiz, created["id"]).status == QuizStatus.PUBLISHED


def test_a_bad_inline_question_writes_nothing(testapp, teacher, auth, school_class,
                                              dbsession):
    before = counts(dbsession)
    bad = {**NEW_ESSAY, "id": "q2", "type": "mcq", "options": ["only one"], "correctAnswer": 0}
    body = assert_error(testapp.post_json("/api/quizzes/", builder_body(
        [school_class], [NEW_MCQ, bad]), headers=auth(teacher), expect_errors=True), 400)
    assert body["errors"][0]["name"] == "questions.1.options"
    assert "Question 2" in body["message"]
    # A short answer needs an accepted answer: the model answer, when there is one.
    short = {**NEW_ESSAY, "type": "short_answer", "modelAnswer": ""}
    body = assert_error(testapp.post_json("/api/quizzes/", builder_body(
        [school_class], [NEW_MCQ, short]), headers=auth(teacher), expect_errors=True), 400)
    assert body["errors"][0]["name"] == "questions.1.accepted_answers"
    assert counts(dbsession) == before


def test_publishing_an_empty_quiz_writes_nothing(testapp, teacher, auth, school_class,
                                                 dbsession):
    before = counts(dbsession)
    body = assert_error(testapp.post_json("/api/quizzes/", builder_body(
        [school_class], [], status="published"), headers=auth(teacher), expect_errors=True),
        409)
    assert body["reason"] == "no_questions"
    assert counts(dbsession) == before


def test_another_teachers_question_is_refused(testapp, teacher, other_teacher, auth,
                                              school_class, dbsession):
    theirs = factories.QuestionFactory(owner=other_teacher)
    before = counts(dbsession)
    item = {"id": theirs.id, "type": "mcq", "text": theirs.text, "marks": 1}
    assert_error(testapp.post_json("/api/quizzes/", builder_body([school_class],
                                                                 [NEW_MCQ, item]),
                                   headers=auth(teacher), expect_errors=True), 400)
    assert counts(dbsession) == before


def test_the_builder_loads_a_quiz(testapp, teacher, auth, school_class):
    question = factories.QuestionFactory(owner=teacher, correct_answer=2)
    essay = factories.DescriptiveQuestionFactory(owner=teacher)
    quiz = factories.QuizFactory(owner=teacher, classes=[school_class],
                                 questions=[question, essay], max_attempts=3,
                                 start_date=dt.datetime(2030, 5, 1, 9),
                                 end_date=dt.datetime(2030, 5, 1, 11, 30))
    body = testapp.get(f"/api/teacher/quizzes/{quiz.id}?include_questions=true",
                       headers=auth(teacher)).json
    loaded = body["quiz"]  # QuizBuilder reads response.quiz
    assert loaded["title"] == quiz.title and loaded["subject"] == quiz.subject
    assert loaded["description"] is None and loaded["status"] == "published"
    assert loaded["time_limit_minutes"] == quiz.time_limit_minutes
    assert loaded["class_ids"] == [school_class.id]
    assert loaded["max_attempts"] == 3 and loaded["passing_percentage"] == 40
    for flag in ("randomize_questions", "randomize_options", "show_answers_after_submission",
                 "allow_review"):
        assert isinstance(loaded[flag], bool)
    # datetime-local inputs: UTC without the Z.
    assert (loaded["start_date"], loaded["end_date"]) == ("2030-05-01T09:00:00",
                                                          "2030-05-01T11:30:00")
    first, second = loaded["questions"]
    assert (first["id"], first["type"], first["text"], first["marks"]) == (
        question.id, "mcq", question.text, question.marks)
    assert first["options"] == question.options and first["correctAnswer"] == 2
    assert second["modelAnswer"] == essay.sample_answer and second["type"] == "descriptive"


def test_analytics_and_monitor_read_the_quiz_at_the_top(testapp, teacher, auth, school_class):
    """``setQuiz(quizResponse)``: ``title``, ``subject``, ``id``, ``max_attempts``,
    ``questions`` (only asked for with include_questions=true)."""
    quiz = factories.QuizFactory(owner=teacher, classes=[school_class],
                                 questions=[factories.QuestionFactory(owner=teacher)])
    body = testapp.get(f"/api/teacher/quizzes/{quiz.id}?include_questions=false",
                       headers=auth(teacher)).json
    assert (body["id"], body["title"], body["subject"], body["max_attempts"]) == (
        quiz.id, quiz.title, quiz.subject, quiz.max_attempts)
    assert "questions" not in body and body["total_questions"] == 1
    assert testapp.get(f"/api/teacher/quizzes/{quiz.id}/",
                       headers=auth(teacher)).json["id"] == quiz.id


def test_one_quiz_is_its_teachers(testapp, teacher, other_teacher, student, admin, auth,
                                  school_class):
    quiz = factories.QuizFactory(owner=teacher, classes=[school_class])
    assert_error(testapp.get(f"/api/teacher/quizzes/{quiz.id}", headers=auth(other_teacher),
                             expect_errors=True), 404)
    assert_error(testapp.get(f"/api/teacher/quizzes/{quiz.id}", headers=auth(student),
                             expect_errors=True), 403)
    assert_error(testapp.get(f"/api/teacher/quizzes/{quiz.id}?include_questions=maybe",
                             headers=auth(teacher), expect_errors=True), 400)
    assert testapp.get(f"/api/teacher/quizzes/{quiz.id}", headers=auth(admin)).json[
        "id"] == quiz.id


def test_saving_a_loaded_quiz_again_with_a_new_question(testapp, teacher, auth,
                                                        school_class, dbsession):
    question = factories.QuestionFactory(owner=teacher)
    quiz = factories.QuizFactory(owner=teacher, classes=[school_class], questions=[question],
                                 status=QuizStatus.DRAFT, marks_overrides={question.id: 4})
    loaded = testapp.get(f"/api/teacher/quizzes/{quiz.id}?include_questions=true",
                         headers=auth(teacher)).json["quiz"]
    body = builder_body([school_class], [*loaded["questions"], NEW_MCQ], status="published",
                        start_date=loaded["start_date"], end_date=loaded["end_date"],
                        title="Renamed")
    saved = testapp.put_json(f"/api/quizzes/{quiz.id}", body, headers=auth(teacher)).json
    assert saved["status"] == "published" and saved["title"] == "Renamed"
    assert saved["questions"][0]["id"] == question.id
    assert saved["questions"][0]["marks_override"] == 4  # kept through the round trip
    assert dbsession.get(Question, saved["questions"][1]["id"]).created_by == teacher.id
    assert saved["start_date"] == loaded["start_date"] + "Z"


def test_a_started_quiz_keeps_its_questions(testapp, teacher, auth, school_class, student,
                                            dbsession):
    question = factories.QuestionFactory(owner=teacher)
    quiz = factories.QuizFactory(owner=teacher, classes=[school_class], questions=[question])
    factories.QuizAttemptFactory(quiz=quiz, student=student)
    loaded = testapp.get(f"/api/teacher/quizzes/{quiz.id}?include_questions=true",
                         headers=auth(teacher)).json["quiz"]
    unchanged = builder_body([school_class], loaded["questions"], status="published",
                             start_date=loaded["start_date"], end_date=loaded["end_date"],
                             randomize_questions=False, randomize_options=False,
                             title="New title")
    assert testapp.put_json(f"/api/quizzes/{quiz.id}", unchanged,
                            headers=auth(teacher)).json["title"] == "New title"
    before = counts(dbsession)
    grown = {**unchanged, "questions": [*loaded["questions"], NEW_MCQ]}
    body = assert_error(testapp.put_json(f"/api/quizzes/{quiz.id}", grown,
                                         headers=auth(teacher), expect_errors=True), 409)
    assert body["reason"] == "quiz_has_attempts"
    assert counts(dbsession) == before


def test_adding_one_question_to_a_quiz(testapp, teacher, other_teacher, student, auth,
                                       school_class, dbsession):
    """``addQuestionToQuiz(quizId, questionData)``: a question of the bank, or a new one."""
    first = factories.QuestionFactory(owner=teacher)
    quiz = factories.QuizFactory(owner=teacher, classes=[school_class], questions=[first],
                                 status=QuizStatus.DRAFT)
    spare = factories.QuestionFactory(owner=teacher)
    added = testapp.post_json(f"/api/quizzes/{quiz.id}/questions",
                              {"question_id": spare.id, "marks_override": 3},
                              headers=auth(teacher), status=201).json
    assert added["question"]["id"] == spare.id and added["question"]["marks"] == 3
    assert isinstance(added["message"], str)
    new = testapp.post_json(f"/api/quizzes/{quiz.id}/questions/", {
        "text": "Capital of France?", "type": "short_answer", "marks": 1,
        "modelAnswer": "Paris"}, headers=auth(teacher), status=201).json["question"]
    assert new["type"] == "short_answer" and new["accepted_answers"] == ["Paris"]
    dbsession.expire_all()
    assert [link.question_id for link in dbsession.get(Quiz, quiz.id).quiz_questions] == [
        first.id, spare.id, new["id"]]

    before = counts(dbsession)
    assert_error(testapp.post_json(f"/api/quizzes/{quiz.id}/questions", {"question_id": spare.id},
                                   headers=auth(teacher), expect_errors=True), 400)  # twice
    assert_error(testapp.post_json(f"/api/quizzes/{quiz.id}/questions", {"type": "mcq"},
                                   headers=auth(teacher), expect_errors=True), 400)
    assert_error(testapp.post_json(f"/api/quizzes/{quiz.id}/questions", NEW_MCQ,
                                   headers=auth(other_teacher), expect_errors=True), 404)
    assert_error(testapp.post_json(f"/api/quizzes/{quiz.id}/questions", NEW_MCQ,
                                   headers=auth(student), expect_errors=True), 403)
    assert counts(dbsession) == before


def test_a_new_access_code(testapp, teacher, other_teacher, student, auth, school_class,
                           dbsession):
    """``regenerateQuizAccessCode``: TeacherQuizzes reads ``access_code``."""
    quiz = factories.QuizFactory(owner=teacher, classes=[school_class])
    old = quiz.access_code
    body = testapp.post(f"/api/teacher/quizzes/{quiz.id}/access-code",
                        headers=auth(teacher)).json
    assert body["access_code"] != old and isinstance(body["message"], str)
    assert_error(testapp.get(f"/api/quizzes/access/{old}", headers=auth(student),
                             expect_errors=True), 404)
    assert testapp.get(f"/api/quizzes/access/{body['access_code']}",
                       headers=auth(student)).json["id"] == quiz.id
    assert_error(testapp.post(f"/api/teacher/quizzes/{quiz.id}/access-code/",
                              headers=auth(other_teacher), expect_errors=True), 404)
    assert_error(testapp.post(f"/api/teacher/quizzes/{quiz.id}/access-code",
                              headers=auth(student), expect_errors=True), 403)
    dbsession.expire_all()
    assert dbsession.get(Quiz, quiz.id).access_code == body["access_code"]
