"""Grading over HTTP: marking at submission, the pending queue, marking by hand."""

import datetime as dt
from decimal import Decimal

import pytest

from quizcore.events import AttemptGraded, AttemptSubmitted
from quizcore.models import AttemptStatus, QuizAttempt, StudentAnswer, Teacher, utcnow
from tests import factories
from tests.helpers import assert_error
from tests.plugins.exam import save, start, submit

pytestmark = pytest.mark.plugin("quiz_plugins.grading")


def answers_of(dbsession, attempt_id):
    dbsession.expire_all()
    return {a.question_id: a for a in dbsession.query(StudentAnswer).filter_by(
        attempt_id=attempt_id)}


def attempt_row(dbsession, attempt_id) -> QuizAttempt:
    dbsession.expire_all()
    return dbsession.get(QuizAttempt, attempt_id)


# -- at submission ---------------------------------------------------------------------------


def test_objective_answers_are_marked_at_submission(testapp, auth, teacher, school_class,
                                                    student, objective, dbsession, events):
    quiz = factories.QuizFactory(owner=teacher, classes=[school_class], passing_percentage=50,
                                 questions=list(objective.values()))
    attempt_id = start(testapp, quiz, student, auth)
    save(testapp, attempt_id, student, auth, objective["mcq"], answer_option=2)
    save(testapp, attempt_id, student, auth, objective["true_false"], answer_option=0)
    save(testapp, attempt_id, student, auth, objective["short"], answer_text="  city  OF light ")
    body = submit(testapp, attempt_id, student, auth)

    assert body["status"] == "graded" and body["attempt_status"] == "graded"
    assert (body["score"], body["total_marks"], body["percentage"], body["passed"]) == \
        (3.0, 4, 75.0, True)
    marks = {qid: a.marks_awarded for qid, a in answers_of(dbsession, attempt_id).items()}
    assert marks == {objective["mcq"].id: 2, objective["true_false"].id: 0,
                     objective["short"].id: 1}
    [graded] = events.of(AttemptGraded)
    assert (graded.how, graded.score, graded.status) == ("auto", 3.0, "graded")


def test_two_of_three_marks_is_stored_as_66_67(testapp, auth, teacher, school_class, student,
                                               dbsession):
    questions = [factories.QuestionFactory(owner=teacher, correct_answer=0) for _ in range(3)]
    quiz = factories.QuizFactory(owner=teacher, classes=[school_class], questions=questions,
                                 passing_percentage=67)
    attempt_id = start(testapp, quiz, student, auth)
    for question, option in zip(questions, (0, 0, 3), strict=True):
        save(testapp, attempt_id, student, auth, question, answer_option=option)
    body = submit(testapp, attempt_id, student, auth)
    assert body["percentage"] == 66.67 and body["passed"] is False
    stored = attempt_row(dbsession, attempt_id)
    assert stored.percentage == Decimal("66.67") and stored.score == Decimal("2.00")


def test_marks_overrides_count_in_the_score_and_total(testapp, auth, teacher, school_class,
                                                      student, dbsession):
    heavy = factories.QuestionFactory(owner=teacher, marks=1, correct_answer=0)
    light = factories.QuestionFactory(owner=teacher, marks=3, correct_answer=0)
    quiz = factories.QuizFactory(owner=teacher, classes=[school_class],
                                 questions=[heavy, light],
                                 marks_overrides={heavy.id: 5, light.id: 1})
    attempt_id = start(testapp, quiz, student, auth)
    save(testapp, attempt_id, student, auth, heavy, answer_option=0)
    save(testapp, attempt_id, student, auth, light, answer_option=1)
    body = submit(testapp, attempt_id, student, auth)
    assert (body["score"], body["total_marks"], body["percentage"]) == (5.0, 6, 83.33)
    assert answers_of(dbsession, attempt_id)[heavy.id].marks_awarded == 5


def test_shuffled_options_are_marked_by_the_original_index(testapp, auth, teacher,
                                                           school_class, student, dbsession):
    question = factories.QuestionFactory(owner=teacher, options=list("abcdefgh"),
                                         correct_answer=5)
    quiz = factories.QuizFactory(owner=teacher, classes=[school_class], questions=[question],
                                 randomize_options=True)
    body = testapp.post(f"/api/quizzes/{quiz.id}/start", headers=auth(student)).json
    shown = body["questions"][0]["options"].index("f")  # where the right option is shown
    save(testapp, body["attempt_id"], student, auth, question, answer_option=shown)
    assert submit(testapp, body["attempt_id"], student, auth)["score"] == 1.0


