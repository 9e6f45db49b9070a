"""Contract of the SPA's "reset attempts" dialogs (``AttemptReset.tsx``,
``StudentResetModal.tsx``, ``BulkResetModal.tsx``) and its grading calls
(``GradingInterface.tsx``; ``getPendingGrading``, ``gradeAnswer`` and
``getGradingStatistics`` of ``api.ts``): for each call the request ``api.ts`` sends and
every response field a page reads, on MariaDB."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from quizcore.models import AttemptStatus, QuizAttempt, QuizOverride, StudentAnswer
from tests import factories
from tests.helpers import assert_error

pytestmark = pytest.mark.plugin("quiz_plugins.spa_compat")
GRADING = pytest.mark.plugin("quiz_plugins.grading")


@pytest.fixture
def quiz(dbsession, teacher, school_class):
    """One attempt allowed; an mcq (key 1, 2 marks) and an essay (4 marks)."""
    return factories.QuizFactory(
        owner=teacher, classes=[school_class], max_attempts=1, title="Algebra",
        questions=[factories.QuestionFactory(owner=teacher, marks=2, correct_answer=1),
                   factories.DescriptiveQuestionFactory(owner=teacher, marks=4)])


def sit(testapp, quiz, student, auth, answers=None) -> str:
    """The student starts, answers (question index -> body fields) and submits; the
    attempt id."""
    started = testapp.post(f"/api/quizzes/{quiz.id}/start", headers=auth(student)).json
    for index, fields in (answers or {}).items():
        testapp.post_json(f"/api/attempts/{started['attempt_id']}/answer",
                          {"question_id": started["questions"][index]["id"], **fields},
                          headers=auth(student))
    testapp.post(f"/api/attempts/{started['attempt_id']}/submit", headers=auth(student))
    return started["attempt_id"]


def overrides_of(dbsession, quiz) -> list[tuple]:
    dbsession.expire_all()
    return sorted((r.student_id or "", r.class_id or "", r.extra_attempts)
                  for r in dbsession.scalars(sa.select(QuizOverride)
                                             .where(QuizOverride.quiz_id == quiz.id)))


def student_reset(student, quiz) -> str:
    return f"/api/attempts/student/{student.id}/quiz/{quiz.id}/reset"


# -- resetting one student ---------------------------------------------------------------


def test_resetting_a_student_as_the_dialog_does(testapp, quiz, teacher, student, auth,
                                                dbsession):
    """``resetStudentAttempts(studentId, quizId, additionalAttempts, reason)``: the page
    shows ``message``; afterwards the student starts another attempt."""
    sit(testapp, quiz, student, auth)
    assert_error(testapp.post(f"/api/quizzes/{quiz.id}/start", headers=auth(student),
                              expect_errors=True), 403)
    body = testapp.post_json(student_reset(student, quiz),
                             {"additional_attempts": 2, "reason": "Technical issues"},
                             headers=auth(teacher)).json
    assert isinstance(body["message"], str) and student.name in body["message"]
    assert body["success"] is True and body["new_max_attempts"] == 3
    assert (body["attempts_allowed"], body["attempts_used"]) == (3, 1)
    again = testapp.post(f"/api/quizzes/{quiz.id}/start", headers=auth(student), status=201)
    assert again.json["attempt_number"] == 2 and again.json["attempts_allowed"] == 3
    # The student's quiz card (StudentQuizzes) says so too.
    cards = testapp.get("/api/student/quizzes", headers=auth(student)).json["quizzes"]
    assert [c["remaining_attempts"] for c in cards if c["id"] == quiz.id] == [1]


def test_a_student_reset_keeps_what_their_class_gave_them(testapp, quiz, teacher, student,
                                                          school_class, auth, dbsession):
    dbsession.add(QuizOverride(quiz_id=quiz.id, class_id=school_class.id, extra_attempts=2))
    dbsession.flush()
    body = testapp.post_json(student_reset(student, quiz),
                             {"additional_attempts": 1, "reason": "Medical"},
                             headers=auth(teacher)).json
    assert body["new_max_attempts"] == 4  # 1 + the class's 2 + 1


def test_a_reset_with_a_trailing_slash(testapp, quiz, teacher, student, auth):
    testapp.post_json(student_reset(student, quiz) + "/",
                      {"additional_attempts": 1, "reason": "x"}, headers=auth(teacher),
                      status=200)
    testapp.post_json(f"/api/attempts/quiz/{quiz.id}/reset/",
                      {"additional_attempts": 1, "reason": "x"}, headers=auth(teacher),
                      status=200)


@pytest.mark.parametrize("body", [
    {"additional_attempts": 0, "reason": "Power cut"},
    {"additional_attempts": -3, "reason": "Power cut"},
    {"additional_attempts": 101, "reason": "Power cut"},
    {"additional_attempts": 100000, "reason": "Power cut"},
    {"additional_attempts": 1, "reason": ""},
    {"additional_attempts": 1, "reason": "   "},
    {"additional_attempts": 1},
    {"reason": "Power cut"},
])
def test_bad_resets_are_400_and_change_nothing(testapp, quiz, teacher, student, auth,
                                               dbsession, body):
    for path in (student_reset(student, quiz), f"/api/attempts/quiz/{quiz.id}/reset"):
        assert_error(testapp.post_json(path, body, headers=auth(teacher),
                                       expect_errors=True), 400)
    testapp.post(student_reset(student, quiz), "not json",
                 headers={**auth(teacher), "Content-Type": "application/json"}, status=400)
    assert overrides_of(dbsession, quiz) == []


def test_a_reset_past_the_most_extra_attempts_changes_nothing(testapp, quiz, teacher,
                                                              student, school_class, auth,
                                                              dbsession):
    other = factories.StudentFactory(school_class=school_class)
    dbsession.add(QuizOverride(quiz_id=quiz.id, student_id=other.id, extra_attempts=99))
    dbsession.flush()
    before = overrides_of(dbsession, quiz)
    body = assert_error(testapp.post_json(f"/api/attempts/quiz/{quiz.id}/reset",
                                          {"additional_attempts": 2, "reason": "x"},
                                          headers=auth(teacher), expect_errors=True), 400)
    assert body["errors"][0]["name"] == "additional_attempts"
    assert overrides_of(dbsession, quiz) == before  # the class was not raised either


def test_a_reset_for_an_unknown_student_or_one_outside_the_quiz(testapp, quiz, teacher,
                                                                other_student, auth,
                                                                dbsession):
    for path in (student_reset(other_student, quiz),
                 f"/api/attempts/student/no-such-student/quiz/{quiz.id}/reset"):
        body = assert_error(testapp.post_json(path, {"additional_attempts": 1,
                                                     "reason": "x"},
                                              headers=auth(teacher), expect_errors=True),
                            400)
        assert body["errors"][0]["name"] == "student_id"
    assert_error(testapp.post_json(f"/api/attempts/student/{other_student.id}/quiz/nope/reset",
                                   {"additional_attempts": 1, "reason": "x"},
                                   headers=auth(teacher), expect_errors=True), 404)
    assert overrides_of(dbsession, quiz) == []


def test_only_the_quiz_owner_resets(testapp, quiz, teacher, other_teacher, student, admin,
                                    auth, dbsession):
    body = {"additional_attempts": 1, "reason": "x"}
    for path in (student_reset(student, quiz), f"/api/attempts/quiz/{quiz.id}/reset"):
        assert_error(testapp.post_json(path, body, headers=auth(student),
                                       expect_errors=True), 403)
        assert_error(testapp.post_json(path, body, headers=auth(other_teacher),
                                       expect_errors=True), 404)
        assert_error(testapp.post_json(path, body, expect_errors=True), 401)
    assert overrides_of(dbsession, quiz) == []
    testapp.post_json(student_reset(student, quiz), body, headers=auth(admin), status=200)


# -- resetting the whole quiz ------------------------------------------------------------


def test_resetting_the_quiz_as_the_bulk_dialog_does(testapp, quiz, teacher, student,
                                                    school_class, auth, dbsession):
    """``resetQuizAttempts(quizId, additionalAttempts, reason)``: the page reads nothing but
    success; every student of the quiz's classes may start again."""
    other = factories.StudentFactory(school_class=school_class)
    for who in (student, other):
        sit(testapp, quiz, who, auth)
    body = testapp.post_json(f"/api/attempts/quiz/{quiz.id}/reset",
                             {"additional_attempts": 1, "reason": "Server outage"},
                             headers=auth(teacher)).json
    assert body["success"] is True and body["processed_students"] == 2
    assert body["quiz_title"] == "Algebra" and body["message"]
    assert overrides_of(dbsession, quiz) == [("", school_class.id, 1)]
    for who in (student, other):
        testapp.post(f"/api/quizzes/{quiz.id}/start", headers=auth(who), status=201)


