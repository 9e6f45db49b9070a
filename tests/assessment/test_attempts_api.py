"""Taking a quiz over HTTP: start, resume, autosave, submit, review, lists."""

import datetime as dt

import pytest

from quizcore.domain import shuffle
from quizcore.events import AnswerSaved, AttemptStarted, AttemptSubmitted
from quizcore.models import AttemptStatus, QuizAttempt, StudentAnswer, utcnow
from tests import factories
from tests.helpers import assert_error

from .conftest import quiz_questions


def start(testapp, quiz, student, auth, status=201):
    return testapp.post(f"/api/quizzes/{quiz.id}/start", headers=auth(student),
                        status=status).json


def save(testapp, attempt_id, student, auth, status=200, headers=None, **body):
    return testapp.post_json(f"/api/attempts/{attempt_id}/answer", body,
                             headers={**auth(student), **(headers or {})}, status=status).json


def stored_answers(dbsession, attempt_id):
    dbsession.expire_all()
    return {a.question_id: a for a in dbsession.query(StudentAnswer).filter_by(
        attempt_id=attempt_id)}


@pytest.fixture
def events(registry):
    seen = []
    kinds = (AttemptStarted, AnswerSaved, AttemptSubmitted)
    for kind in kinds:
        registry.registerHandler(seen.append, (kind,))
    yield seen
    for kind in kinds:
        registry.unregisterHandler(seen.append, (kind,))


def test_start_returns_questions_without_answers_and_the_time(testapp, quiz, student, auth):
    body = start(testapp, quiz, student, auth)
    assert body["resumed"] is False and body["attempt_number"] == 1
    assert 0 < body["time_remaining_seconds"] <= quiz.time_limit_minutes * 60
    assert body["deadline_at"].endswith("Z")
    assert [q["type"] for q in body["questions"]] == \
        ["mcq", "true_false", "short_answer", "descriptive"]
    assert body["questions"][1]["options"] == ["True", "False"]
    assert body["quiz"]["duration_minutes"] == quiz.time_limit_minutes
    assert body["answers"] == []


def test_starting_again_resumes_the_same_attempt_with_its_answers(testapp, quiz, student, auth,
                                                                  dbsession):
    first = start(testapp, quiz, student, auth)
    short = quiz_questions(dbsession, quiz)[2]
    save(testapp, first["attempt_id"], student, auth, question_id=short.id,
         answer_text="Paris", client_seq=4)
    again = start(testapp, quiz, student, auth, status=200)
    assert again["resumed"] is True and again["attempt_id"] == first["attempt_id"]
    assert again["answers"] == [{"question_id": short.id, "answer_option": None,
                                 "answer_text": "Paris", "client_seq": 4,
                                 "saved_at": again["answers"][0]["saved_at"]}]
    assert again["time_remaining_seconds"] <= first["time_remaining_seconds"]


def test_shuffled_attempt_reads_and_writes_shown_indexes(testapp, quiz, student, teacher, auth,
                                                         dbsession):
    quiz.randomize_options = quiz.randomize_questions = True
    dbsession.flush()
    body = start(testapp, quiz, student, auth)
    attempt_id = body["attempt_id"]
    mcq = quiz_questions(dbsession, quiz)[0]
    shown = next(q for q in body["questions"] if q["id"] == mcq.id)
    perm = shuffle.option_order(attempt_id, mcq.id, 4, "mcq", True)
    assert shown["options"] == [mcq.options[i] for i in perm]
    assert [q["order_index"] for q in body["questions"]] == [0, 1, 2, 3]
    # The student picks the option whose text is the right one, wherever it is shown.
    shown_index = shown["options"].index(mcq.options[mcq.correct_answer])
    save(testapp, attempt_id, student, auth, question_id=mcq.id, answer_option=shown_index)
    assert stored_answers(dbsession, attempt_id)[mcq.id].answer_option == mcq.correct_answer
    resumed = start(testapp, quiz, student, auth, status=200)
    assert resumed["questions"] == body["questions"]
    assert resumed["answers"][0]["answer_option"] == shown_index
    detail = testapp.get(f"/api/attempts/{attempt_id}", headers=auth(student)).json
    entry = next(a for a in detail["answers"] if a["question_id"] == mcq.id)
    assert entry["answer_option"] == shown_index
    assert entry["question"]["options"] == shown["options"]
    teacher_view = testapp.get(f"/api/attempts/{attempt_id}", headers=auth(teacher)).json
    entry = next(a for a in teacher_view["answers"] if a["question_id"] == mcq.id)
    assert entry["answer_option"] == mcq.correct_answer
    assert entry["question"]["options"] == mcq.options