def test_descriptive_answers_leave_the_attempt_pending(testapp, auth, student, mixed_quiz,
                                                       objective, essay, dbsession, events):
    attempt_id = start(testapp, mixed_quiz, student, auth)
    save(testapp, attempt_id, student, auth, objective["mcq"], answer_option=2)
    save(testapp, attempt_id, student, auth, essay, answer_text="Light makes sugar.")
    body = submit(testapp, attempt_id, student, auth)
    assert body["status"] == "pending" and body["attempt_status"] == "submitted"
    assert body["score"] == 2.0 and body["passed"] is None
    assert answers_of(dbsession, attempt_id)[essay.id].marks_awarded is None
    assert events.of(AttemptSubmitted)[0].pending_manual_grading is True


def test_a_blank_essay_is_marked_zero_without_a_teacher(testapp, auth, student, mixed_quiz,
                                                        objective, essay, dbsession):
    attempt_id = start(testapp, mixed_quiz, student, auth)
    save(testapp, attempt_id, student, auth, objective["mcq"], answer_option=2)
    save(testapp, attempt_id, student, auth, essay, answer_text="   ")
    body = submit(testapp, attempt_id, student, auth)
    assert body["status"] == "graded" and body["percentage"] == 25.0 and body["passed"] is False
    assert answers_of(dbsession, attempt_id)[essay.id].marks_awarded == 0


# -- the pending queue and the detail --------------------------------------------------------


@pytest.fixture
def pending_attempt(testapp, auth, student, mixed_quiz, objective, essay):
    """A submitted attempt: mcq right (2), true/false wrong, essay waiting (4 marks)."""
    attempt_id = start(testapp, mixed_quiz, student, auth)
    save(testapp, attempt_id, student, auth, objective["mcq"], answer_option=2)
    save(testapp, attempt_id, student, auth, objective["true_false"], answer_option=0)
    save(testapp, attempt_id, student, auth, essay, answer_text="Light makes sugar.")
    submit(testapp, attempt_id, student, auth)
    return attempt_id


def test_pending_lists_attempts_waiting_for_marks(testapp, auth, teacher, admin, other_teacher,
                                                  student, mixed_quiz, pending_attempt,
                                                  school_class):
    body = testapp.get("/api/grading/pending", headers=auth(teacher)).json
    assert body["total"] == 1 and body["page"] == 1
    [item] = body["items"]
    assert item["attempt_id"] == pending_attempt
    assert item["student"] == {"id": student.id, "name": student.name,
                               "registration_number": student.student.registration_number}
    assert item["quiz"] == {"id": mixed_quiz.id, "title": mixed_quiz.title}
    assert item["submitted_at"].endswith("Z")
    assert (item["descriptive_questions_count"], item["auto_graded_score"],
            item["pending_marks"], item["pending_answers"]) == (1, 2.0, 4, 1)

    assert testapp.get(f"/api/grading/pending?quiz_id={mixed_quiz.id}&class_id="
                       f"{school_class.id}", headers=auth(admin)).json["total"] == 1
    other_class = factories.ClassFactory()
    assert testapp.get(f"/api/grading/pending?class_id={other_class.id}",
                       headers=auth(teacher)).json["total"] == 0
    assert testapp.get("/api/grading/pending", headers=auth(other_teacher)).json["total"] == 0
    assert_error(testapp.get("/api/grading/pending", headers=auth(student), status=403), 403)
    assert_error(testapp.get("/api/grading/pending", status=401), 401)