def test_resetting_a_quiz_set_for_no_class(testapp, teacher, auth):
    lonely = factories.QuizFactory(owner=teacher,
                                   questions=[factories.QuestionFactory(owner=teacher)])
    body = assert_error(testapp.post_json(f"/api/attempts/quiz/{lonely.id}/reset",
                                          {"additional_attempts": 1, "reason": "x"},
                                          headers=auth(teacher), expect_errors=True), 409)
    assert body["reason"] == "no_classes"


# -- grading -------------------------------------------------------------------------------


@pytest.fixture
def waiting(testapp, quiz, student, auth, dbsession):
    """The student's submitted attempt: the mcq right (2 marks), the essay waiting."""
    attempt_id = sit(testapp, quiz, student, auth,
                     {0: {"answer_option": 1}, 1: {"answer_text": "x = 2 because..."}})
    dbsession.expire_all()
    answers = {a.question.type.value: a for a in dbsession.scalars(
        sa.select(StudentAnswer).where(StudentAnswer.attempt_id == attempt_id))}
    return {"attempt_id": attempt_id, "mcq": answers["mcq"], "essay": answers["descriptive"]}


@GRADING
def test_grading_an_attempt_as_the_grading_page_does(testapp, teacher, auth, waiting,
                                                     dbsession):
    """``gradeAttempt(attempt.id, [{question_id, marks_awarded, feedback}])``: the page
    reads nothing of the answer (it reloads); the marks are stored and the attempt graded."""
    assert dbsession.get(QuizAttempt, waiting["attempt_id"]).status == AttemptStatus.SUBMITTED
    body = testapp.post_json(f"/api/grading/attempt/{waiting['attempt_id']}", {"grades": [
        {"question_id": waiting["essay"].question_id, "marks_awarded": 3,
         "feedback": "Good reasoning"}]}, headers=auth(teacher)).json
    assert body["final_score"] == 5 and body["total_marks"] == 6 and body["passed"] is True
    assert body["attempt"]["status"] == "graded" and body["attempt"]["id"] == \
        waiting["attempt_id"]
    dbsession.expire_all()
    essay = dbsession.get(StudentAnswer, waiting["essay"].id)
    assert (essay.marks_awarded, essay.feedback) == (3, "Good reasoning")
    # The student's attempt view shows the marks and feedback.
    # (Marking again replaces the marks, as the canonical route.)
    again = testapp.post_json(f"/api/grading/attempt/{waiting['attempt_id']}/", {"grades": [
        {"question_id": waiting["essay"].question_id, "marks_awarded": 4}]},
        headers=auth(teacher)).json
    assert again["final_score"] == 6


