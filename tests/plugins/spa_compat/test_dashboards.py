"""Contract of the SPA's dashboards and student lists (``AdminDashboard.tsx``,
``TeacherDashboard.tsx``, ``StudentDashboard.tsx``, ``StudentQuizzes.tsx``,
``StudentResults.tsx``): for each call the request the SPA sends and every response field
its page reads, on MariaDB."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from quiz_plugins.spa_compat.learner import availability
from quizcore.models import AttemptStatus, utcnow
from tests import factories
from tests.assessment.conftest import make_questions
from tests.helpers import assert_error

pytestmark = pytest.mark.plugin("quiz_plugins.spa_compat")


@pytest.fixture
def school(dbsession, teacher, school_class, student):
    """A published quiz open to the student's class with one graded attempt (15 of 20, 75 %)
    and a second quiz with no attempt."""
    sat = factories.QuizFactory(owner=teacher, questions=make_questions(teacher, 4),
                                classes=[school_class], max_attempts=2, title="Sat quiz")
    fresh = factories.QuizFactory(owner=teacher, questions=make_questions(teacher, 2),
                                  classes=[school_class], title="Fresh quiz")
    started = utcnow() - dt.timedelta(hours=1)
    attempt = factories.QuizAttemptFactory(
        quiz=sat, student=student, status=AttemptStatus.GRADED, started_at=started,
        submitted_at=started + dt.timedelta(minutes=20), score=Decimal("15"),
        total_marks=20, percentage=Decimal("75"), passed=True)
    dbsession.flush()
    return {"sat": sat, "fresh": fresh, "attempt": attempt}


def test_student_dashboard(testapp, student, auth, school):
    """``getStudentDashboard()``: reads ``stats.{avg_score,best_score}``, ``student``,
    ``class.{name,section}``, ``available_quizzes[]`` and ``recent_attempts[].{id,quiz_id,
    total_marks,score,submitted_at,status}``."""
    body = testapp.get("/api/student/dashboard", headers=auth(student)).json
    assert body["student"]["id"] == student.id and body["student"]["role"] == "student"
    assert body["class"]["name"] and "section" in body["class"]
    titles = {quiz["title"]: quiz for quiz in body["available_quizzes"]}
    assert set(titles) == {"Sat quiz", "Fresh quiz"}  # one attempt of two left on the first
    assert titles["Sat quiz"]["remaining_attempts"] == 1
    assert titles["Fresh quiz"]["remaining_attempts"] == 1
    (recent,) = body["recent_attempts"]
    assert (recent["id"], recent["quiz_id"], recent["status"]) == (
        school["attempt"].id, school["sat"].id, "graded")
    assert (recent["score"], recent["total_marks"]) == (15, 20)
    assert recent["submitted_at"].endswith("Z")
    assert body["stats"] == {"total_attempts": 1, "completed_attempts": 1,
                             "available_quizzes": 2, "avg_score": 75, "best_score": 75}


def test_student_quizzes(testapp, student, auth, school):
    """``StudentQuizzes``: reads ``id``, ``title``, ``duration_minutes``,
    ``total_questions``, ``total_marks``/``max_score``, ``available_from/until``,
    ``can_attempt``, ``is_available_now`` and ``availability_status`` (its start button),
    ``latest_attempt.{id,score}``; never the access code."""
    quizzes = {q["title"]: q for q in testapp.get("/api/student/quizzes",
                                                  headers=auth(student)).json["quizzes"]}
    sat = quizzes["Sat quiz"]
    assert sat["id"] == school["sat"].id and sat["can_attempt"] is True
    assert sat["duration_minutes"] == school["sat"].time_limit_minutes
    assert sat["total_questions"] == 4 and sat["max_score"] == sat["total_marks"]
    assert "available_from" in sat and "available_until" in sat
    assert sat["latest_attempt"]["id"] == school["attempt"].id
    assert quizzes["Fresh quiz"]["latest_attempt"] is None
    assert (sat["availability_status"], sat["is_available_now"]) == ("open", True)
    assert all("access_code" not in quiz for quiz in quizzes.values())


def test_student_results_are_paged(testapp, student, auth, school):
    """``getStudentResults(page, perPage)``: ``results[]`` with ``quiz``, ``total``,
    ``pages``, ``current_page``; a bad page number is a 400 like every list."""
    body = testapp.get("/api/student/results?page=1&per_page=10",
                       headers=auth(student)).json
    assert (body["total"], body["pages"], body["current_page"]) == (1, 1, 1)
    (result,) = body["results"]
    assert result["quiz"]["title"] == "Sat quiz" and result["percentage"] == 75
    assert testapp.get("/api/student/results?page=2&per_page=10",
                       headers=auth(student)).json["results"] == []
    assert_error(testapp.get("/api/student/results?page=0", headers=auth(student),
                             status=400), 400)


def test_another_students_dashboard_shows_nothing_of_theirs(testapp, other_student, auth,
                                                            school):
    body = testapp.get("/api/student/dashboard", headers=auth(other_student)).json
    assert body["recent_attempts"] == [] and body["available_quizzes"] == []


def test_admin_dashboard_stats(testapp, admin, auth, school, other_teacher):
    """``getDashboardStats()``: the page reads the figures at the top level."""
    body = testapp.get("/api/admin/dashboard/stats", headers=auth(admin)).json
    assert (body["admin_count"], body["teacher_count"], body["student_count"]) == (1, 2, 1)
    assert body["total_users"] == 4 and body["active_users"] == 4
    assert body["inactive_users"] == 0
    assert body["claimed_accounts"] + body["unclaimed_accounts"] == 1
    assert (body["total_quizzes"], body["published_quizzes"], body["draft_quizzes"]) == \
        (2, 2, 0)
    assert body["total_classes"] == 1 and body["total_attempts"] == 1


def test_teacher_dashboard(testapp, teacher, other_teacher, auth, school):
    """``getTeacherDashboard()``: ``stats.{total_quizzes,published_quizzes,total_students,
    average_score,completion_rate}``; ``recent_attempts[].{studentId,quizId,score,
    totalMarks,status}``. Another teacher sees none of it."""
    body = testapp.get("/api/teacher/dashboard", headers=auth(teacher)).json
    assert body["stats"] == {"total_quizzes": 2, "published_quizzes": 2, "total_students": 1,
                             "average_score": 75.0, "completion_rate": 100.0}
    (recent,) = body["recent_attempts"]
    assert (recent["studentId"], recent["quizId"], recent["totalMarks"], recent["status"]) \
        == (school["attempt"].student_id, school["sat"].id, 20, "graded")
    other = testapp.get("/api/teacher/dashboard", headers=auth(other_teacher)).json
    assert other["stats"]["total_quizzes"] == 0 and other["recent_attempts"] == []


def test_trailing_slashes_reach_the_compat_routes(testapp, student, auth, school):
    assert testapp.get("/api/student/dashboard/", headers=auth(student)).json["student"]


def test_teacher_lists(testapp, teacher, other_teacher, auth, school, student,
                       school_class):
    """``getTeacherQuizzes()`` reads ``quizzes[].{id,title,status,total_questions,
    time_limit,access_code}``; ``getTeacherClasses()`` ``classes[].{id,name,section,
    academic_year,student_count,teacher_count,teachers}``; ``getTeacherStudents()``
    ``students[].{id,name,email,registration_number,class_id}``."""
    body = testapp.get("/api/teacher/quizzes?page=1&per_page=10", headers=auth(teacher)).json
    assert (body["total"], body["pages"], body["current_page"]) == (2, 1, 1)
    sat = next(q for q in body["quizzes"] if q["title"] == "Sat quiz")
    assert sat["total_questions"] == 4 and sat["time_limit"] == school["sat"].time_limit_minutes
    assert sat["status"] == "published" and sat["access_code"]
    assert testapp.get("/api/teacher/quizzes?status=draft",
                       headers=auth(teacher)).json["quizzes"] == []
    assert_error(testapp.get("/api/teacher/quizzes?status=nonsense", headers=auth(teacher),
                             status=400), 400)
    (own_class,) = testapp.get("/api/teacher/classes", headers=auth(teacher)).json["classes"]
    assert own_class["id"] == school_class.id and own_class["student_count"] == 1
    assert own_class["teacher_count"] == len(own_class["teachers"]) == 1
    (pupil,) = testapp.get("/api/teacher/students", headers=auth(teacher)).json["students"]
    assert pupil["id"] == student.id and pupil["registration_number"]
    assert testapp.get("/api/teacher/classes", headers=auth(other_teacher)).json == {
        "classes": []}
    assert testapp.get("/api/teacher/students", headers=auth(other_teacher)).json == {
        "students": []}


def test_a_quizs_attempts_as_a_bare_array(testapp, teacher, other_teacher, student, auth,
                                          school):
    """``getQuizAttempts(quizId)``: ``QuizAnalytics`` keeps the answer only if it is an
    array; ``QuizMonitor`` reads ``student_id``, ``student_name``, ``registration_number``,
    ``status``, ``score``, ``total_violations``, ``time_spent_seconds``."""
    body = testapp.get(f"/api/attempts/quiz/{school['sat'].id}", headers=auth(teacher)).json
    assert isinstance(body, list)
    (attempt,) = body
    assert (attempt["id"], attempt["student_id"], attempt["status"]) == (
        school["attempt"].id, student.id, "graded")
    assert attempt["student_name"] and attempt["registration_number"]
    assert attempt["time_spent_seconds"] == 20 * 60 and attempt["score"] == 15
    assert testapp.get(f"/api/attempts/quiz/{school['fresh'].id}",
                       headers=auth(teacher)).json == []
    assert_error(testapp.get(f"/api/attempts/quiz/{school['sat'].id}",
                             headers=auth(other_teacher), status=404), 404)


def test_the_monitor_page_reads_each_students_progress(testapp, dbsession, teacher, student,
                                                       auth, school):
    """``QuizMonitor`` draws its progress bar from ``answered_questions`` /
    ``total_questions`` (else it shows 0 % of 10): the live monitor's figures."""
    quiz, attempt = school["sat"], school["attempt"]
    first = quiz.quiz_questions[0].question
    factories.StudentAnswerFactory(attempt=attempt, question=first, answer_option=0)
    dbsession.flush()
    (row,) = testapp.get(f"/api/attempts/quiz/{quiz.id}/", headers=auth(teacher)).json
    assert (row["total_questions"], row["answered_questions"], row["progress"]) == (4, 1, 25.0)
    assert row["current_question_number"] >= 1 and row["last_activity_at"]


def test_a_card_says_where_now_lies_in_the_students_own_window():
    """The canonical list holds only quizzes in their window, so a card is ``open``; the
    mapping of the other two states is the domain's (``timing.window_state``)."""
    now = dt.datetime(2026, 5, 4, 9, 0)
    quiz = {"effective_start_date": "2026-05-04T09:00:00Z",
            "effective_end_date": "2026-05-04T10:00:00+00:00"}
    assert availability(quiz, now) == "open"
    assert availability(quiz, now - dt.timedelta(seconds=1)) == "upcoming"
    assert availability(quiz, now + dt.timedelta(hours=1)) == "closed"
    assert availability({"effective_start_date": None, "effective_end_date": None}, now) == \
        "open"