def test_attempt_detail_has_the_sample_answer_and_rubric(testapp, auth, teacher, essay,
                                                         objective, pending_attempt, dbsession):
    body = testapp.get(f"/api/grading/attempts/{pending_attempt}", headers=auth(teacher)).json
    assert body["attempt"]["id"] == pending_attempt and body["attempt"]["status"] == "submitted"
    assert body["quiz"]["passing_percentage"] == 50 and body["student"]["name"]
    by_question = {a["question_id"]: a for a in body["answers"]}
    assert set(by_question) == {objective["mcq"].id, objective["true_false"].id, essay.id}
    written = by_question[essay.id]
    stored = answers_of(dbsession, pending_attempt)[essay.id]
    assert written["answer_id"] == stored.id
    assert written["question"]["sample_answer"] == essay.sample_answer
    assert written["question"]["marking_rubric"] == essay.marking_rubric
    assert written["question"]["marks"] == 4
    assert written["student_answer"] == "Light makes sugar."
    assert (written["current_marks"], written["current_feedback"]) == (None, None)
    assert written["needs_grading"] is True
    mcq = by_question[objective["mcq"].id]
    assert (mcq["student_answer"], mcq["current_marks"], mcq["needs_grading"]) == (2, 2.0, False)
    assert mcq["selected_option"] == objective["mcq"].options[2]
    assert by_question[objective["true_false"].id]["selected_option"] == "True"
    assert mcq["question"]["correct_answer"] == 2
    assert (body["pending_answers"], body["pending_marks"]) == (1, 4)


# -- marking by hand -------------------------------------------------------------------------


def essay_answer_id(dbsession, attempt_id, essay) -> str:
    return answers_of(dbsession, attempt_id)[essay.id].id


def grade(testapp, attempt_id, user, auth, grades, status=200):
    return testapp.post_json(f"/api/grading/attempts/{attempt_id}/grade", {"grades": grades},
                             headers=auth(user), status=status)


def test_teacher_marks_an_essay_and_the_attempt_is_graded(testapp, auth, teacher, student,
                                                          essay, pending_attempt, dbsession,
                                                          events):
    answer_id = essay_answer_id(dbsession, pending_attempt, essay)
    body = grade(testapp, pending_attempt, teacher, auth, [
        {"answer_id": answer_id, "marks_awarded": 2.5, "feedback": "Name the products."}]).json
    assert body["final_score"] == 4.5 and body["total_marks"] == 8
    assert body["percentage"] == 56.25 and body["passed"] is True
    assert body["status"] == "graded" and body["message"]

    stored = answers_of(dbsession, pending_attempt)[essay.id]
    assert stored.marks_awarded == Decimal("2.50") and stored.feedback == "Name the products."
    assert stored.graded_by == teacher.id and stored.graded_at is not None
    attempt = attempt_row(dbsession, pending_attempt)
    assert attempt.status == AttemptStatus.GRADED and attempt.passed is True
    [graded] = [e for e in events.of(AttemptGraded) if e.how == "manual"]
    assert (graded.graded_by, graded.score, graded.status) == (teacher.id, 4.5, "graded")

    assert testapp.get("/api/grading/pending", headers=auth(teacher)).json["total"] == 0
    [done] = testapp.get("/api/grading/graded", headers=auth(teacher)).json["items"]
    assert (done["attempt_id"], done["final_score"], done["manually_graded_answers"]) == \
        (pending_attempt, 4.5, 1)
    # The student's review shows the marks and the feedback.
    review = testapp.get(f"/api/attempts/{pending_attempt}", headers=auth(student)).json
    [mine] = [a for a in review["answers"] if a["question_id"] == essay.id]
    assert (mine["marks_awarded"], mine["feedback"]) == (2.5, "Name the products.")


def test_grading_again_updates_the_totals(testapp, auth, teacher, essay, pending_attempt,
                                          dbsession):
    answer_id = essay_answer_id(dbsession, pending_attempt, essay)
    grade(testapp, pending_attempt, teacher, auth,
          [{"answer_id": answer_id, "marks_awarded": 1, "feedback": "Thin."}])
    body = grade(testapp, pending_attempt, teacher, auth,
                 [{"answer_id": answer_id, "marks_awarded": 4}]).json
    assert (body["final_score"], body["percentage"], body["passed"]) == (6.0, 75.0, True)
    stored = answers_of(dbsession, pending_attempt)[essay.id]
    assert stored.feedback == "Thin."  # left out: kept
    grade(testapp, pending_attempt, teacher, auth,
          [{"answer_id": answer_id, "marks_awarded": 0, "feedback": ""}])
    stored = answers_of(dbsession, pending_attempt)[essay.id]
    assert stored.feedback is None and attempt_row(dbsession, pending_attempt).passed is False


def test_a_teacher_may_correct_an_automatic_mark(testapp, auth, teacher, objective, essay,
                                                 pending_attempt, dbsession):
    answers = answers_of(dbsession, pending_attempt)
    body = grade(testapp, pending_attempt, teacher, auth, [
        {"answer_id": answers[objective["true_false"].id].id, "marks_awarded": 1},
        {"answer_id": answers[essay.id].id, "marks_awarded": 4}]).json
    assert body["final_score"] == 7.0


