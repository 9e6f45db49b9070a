"""Both plugins on the development database (SQLite): marking by hand, the pending queue,
violations up to the threshold and the summary."""

import pytest
import webtest

from tests.assessment.test_sqlite import people, sqlite_app  # noqa: F401 - a fixture
from tests.helpers import auth_headers

pytestmark = [pytest.mark.plugin("quiz_plugins.grading"),
              pytest.mark.plugin("quiz_plugins.anticheat")]


def test_grading_and_violations_on_sqlite(sqlite_app):  # noqa: F811 - the fixture
    session, teacher, student, school_class = people(sqlite_app)
    client = webtest.TestApp(sqlite_app)
    as_teacher = auth_headers(sqlite_app.registry, teacher)
    as_student = auth_headers(sqlite_app.registry, student)
    essay = client.post_json("/api/questions", {
        "text": "Explain photosynthesis.", "type": "descriptive", "marks": 4,
        "sample_answer": "Light to sugar.", "marking_rubric": "Inputs and products."},
        headers=as_teacher).json
    short = client.post_json("/api/questions", {
        "text": "Capital of France?", "type": "short_answer", "marks": 2,
        "accepted_answers": ["Paris"]}, headers=as_teacher).json
    quiz = client.post_json("/api/quizzes", {
        "title": "Biology", "subject": "Science", "time_limit_minutes": 30,
        "class_ids": [school_class.id], "question_ids": [essay["id"], short["id"]]},
        headers=as_teacher).json
    client.post(f"/api/quizzes/{quiz['id']}/publish", headers=as_teacher)

    attempt_id = client.post(f"/api/quizzes/{quiz['id']}/start",
                             headers=as_student).json["attempt_id"]
    for question_id, text in ((essay["id"], "Plants use light."), (short["id"], " PARIS ")):
        client.post_json(f"/api/attempts/{attempt_id}/answer",
                         {"question_id": question_id, "answer_text": text}, headers=as_student)
    for kind in ("tab_switch", "COPY_ATTEMPT"):
        client.post_json(f"/api/attempts/{attempt_id}/violations", {"violation_type": kind},
                         headers=as_student)
    submitted = client.post(f"/api/attempts/{attempt_id}/submit", headers=as_student).json
    assert (submitted["status"], submitted["score"]) == ("pending", 2.0)

    [waiting] = client.get("/api/grading/pending", headers=as_teacher).json["items"]
    assert (waiting["attempt_id"], waiting["pending_marks"]) == (attempt_id, 4)
    detail = client.get(f"/api/grading/attempts/{attempt_id}", headers=as_teacher).json
    [answer] = [a for a in detail["answers"] if a["needs_grading"]]
    graded = client.post_json(f"/api/grading/attempts/{attempt_id}/grade", {
        "grades": [{"answer_id": answer["answer_id"], "marks_awarded": 3}]},
        headers=as_teacher).json
    assert (graded["final_score"], graded["percentage"], graded["passed"]) == \
        (5.0, 83.33, True)

    summary = client.get(f"/api/quizzes/{quiz['id']}/violations", headers=as_teacher).json
    assert (summary["total_violations"], summary["by_type"]["copy_attempt"]) == (2, 1)
    session.close()