def test_autosave_upserts_and_reports_progress(testapp, quiz, student, auth, dbsession, events):
    attempt_id = start(testapp, quiz, student, auth)["attempt_id"]
    mcq, true_false, *_ = quiz_questions(dbsession, quiz)
    first = save(testapp, attempt_id, student, auth, question_id=mcq.id, answer_option=0)
    assert first["message"] == "Answer saved" and first["saved_at"].endswith("Z")
    assert (first["answered_count"], first["total_questions"]) == (1, 4)
    save(testapp, attempt_id, student, auth, question_id=mcq.id, answer_option=3)
    second = save(testapp, attempt_id, student, auth, question_id=true_false.id,
                  answer_option=True)
    assert second["answered_count"] == 2
    answers = stored_answers(dbsession, attempt_id)
    assert answers[mcq.id].answer_option == 3 and answers[true_false.id].answer_option == 0
    progress = [e for e in events if isinstance(e, AnswerSaved)]
    assert [(e.question_index, e.answered_count, e.total_questions) for e in progress] == \
        [(0, 1, 4), (0, 1, 4), (1, 2, 4)]
    # An emptied text box is no answer: progress stays put.
    short = quiz_questions(dbsession, quiz)[2]
    cleared = save(testapp, attempt_id, student, auth, question_id=short.id, answer_text="")
    assert cleared["answered_count"] == 2
    # Progress only: no answer content travels with the event.
    assert all("answer" not in key or key == "answered_count" for key in progress[0].payload())


def test_answer_alias_of_older_clients(testapp, quiz, student, auth, dbsession):
    attempt_id = start(testapp, quiz, student, auth)["attempt_id"]
    mcq, true_false, short, descriptive = quiz_questions(dbsession, quiz)
    save(testapp, attempt_id, student, auth, question_id=mcq.id, answer=2)
    save(testapp, attempt_id, student, auth, question_id=true_false.id, answer=False)
    save(testapp, attempt_id, student, auth, question_id=short.id, answer="paris")
    save(testapp, attempt_id, student, auth, question_id=descriptive.id, answer="")
    answers = stored_answers(dbsession, attempt_id)
    assert answers[mcq.id].answer_option == 2 and answers[true_false.id].answer_option == 1
    assert answers[short.id].answer_text == "paris" and answers[descriptive.id].answer_text == ""
    save(testapp, attempt_id, student, auth, question_id=mcq.id, answer=3.0)
    save(testapp, attempt_id, student, auth, question_id=true_false.id, answer=True)
    answers = stored_answers(dbsession, attempt_id)
    assert answers[mcq.id].answer_option == 3 and answers[true_false.id].answer_option == 0


@pytest.mark.parametrize("answer", [99, -1, 1.5, [1], {"option": 1}])
def test_an_answer_alias_that_is_no_option_or_text_is_a_400(testapp, quiz, student, auth,
                                                            dbsession, answer):
    attempt_id = start(testapp, quiz, student, auth)["attempt_id"]
    mcq = quiz_questions(dbsession, quiz)[0]
    response = save(testapp, attempt_id, student, auth, status=400, question_id=mcq.id,
                    answer=answer)
    assert response["errors"] and not stored_answers(dbsession, attempt_id)


def test_autosave_refusals(testapp, quiz, student, other_student, auth, dbsession, teacher):
    attempt_id = start(testapp, quiz, student, auth)["attempt_id"]
    mcq = quiz_questions(dbsession, quiz)[0]
    foreign = factories.QuestionFactory(owner=teacher)
    body = assert_error(testapp.post_json(f"/api/attempts/{attempt_id}/answer",
                                          {"question_id": foreign.id, "answer_option": 0},
                                          headers=auth(student), status=400), 400)
    assert body["errors"][0]["name"] == "question_id"
    assert_error(testapp.post_json(f"/api/attempts/{attempt_id}/answer",
                                   {"question_id": mcq.id}, headers=auth(student),
                                   status=400), 400)
    assert_error(testapp.post_json(f"/api/attempts/{attempt_id}/answer",
                                   {"question_id": mcq.id, "answer_option": 7},
                                   headers=auth(student), status=400), 400)
    assert_error(testapp.post_json(f"/api/attempts/{attempt_id}/answer",
                                   {"question_id": mcq.id, "answer_option": 1,
                                    "client_seq": -1}, headers=auth(student), status=400), 400)
    assert_error(testapp.post_json(f"/api/attempts/{attempt_id}/answer",
                                   {"question_id": mcq.id, "answer_option": 1},
                                   headers=auth(other_student), status=404), 404)
    assert_error(testapp.post_json(f"/api/attempts/{attempt_id}/answer",
                                   {"question_id": mcq.id, "answer_option": 1},
                                   headers=auth(teacher), status=403), 403)
    assert stored_answers(dbsession, attempt_id) == {}