def test_marks_stay_pending_until_every_essay_is_marked(testapp, auth, teacher, school_class,
                                                        student, dbsession):
    essays = [factories.DescriptiveQuestionFactory(owner=teacher, marks=5) for _ in range(2)]
    quiz = factories.QuizFactory(owner=teacher, classes=[school_class], questions=essays)
    attempt_id = start(testapp, quiz, student, auth)
    for question in essays:
        save(testapp, attempt_id, student, auth, question, answer_text="An answer.")
    submit(testapp, attempt_id, student, auth)
    answers = answers_of(dbsession, attempt_id)
    first = grade(testapp, attempt_id, teacher, auth, [
        {"answer_id": answers[essays[0].id].id, "marks_awarded": 5}]).json
    assert first["passed"] is None and first["status"] == "submitted"
    assert first["pending_answers"] == 1 and first["final_score"] == 5.0
    [item] = testapp.get("/api/grading/pending", headers=auth(teacher)).json["items"]
    assert (item["pending_marks"], item["descriptive_questions_count"]) == (5, 2)
    second = grade(testapp, attempt_id, teacher, auth, [
        {"answer_id": answers[essays[1].id].id, "marks_awarded": 0}]).json
    assert (second["status"], second["passed"], second["percentage"]) == ("graded", True, 50.0)


@pytest.mark.parametrize("marks", [4.01, -1, 1.333, True, "lots", None])
def test_marks_out_of_range_are_refused_and_nothing_changes(testapp, auth, teacher, essay,
                                                            pending_attempt, dbsession, marks):
    answer_id = essay_answer_id(dbsession, pending_attempt, essay)
    response = grade(testapp, pending_attempt, teacher, auth,
                     [{"answer_id": answer_id, "marks_awarded": marks}], status=400)
    assert_error(response, 400)
    assert answers_of(dbsession, pending_attempt)[essay.id].marks_awarded is None
    assert attempt_row(dbsession, pending_attempt).status == AttemptStatus.SUBMITTED


def test_marks_up_to_the_quiz_marks_override(testapp, auth, teacher, school_class, student,
                                             dbsession):
    essay = factories.DescriptiveQuestionFactory(owner=teacher, marks=2)
    quiz = factories.QuizFactory(owner=teacher, classes=[school_class], questions=[essay],
                                 marks_overrides={essay.id: 10})
    attempt_id = start(testapp, quiz, student, auth)
    save(testapp, attempt_id, student, auth, essay, answer_text="Long answer.")
    submit(testapp, attempt_id, student, auth)
    answer_id = essay_answer_id(dbsession, attempt_id, essay)
    body = grade(testapp, attempt_id, teacher, auth,
                 [{"answer_id": answer_id, "marks_awarded": 7.5}]).json
    assert (body["final_score"], body["total_marks"], body["percentage"]) == (7.5, 10, 75.0)
    assert_error(grade(testapp, attempt_id, teacher, auth,
                       [{"answer_id": answer_id, "marks_awarded": 10.5}], status=400), 400)


def test_answers_of_another_attempt_are_refused(testapp, auth, teacher, school_class, essay,
                                                mixed_quiz, pending_attempt, dbsession):
    other = factories.StudentFactory(school_class=school_class)
    other_attempt = start(testapp, mixed_quiz, other, auth)
    save(testapp, other_attempt, other, auth, essay, answer_text="Mine.")
    submit(testapp, other_attempt, other, auth)
    foreign = essay_answer_id(dbsession, other_attempt, essay)
    own = essay_answer_id(dbsession, pending_attempt, essay)
    body = assert_error(grade(testapp, pending_attempt, teacher, auth, [
        {"answer_id": own, "marks_awarded": 1},
        {"answer_id": foreign, "marks_awarded": 1}], status=400), 400)
    assert body["errors"][0]["name"] == "grades.1.answer_id"
    assert answers_of(dbsession, pending_attempt)[essay.id].marks_awarded is None
    assert_error(grade(testapp, pending_attempt, teacher, auth, [
        {"answer_id": own, "marks_awarded": 1}, {"answer_id": own, "marks_awarded": 2}],
        status=400), 400)
    assert_error(grade(testapp, pending_attempt, teacher, auth, [], status=400), 400)