@GRADING
@pytest.mark.parametrize("grade, field", [
    ({"question_id": "not-a-question", "marks_awarded": 1}, "grades.0.question_id"),
    ({"marks_awarded": 1}, "grades.0.question_id"),
    ({"question_id": "{essay}", "marks_awarded": 5}, "grades.0.marks_awarded"),
    ({"question_id": "{essay}", "marks_awarded": -1}, "grades.0.marks_awarded"),
    ({"question_id": "{essay}", "marks_awarded": True}, "grades.0.marks_awarded"),
    ({"question_id": "{essay}"}, "grades.0.marks_awarded"),
])
def test_bad_grades_are_400_and_mark_nothing(testapp, teacher, auth, waiting, dbsession,
                                             grade, field):
    if grade.get("question_id") == "{essay}":
        grade = {**grade, "question_id": waiting["essay"].question_id}
    body = assert_error(testapp.post_json(f"/api/grading/attempt/{waiting['attempt_id']}",
                                          {"grades": [grade]}, headers=auth(teacher),
                                          expect_errors=True), 400)
    assert field in [e["name"] for e in body["errors"]], body
    assert_error(testapp.post_json(f"/api/grading/attempt/{waiting['attempt_id']}",
                                   {"grades": []}, headers=auth(teacher),
                                   expect_errors=True), 400)
    dbsession.expire_all()
    assert dbsession.get(StudentAnswer, waiting["essay"].id).marks_awarded is None