def test_saves_after_submit_or_time_over_are_409_with_a_reason(testapp, quiz, student, auth,
                                                               dbsession, registry):
    attempt_id = start(testapp, quiz, student, auth)["attempt_id"]
    mcq = quiz_questions(dbsession, quiz)[0]
    grace = registry.settings["quizcore.answer_grace_seconds"]
    attempt = dbsession.get(QuizAttempt, attempt_id)
    attempt.deadline_at = utcnow() - dt.timedelta(seconds=grace + 2)
    dbsession.flush()
    body = assert_error(testapp.post_json(f"/api/attempts/{attempt_id}/answer",
                                          {"question_id": mcq.id, "answer_option": 1},
                                          headers=auth(student), status=409), 409)
    assert body["reason"] == "time_over"
    attempt.deadline_at = utcnow() + dt.timedelta(minutes=5)
    dbsession.flush()
    testapp.post(f"/api/attempts/{attempt_id}/submit", headers=auth(student))
    body = assert_error(testapp.post_json(f"/api/attempts/{attempt_id}/answer",
                                          {"question_id": mcq.id, "answer_option": 1},
                                          headers=auth(student), status=409), 409)
    assert body["reason"] == "submitted"


def test_saves_inside_the_grace_are_accepted(testapp, quiz, student, auth, dbsession):
    attempt_id = start(testapp, quiz, student, auth)["attempt_id"]
    attempt = dbsession.get(QuizAttempt, attempt_id)
    attempt.deadline_at = utcnow() - dt.timedelta(seconds=5)
    dbsession.flush()
    mcq = quiz_questions(dbsession, quiz)[0]
    save(testapp, attempt_id, student, auth, question_id=mcq.id, answer_option=1)
    status = testapp.get(f"/api/attempts/{attempt_id}/status", headers=auth(student)).json
    assert status["time_remaining_seconds"] == 0 and status["accepts_answers"] is True


def test_idempotency_key_acknowledges_a_retry_without_applying_it(testapp, quiz, student, auth,
                                                                  dbsession):
    attempt_id = start(testapp, quiz, student, auth)["attempt_id"]
    short = quiz_questions(dbsession, quiz)[2]
    first = save(testapp, attempt_id, student, auth, question_id=short.id, answer_text="old",
                 headers={"Idempotency-Key": "save-1"})
    save(testapp, attempt_id, student, auth, question_id=short.id, answer_text="new")
    retry = save(testapp, attempt_id, student, auth, question_id=short.id, answer_text="old",
                 headers={"Idempotency-Key": "save-1"})
    assert retry["duplicate"] is True and retry["saved_at"] == first["saved_at"]
    assert stored_answers(dbsession, attempt_id)[short.id].answer_text == "new"


def test_submit_is_idempotent_and_says_pending_without_a_grader(testapp, quiz, student, auth,
                                                                no_grader, events):
    attempt_id = start(testapp, quiz, student, auth)["attempt_id"]
    first = testapp.post(f"/api/attempts/{attempt_id}/submit", headers=auth(student)).json
    again = testapp.post(f"/api/attempts/{attempt_id}/submit", headers=auth(student)).json
    assert first["status"] == "pending" and first["attempt_status"] == "submitted"
    assert first["score"] is None
    assert again["submitted_at"] == first["submitted_at"] and "already" in again["message"]
    assert [e.reason for e in events if isinstance(e, AttemptSubmitted)] == ["student"]


def test_submit_with_a_grader_reports_graded(testapp, teacher, school_class, student, auth,
                                             grader, dbsession):
    questions = [factories.QuestionFactory(owner=teacher, marks=2, correct_answer=1)
                 for _ in range(2)]
    quiz = factories.QuizFactory(owner=teacher, questions=questions, classes=[school_class],
                                 passing_percentage=50)
    attempt_id = start(testapp, quiz, student, auth)["attempt_id"]
    save(testapp, attempt_id, student, auth, question_id=questions[0].id, answer_option=1)
    body = testapp.post(f"/api/attempts/{attempt_id}/submit", headers=auth(student)).json
    assert body["status"] == "graded" and body["attempt_status"] == "graded"
    assert (body["score"], body["total_marks"], body["percentage"], body["passed"]) == \
        (2.0, 4, 50.0, True)


def test_another_students_attempt_is_404_everywhere(testapp, quiz, student, other_student,
                                                    other_teacher, auth):
    attempt_id = start(testapp, quiz, student, auth)["attempt_id"]
    for method, path in (("get", ""), ("get", "/status"), ("post", "/submit")):
        response = getattr(testapp, method)(f"/api/attempts/{attempt_id}{path}",
                                            headers=auth(other_student), status=404)
        assert_error(response, 404)
    assert_error(testapp.get(f"/api/attempts/{attempt_id}", headers=auth(other_teacher),
                             status=404), 404)
    assert testapp.get("/api/attempts", headers=auth(other_student)).json["total"] == 0


