"""Real threads against MariaDB with committed data: double clicks, retried saves and racing
submits never duplicate, lose or re-grade anything."""


import pytest
import sqlalchemy as sa
import webtest

from quizcore.models import AttemptQuestion, AttemptStatus, QuizAttempt, QuizSection, StudentAnswer
from tests import factories
from tests.helpers import run_together

pytestmark = pytest.mark.slow


@pytest.fixture
def exam(committed_session):
    """A committed published quiz, its class and one student in it."""
    teacher = factories.TeacherFactory()
    school_class = factories.ClassFactory()
    factories.TeacherClassFactory(teacher=teacher, school_class=school_class)
    student = factories.StudentFactory(school_class=school_class)
    questions = [
        factories.QuestionFactory(owner=teacher, type="short_answer", options=None,
                                  correct_answer=None, accepted_answers=["yes"]),
        factories.QuestionFactory(owner=teacher, marks=2, correct_answer=1),
    ]
    quiz = factories.QuizFactory(owner=teacher, questions=questions, classes=[school_class],
                                 max_attempts=3)
    committed_session.commit()
    return {"quiz": quiz, "student": student, "questions": questions}


def client(app):
    return webtest.TestApp(app, extra_environ={"REMOTE_ADDR": "127.0.0.1"})


def start_attempt(app, exam, auth):
    return client(app).post(f"/api/quizzes/{exam['quiz'].id}/start",
                            headers=auth(exam["student"])).json["attempt_id"]


def test_ten_parallel_starts_make_one_attempt(committed_app, app, exam, auth, engine):
    headers = auth(exam["student"])
    path = f"/api/quizzes/{exam['quiz'].id}/start"
    responses = run_together(10, lambda i: client(app).post(path, headers=headers,
                                                            expect_errors=True))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * 9 + [201], [r.text for r in responses if r.status_code >= 300]
    assert len({r.json["attempt_id"] for r in responses}) == 1
    with engine.connect() as connection:
        count = connection.execute(sa.select(sa.func.count()).select_from(QuizAttempt).where(
            QuizAttempt.quiz_id == exam["quiz"].id)).scalar_one()
    assert count == 1


def test_parallel_starts_of_a_pooled_quiz_draw_one_paper(committed_app, app, exam, auth,
                                                         engine, committed_session):
    quiz = exam["quiz"]
    for _ in range(5):
        factories.QuestionFactory(created_by=quiz.created_by, topic="Pool")
    committed_session.add(QuizSection(quiz_id=quiz.id, position=0, title="Pool", draw=3,
                                      marks_each=2, pool={"topic": "Pool"}))
    committed_session.commit()
    headers = auth(exam["student"])
    path = f"/api/quizzes/{quiz.id}/start"
    responses = run_together(8, lambda i: client(app).post(path, headers=headers,
                                                           expect_errors=True))
    assert sorted(r.status_code for r in responses) == [200] * 7 + [201]
    papers = {tuple(q["id"] for q in r.json["questions"]) for r in responses}
    assert len(papers) == 1 and len(next(iter(papers))) == 2 + 3
    with engine.connect() as connection:
        rows = connection.execute(sa.select(sa.func.count()).select_from(AttemptQuestion)
                                  .join(QuizAttempt, QuizAttempt.id == AttemptQuestion.attempt_id)
                                  .where(QuizAttempt.quiz_id == quiz.id)).scalar_one()
    assert rows == 5


def test_twenty_parallel_saves_leave_one_row_with_the_highest_client_seq(committed_app, app,
                                                                         exam, auth, engine):
    attempt_id = start_attempt(app, exam, auth)
    question = exam["questions"][0]
    headers = auth(exam["student"])
    path = f"/api/attempts/{attempt_id}/answer"
    # Thread i sends sequence number i + 1; they arrive in whatever order the server runs them.
    responses = run_together(20, lambda i: client(app).post_json(
        path, {"question_id": question.id, "answer_text": f"version {i + 1}",
               "client_seq": i + 1}, headers=headers, expect_errors=True))
    assert [r.status_code for r in responses] == [200] * 20, \
        [r.text for r in responses if r.status_code != 200]
    with engine.connect() as connection:
        rows = connection.execute(sa.select(StudentAnswer.answer_text, StudentAnswer.client_seq)
                                  .where(StudentAnswer.attempt_id == attempt_id)).all()
    assert rows == [("version 20", 20)]


def test_ten_parallel_submits_grade_once(committed_app, app, exam, auth, engine, grader):
    attempt_id = start_attempt(app, exam, auth)
    mcq = exam["questions"][1]
    client(app).post_json(f"/api/attempts/{attempt_id}/answer",
                          {"question_id": mcq.id, "answer_option": 1},
                          headers=auth(exam["student"]))
    headers = auth(exam["student"])
    responses = run_together(10, lambda i: client(app).post(
        f"/api/attempts/{attempt_id}/submit", headers=headers, expect_errors=True))
    assert [r.status_code for r in responses] == [200] * 10, [r.text for r in responses]
    assert grader.calls == [attempt_id]
    results = {(r.json["submitted_at"], r.json["score"], r.json["attempt_status"])
               for r in responses}
    assert len(results) == 1 and results.pop()[1] == 2.0
    assert sum("already" in r.json["message"] for r in responses) == 9
    with engine.connect() as connection:
        status = connection.execute(sa.select(QuizAttempt.status).where(
            QuizAttempt.id == attempt_id)).scalar_one()
    assert status == AttemptStatus.GRADED


def test_saves_racing_a_submit_are_either_graded_or_refused(committed_app, app, exam, auth,
                                                            engine, grader):
    """No acknowledged save may arrive after the submission it was not part of."""
    attempt_id = start_attempt(app, exam, auth)
    question = exam["questions"][0]
    headers = auth(exam["student"])
    def action(i):
        if i == 0:
            return client(app).post(f"/api/attempts/{attempt_id}/submit", headers=headers,
                                    expect_errors=True)
        return client(app).post_json(f"/api/attempts/{attempt_id}/answer",
                                     {"question_id": question.id, "answer_text": f"v{i}",
                                      "client_seq": i}, headers=headers, expect_errors=True)

    responses = run_together(12, action)
    assert responses[0].status_code == 200
    saves = responses[1:]
    assert {r.status_code for r in saves} <= {200, 409}
    refused = [r for r in saves if r.status_code == 409]
    assert all(r.json["reason"] == "submitted" for r in refused)
    acknowledged = [i + 1 for i, r in enumerate(saves) if r.status_code == 200]
    with engine.connect() as connection:
        stored = connection.execute(sa.select(StudentAnswer.client_seq, StudentAnswer.is_final)
                                    .where(StudentAnswer.attempt_id == attempt_id)).all()
    if acknowledged:
        # Every acknowledged save is in the row the grader saw, and nothing came after it.
        assert stored == [(max(acknowledged), True)]
        assert grader.seen == [{question.id: max(acknowledged)}]
    else:
        assert stored == [] and grader.seen == [{}]