@GRADING
def test_only_the_quiz_owner_grades(testapp, other_teacher, student, auth, waiting):
    body = {"grades": [{"question_id": waiting["essay"].question_id, "marks_awarded": 1}]}
    path = f"/api/grading/attempt/{waiting['attempt_id']}"
    assert_error(testapp.post_json(path, body, headers=auth(other_teacher),
                                   expect_errors=True), 404)
    assert_error(testapp.post_json(path, body, headers=auth(student), expect_errors=True), 403)
    assert_error(testapp.post_json("/api/grading/attempt/nope", body, headers=auth(
        other_teacher), expect_errors=True), 404)


@GRADING
def test_grading_one_answer_as_api_ts_sends_it(testapp, teacher, other_teacher, auth,
                                               waiting, dbsession):
    """``gradeAnswer(attemptId, questionId, marksAwarded, feedback)`` (no page calls it)."""
    sent = {"attempt_id": waiting["attempt_id"], "question_id": waiting["essay"].question_id,
            "marks_awarded": 2.5, "feedback": ""}
    assert_error(testapp.post_json("/api/teacher/grade-answer", sent,
                                   headers=auth(other_teacher), expect_errors=True), 404)
    body = testapp.post_json("/api/teacher/grade-answer/", sent, headers=auth(teacher)).json
    assert body["answer"] == {"id": waiting["essay"].id,
                              "question_id": waiting["essay"].question_id,
                              "marks_awarded": 2.5, "feedback": None}
    assert body["final_score"] == 4.5 and body["attempt"]["status"] == "graded"
    bad = assert_error(testapp.post_json("/api/teacher/grade-answer",
                                         {**sent, "question_id": "nope"},
                                         headers=auth(teacher), expect_errors=True), 400)
    assert bad["errors"][0]["name"] == "question_id"


@GRADING
def test_the_pending_list_and_the_statistics(testapp, teacher, other_teacher, student, auth,
                                             waiting):
    """``getPendingGrading(page, perPage)`` and ``getGradingStatistics()`` (no page calls
    them; the names are those of the SPA's Flask backend)."""
    pending = testapp.get("/api/teacher/grading/pending?page=1&per_page=20",
                          headers=auth(teacher)).json
    assert (pending["total"], pending["pages"], pending["current_page"]) == (1, 1, 1)
    (item,) = pending["attempts"]
    assert item["id"] == item["attempt_id"] == waiting["attempt_id"]
    assert item["student"]["id"] == student.id and item["pending_marks"] == 4
    assert testapp.get("/api/teacher/grading/pending/", headers=auth(other_teacher)).json[
        "attempts"] == []

    stats = testapp.get("/api/grading/statistics", headers=auth(teacher)).json
    assert stats == {"total_attempts": 1, "ended_attempts": 1, "pending_attempts": 1,
                     "graded_attempts": 0, "grading_progress": 0}
    testapp.post_json(f"/api/grading/attempt/{waiting['attempt_id']}", {"grades": [
        {"question_id": waiting["essay"].question_id, "marks_awarded": 1}]},
        headers=auth(teacher))
    stats = testapp.get("/api/grading/statistics/", headers=auth(teacher)).json
    assert (stats["pending_attempts"], stats["graded_attempts"], stats["grading_progress"]) \
        == (0, 1, 100.0)
    assert testapp.get("/api/grading/statistics", headers=auth(other_teacher)).json[
        "total_attempts"] == 0
    for path in ("/api/grading/statistics", "/api/teacher/grading/pending"):
        assert_error(testapp.get(path, headers=auth(student), expect_errors=True), 403)
