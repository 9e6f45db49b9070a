"""The administrator, teacher and student dashboards on the hand-marked exam
(tests/marked_exam.py): eight attempts, six final results (percentages 100, 50, 100, 25,
62.5, 0; four passed)."""

from __future__ import annotations

import pytest

from quiz_plugins.analytics import dashboards
from quizcore.models import Student
from tests import factories
from tests.marked_exam import add_results, counted_queries

pytestmark = pytest.mark.plugin("quiz_plugins.analytics")


@pytest.fixture
def history(dbsession, other_teacher, exam):
    """Another teacher's quiz that Bea failed."""
    quiz = factories.QuizFactory(owner=other_teacher, title="History", subject="History",
                                 questions=[factories.QuestionFactory(owner=other_teacher)])
    factories.finished_attempt(quiz, exam.students["B"], [0])
    return quiz


def results_of_exam(block):
    assert (block["attempts"], block["in_progress"], block["completed"], block["results"],
            block["pending_results"], block["passed"], block["failed"]) == (8, 1, 7, 6, 1, 4, 2)
    assert block["pass_rate"] == 66.67
    assert block["average_percentage"] == 56.25


def test_admin_dashboard(dbsession, exam, admin):
    data = dashboards.admin_dashboard(dbsession, recent_limit=3)
    results_of_exam(data["attempts"])
    assert data["attempts"]["by_status"] == {"in_progress": 1, "submitted": 1, "graded": 5,
                                             "auto_submitted": 1, "force_submitted": 0,
                                             "not_counted": 0}
    assert data["attempts"]["last_7_days"] == 8
    assert data["attempts"]["auto_submitted_for_violations"] == 1
    assert data["users"]["by_role"] == {"admin": 1, "teacher": 1, "student": 7}
    assert data["users"]["students_claimed"] == 7 and data["users"]["students_unclaimed"] == 0
    assert data["questions"]["by_type"]["descriptive"] == 1
    assert data["quizzes"]["by_status"]["published"] == 1
    assert data["violations"]["by_type"]["tab_switch"] == 2
    assert data["violations"]["total_violations"] == 3
    [row] = data["classes_breakdown"]
    assert row["student_count"] == 7 and row["teacher_count"] == 1
    results_of_exam(row)
    [top] = data["top_quizzes"]
    assert top["title"] == "Plants" and top["teacher"]["id"] == exam.quiz.created_by
    assert len(data["recent_attempts"]) == 3
    assert sum(day["started"] for day in data["activity"]) == 8
    assert sum(day["submitted"] for day in data["activity"]) == 7
    assert len(data["activity"]) == dashboards.ACTIVITY_DAYS


def test_admin_dashboard_of_an_empty_school(dbsession):
    data = dashboards.admin_dashboard(dbsession, activity_days=3)
    assert data["attempts"]["attempts"] == 0
    assert data["attempts"]["pass_rate"] is None and data["attempts"]["average_percentage"] \
        is None
    assert data["classes_breakdown"] == [] and data["top_quizzes"] == []
    assert [day["started"] for day in data["activity"]] == [0, 0, 0]


def test_teacher_dashboard_covers_their_quizzes_and_classes(dbsession, exam, teacher, history):
    data = dashboards.teacher_dashboard(dbsession, teacher)
    totals = data["totals"]
    results_of_exam(totals)
    assert (totals["classes"], totals["students"], totals["questions"], totals["quizzes"]) == \
        (1, 7, 3, 1)
    [quiz] = data["quizzes"]
    assert quiz["title"] == "Plants" and quiz["question_count"] == 3
    assert quiz["students_attempted"] == 7
    results_of_exam(quiz)
    [school_class] = data["classes"]
    results_of_exam(school_class)  # Bea's History attempt is another teacher's
    assert all(item["quiz"]["title"] == "Plants" for item in data["recent_attempts"])


def test_student_dashboard(dbsession, exam, history):
    bea = dbsession.get(Student, exam.students["B"].id)
    data = dashboards.student_dashboard(dbsession, bea)
    assert data["scope"] == "all"
    totals = data["totals"]
    assert (totals["attempts"], totals["results"], totals["quizzes_taken"], totals["passed"],
            totals["failed"]) == (3, 3, 2, 2, 1)
    assert totals["best_percentage"] == 100.0 and totals["average_percentage"] == 50.0
    plants = next(item for item in data["quizzes"] if item["quiz"]["title"] == "Plants")
    assert (plants["attempts"], plants["best_score"], plants["best_percentage"],
            plants["average_percentage"], plants["passed"]) == (2, 4.0, 100.0, 75.0, True)
    assert {s["subject"]: s["average_percentage"] for s in data["subjects"]} == {
        "History": 0.0, "Mathematics": 75.0}
    assert [p["percentage"] for p in data["progress"] if p["quiz_title"] == "Plants"] == \
        [50.0, 100.0]
    assert data["student"]["class"]["id"] == bea.class_id


def test_a_teacher_sees_a_student_at_their_own_quizzes_only(dbsession, exam, teacher,
                                                            history):
    bea = dbsession.get(Student, exam.students["B"].id)
    data = dashboards.student_dashboard(dbsession, bea, quiz_owner_id=teacher.id)
    assert data["scope"] == "teacher"
    assert data["totals"]["attempts"] == 2
    assert [item["quiz"]["title"] for item in data["quizzes"]] == ["Plants"]
    assert all(item["quiz"]["title"] == "Plants" for item in data["recent_attempts"])


def test_student_without_attempts(dbsession, student):
    data = dashboards.student_dashboard(dbsession, dbsession.get(Student, student.id))
    assert data["totals"]["attempts"] == 0 and data["totals"]["best_percentage"] is None
    assert data["quizzes"] == [] and data["progress"] == []


def test_dashboard_queries_do_not_grow_with_the_school(dbsession, exam, teacher, school_class):
    bea = dbsession.get(Student, exam.students["B"].id)

    def run():
        dashboards.admin_dashboard(dbsession)
        dashboards.teacher_dashboard(dbsession, teacher)
        dashboards.student_dashboard(dbsession, bea)

    with counted_queries(dbsession) as before:
        run()
    add_results(exam.quiz, school_class, 10, [1, 1, 0])
    with counted_queries(dbsession) as after:
        run()
    assert len(after) == len(before)