def test_only_the_quiz_teacher_or_an_admin_may_grade(testapp, auth, other_teacher, student,
                                                     admin, essay, pending_attempt, dbsession):
    answer_id = essay_answer_id(dbsession, pending_attempt, essay)
    grades = [{"answer_id": answer_id, "marks_awarded": 1}]
    assert_error(grade(testapp, pending_attempt, other_teacher, auth, grades, status=404), 404)
    assert_error(testapp.get(f"/api/grading/attempts/{pending_attempt}",
                             headers=auth(other_teacher), status=404), 404)
    assert_error(grade(testapp, pending_attempt, student, auth, grades, status=403), 403)
    assert_error(grade(testapp, "no-such-attempt", admin, auth, grades, status=404), 404)

    body = grade(testapp, pending_attempt, admin, auth, grades).json
    assert body["final_score"] == 3.0
    # An admin's marks are recorded as theirs (on a teacher profile of their own).
    assert answers_of(dbsession, pending_attempt)[essay.id].graded_by == admin.id
    assert dbsession.get(Teacher, admin.id) is not None


def test_an_attempt_in_progress_cannot_be_marked(testapp, auth, teacher, student, mixed_quiz,
                                                 essay, dbsession):
    attempt_id = start(testapp, mixed_quiz, student, auth)
    save(testapp, attempt_id, student, auth, essay, answer_text="Draft.")
    answer_id = essay_answer_id(dbsession, attempt_id, essay)
    body = assert_error(grade(testapp, attempt_id, teacher, auth,
                              [{"answer_id": answer_id, "marks_awarded": 1}], status=409), 409)
    assert body["reason"] == "in_progress"


def test_an_auto_submitted_attempt_keeps_its_status_once_marked(
        testapp, auth, teacher, student, mixed_quiz, essay, dbsession):
    attempt_id = start(testapp, mixed_quiz, student, auth)
    save(testapp, attempt_id, student, auth, essay, answer_text="Out of time.")
    attempt = dbsession.get(QuizAttempt, attempt_id)
    attempt.deadline_at = utcnow() - dt.timedelta(hours=1)
    dbsession.flush()
    answer_id = essay_answer_id(dbsession, attempt_id, essay)
    # Its time is over: marking it first submits it (the core's lazy expiry), and the
    # attempt the server ended keeps saying so once it is marked.
    result = grade(testapp, attempt_id, teacher, auth,
                   [{"answer_id": answer_id, "marks_awarded": 4}]).json
    assert (result["status"], result["final_score"], result["passed"]) == \
        ("auto_submitted", 4.0, True)
    assert attempt_row(dbsession, attempt_id).submitted_at is not None


def test_graded_list_filters_and_scope(testapp, auth, teacher, other_teacher, admin,
                                       school_class, student, objective, dbsession):
    quiz = factories.QuizFactory(owner=teacher, classes=[school_class],
                                 questions=[objective["mcq"]])
    attempt_id = start(testapp, quiz, student, auth)
    submit(testapp, attempt_id, student, auth)
    [item] = testapp.get(f"/api/grading/graded?quiz_id={quiz.id}",
                         headers=auth(teacher)).json["items"]
    assert (item["attempt_id"], item["passed"], item["manually_graded_answers"]) == \
        (attempt_id, False, 0)
    assert testapp.get("/api/grading/graded", headers=auth(other_teacher)).json["total"] == 0
    assert testapp.get("/api/grading/graded", headers=auth(admin)).json["total"] == 1
    assert testapp.get("/api/grading/graded?limit=1000", headers=auth(admin)).json["limit"] == 100


def test_the_grading_endpoints_are_in_the_openapi_document(testapp):
    paths = testapp.get("/api/openapi.json").json["paths"]
    for path in ("/api/grading/pending", "/api/grading/graded",
                 "/api/grading/attempts/{attempt_id}", "/api/grading/attempts/{attempt_id}/grade",
                 "/api/grading/quizzes/{id}/regrade"):
        assert path in paths, path
    [body] = [p for p in paths["/api/grading/attempts/{attempt_id}/grade"]["post"]["parameters"]
              if p["in"] == "body"]
    item = body["schema"]["properties"]["grades"]["items"]
    assert item["required"] == ["answer_id", "marks_awarded"]