def test_lists_show_own_attempts_and_teachers_their_quizzes(testapp, quiz, student, teacher,
                                                           other_teacher, admin, auth):
    attempt_id = start(testapp, quiz, student, auth)["attempt_id"]
    mine = testapp.get("/api/attempts", headers=auth(student)).json
    assert [a["id"] for a in mine["items"]] == [attempt_id]
    assert mine["items"][0]["quiz"] == {"id": quiz.id, "title": quiz.title,
                                        "subject": quiz.subject}
    assert testapp.get(f"/api/attempts?quiz_id={quiz.id}&status=in_progress",
                       headers=auth(teacher)).json["total"] == 1
    assert testapp.get("/api/attempts?status=graded", headers=auth(teacher)).json["total"] == 0
    assert testapp.get("/api/attempts", headers=auth(other_teacher)).json["total"] == 0
    assert testapp.get("/api/attempts", headers=auth(admin)).json["total"] == 1


def test_expired_attempts_are_submitted_when_touched(testapp, quiz, student, auth, dbsession,
                                                     registry, no_grader):
    attempt_id = start(testapp, quiz, student, auth)["attempt_id"]
    mcq = quiz_questions(dbsession, quiz)[0]
    save(testapp, attempt_id, student, auth, question_id=mcq.id, answer_option=2)
    deadline = utcnow() - dt.timedelta(seconds=registry.settings[
        "quizcore.answer_grace_seconds"] + 60)
    attempt = dbsession.get(QuizAttempt, attempt_id)
    attempt.deadline_at = deadline
    dbsession.flush()
    listed = testapp.get("/api/attempts", headers=auth(student)).json["items"][0]
    assert listed["status"] == "auto_submitted"
    assert listed["submitted_at"] == deadline.isoformat() + "Z"
    detail = testapp.get(f"/api/attempts/{attempt_id}", headers=auth(student)).json
    assert detail["status"] == "auto_submitted"
    assert stored_answers(dbsession, attempt_id)[mcq.id].is_final is True


def test_status_heartbeat(testapp, quiz, student, auth, teacher):
    attempt_id = start(testapp, quiz, student, auth)["attempt_id"]
    status = testapp.get(f"/api/attempts/{attempt_id}/status", headers=auth(student)).json
    assert status["status"] == "in_progress" and status["accepts_answers"] is True
    assert status["time_remaining_seconds"] > 0
    assert_error(testapp.get(f"/api/attempts/{attempt_id}/status", headers=auth(teacher),
                             status=403), 403)


def test_start_after_max_attempts_commits_the_lazy_expiry(testapp, teacher, school_class,
                                                          student, auth, dbsession, registry,
                                                          no_grader):
    quiz = factories.QuizFactory(owner=teacher, classes=[school_class], max_attempts=1,
                                 questions=[factories.QuestionFactory(owner=teacher)])
    attempt_id = start(testapp, quiz, student, auth)["attempt_id"]
    attempt = dbsession.get(QuizAttempt, attempt_id)
    attempt.deadline_at = utcnow() - dt.timedelta(hours=1)
    dbsession.flush()
    body = assert_error(testapp.post(f"/api/quizzes/{quiz.id}/start", headers=auth(student),
                                     status=403), 403)
    assert body["reason"] == "max_attempts_reached"
    dbsession.expire_all()
    assert dbsession.get(QuizAttempt, attempt_id).status == AttemptStatus.AUTO_SUBMITTED


def test_attempt_events_carry_the_reason_and_progress(testapp, quiz, student, auth, events,
                                                      no_grader):
    attempt_id = start(testapp, quiz, student, auth)["attempt_id"]
    start(testapp, quiz, student, auth, status=200)
    testapp.post(f"/api/attempts/{attempt_id}/submit", headers=auth(student))
    started = [e for e in events if isinstance(e, AttemptStarted)]
    assert [e.resumed for e in started] == [False, True]
    assert started[0].total_questions == 4 and started[0].student_name == student.name
    submitted = [e for e in events if isinstance(e, AttemptSubmitted)]
    assert submitted[0].monitor_message()["data"]["reason"] == "student"


@pytest.mark.parametrize("content_type", ["multipart/form-data", "text/plain",
                                          "application/x-www-form-urlencoded"])
def test_json_endpoints_refuse_other_bodies_with_a_415(testapp, quiz, student, teacher, auth,
                                                       content_type):
    attempt_id = start(testapp, quiz, student, auth)["attempt_id"]
    body = '{"question_id": "x", "answer_option": 0}'
    for path, user in ((f"/api/attempts/{attempt_id}/answer", student),
                       ("/api/questions", teacher), ("/api/quizzes", teacher)):
        response = testapp.post(path, body, headers={**auth(user), "Content-Type": content_type},
                                status=415)
        assert_error(response, 415)
