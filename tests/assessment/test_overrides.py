"""Per-quiz overrides and accommodations: the pure resolution, the REST endpoints, and the
effective limits a student sees and is held to."""

import datetime as dt
from decimal import Decimal

import pytest

from quizcore.domain.overrides import QuizLimits, Terms, resolve
from quizcore.models import QuizOverride, utcnow
from tests import factories
from tests.helpers import assert_error

from .conftest import make_questions

D = Decimal
QUIZ = QuizLimits(time_limit_minutes=60, max_attempts=1,
                  start_date=dt.datetime(2030, 1, 1, 9), end_date=dt.datetime(2030, 1, 1, 12))


# -- the pure resolution ---------------------------------------------------------------------


def test_without_overrides_the_quiz_limits_apply():
    limits = resolve(QUIZ)
    assert (limits.time_limit_minutes, limits.attempts_allowed) == (60, 1)
    assert (limits.start_date, limits.end_date) == (QUIZ.start_date, QUIZ.end_date)


def test_the_accommodation_multiplies_the_quiz_limit_rounding_up():
    assert resolve(QUIZ, accommodation=D("1.25")).time_limit_minutes == 75
    assert resolve(QuizLimits(45, 1), accommodation=D("1.33")).time_limit_minutes == 60  # 59.85


def test_a_student_override_beats_class_overrides_and_replaces_the_accommodation():
    limits = resolve(QUIZ, accommodation=D("1.5"), student=Terms(time_limit_minutes=50),
                     classes=[Terms(time_limit_minutes=90)])
    assert limits.time_limit_minutes == 50
    by_multiplier = resolve(QUIZ, accommodation=D("1.5"), student=Terms(time_multiplier=D("2")))
    assert by_multiplier.time_limit_minutes == 120


def test_the_accommodation_still_applies_to_a_class_override():
    limits = resolve(QUIZ, accommodation=D("1.5"), classes=[Terms(time_limit_minutes=40)])
    assert limits.time_limit_minutes == 60


def test_between_classes_the_most_generous_value_wins():
    early, late = dt.datetime(2030, 1, 1, 8), dt.datetime(2030, 1, 2, 12)
    limits = resolve(QUIZ, classes=[
        Terms(time_limit_minutes=70, extra_attempts=1, start_date=early),
        Terms(time_multiplier=D("1.5"), extra_attempts=3, end_date=late),
        Terms(start_date=dt.datetime(2030, 1, 1, 8, 30)),
    ])
    assert limits.time_limit_minutes == 90
    assert limits.attempts_allowed == 4
    assert (limits.start_date, limits.end_date) == (early, late)


def test_unset_fields_of_the_student_override_fall_back_field_by_field():
    limits = resolve(QUIZ, accommodation=D("1.25"), student=Terms(extra_attempts=2),
                     classes=[Terms(end_date=dt.datetime(2030, 1, 1, 15))])
    assert limits.time_limit_minutes == 75  # no time in the student's override
    assert limits.attempts_allowed == 3
    assert limits.end_date == dt.datetime(2030, 1, 1, 15)


def test_the_student_override_window_beats_a_more_generous_class_window():
    own = dt.datetime(2030, 1, 5, 10)
    limits = resolve(QUIZ, student=Terms(start_date=own),
                     classes=[Terms(start_date=dt.datetime(2029, 12, 1))])
    assert limits.start_date == own


def test_times_are_capped_at_the_longest_time_limit():
    assert resolve(QuizLimits(7 * 24 * 60, 1), accommodation=D("2")).time_limit_minutes == \
        7 * 24 * 60


# -- REST ------------------------------------------------------------------------------------


@pytest.fixture
def quiz(dbsession, teacher, school_class):
    return factories.QuizFactory(owner=teacher, questions=make_questions(teacher, 2),
                                 classes=[school_class], max_attempts=1, time_limit_minutes=30)


def overrides_path(quiz):
    return f"/api/quizzes/{quiz.id}/overrides"


def test_the_owner_creates_lists_changes_and_deletes_an_override(testapp, quiz, teacher,
                                                                 student, auth, dbsession):
    created = testapp.post_json(overrides_path(quiz), {
        "student_id": student.id, "time_multiplier": 1.5, "extra_attempts": 1},
        headers=auth(teacher), status=201).json
    assert created["time_multiplier"] == 1.5 and created["extra_attempts"] == 1
    assert created["name"] == student.name
    listed = testapp.get(overrides_path(quiz), headers=auth(teacher)).json["items"]
    assert [item["id"] for item in listed] == [created["id"]]
    detail = testapp.get(f"/api/quizzes/{quiz.id}", headers=auth(teacher)).json
    assert [item["id"] for item in detail["overrides"]] == [created["id"]]

    changed = testapp.put_json(f"{overrides_path(quiz)}/{created['id']}",
                               {"time_limit_minutes": 45}, headers=auth(teacher)).json
    assert changed["time_limit_minutes"] == 45 and changed["time_multiplier"] is None
    testapp.delete(f"{overrides_path(quiz)}/{created['id']}", headers=auth(teacher))
    assert dbsession.query(QuizOverride).count() == 0


def test_a_second_override_of_the_same_student_is_a_conflict(testapp, quiz, teacher, student,
                                                             auth, dbsession):
    testapp.post_json(overrides_path(quiz), {"student_id": student.id, "extra_attempts": 1},
                      headers=auth(teacher), status=201)
    body = assert_error(testapp.post_json(overrides_path(quiz), {
        "student_id": student.id, "time_limit_minutes": 40}, headers=auth(teacher),
        expect_errors=True), 409)
    assert body["reason"] == "override_exists"
    assert dbsession.query(QuizOverride).count() == 1


@pytest.mark.parametrize("body, field", [
    ({"time_limit_minutes": -5}, "time_limit_minutes"),
    ({"time_multiplier": 0}, "time_multiplier"),
    ({"time_multiplier": 100}, "time_multiplier"),
    ({"time_limit_minutes": 20, "time_multiplier": 1.5}, "time_multiplier"),
    ({"start_date": "2031-01-02T10:00:00Z", "end_date": "2031-01-01T10:00:00Z"}, "end_date"),
    ({"extra_attempts": -1}, "extra_attempts"),
    ({}, None),
])
def test_bad_overrides_are_refused_and_change_nothing(testapp, quiz, teacher, student, auth,
                                                     dbsession, body, field):
    response = testapp.post_json(overrides_path(quiz), {"student_id": student.id, **body},
                                 headers=auth(teacher), expect_errors=True)
    assert_error(response, 400)
    if field:
        assert field in response.text
    assert dbsession.query(QuizOverride).count() == 0


def test_an_override_for_a_student_outside_the_quiz_classes_is_refused(
        testapp, quiz, teacher, other_student, auth, dbsession):
    assert_error(testapp.post_json(overrides_path(quiz), {
        "student_id": other_student.id, "extra_attempts": 1}, headers=auth(teacher),
        expect_errors=True), 400)
    assert_error(testapp.post_json(overrides_path(quiz), {
        "class_id": other_student.student.class_id, "extra_attempts": 1}, headers=auth(teacher),
        expect_errors=True), 400)
    assert_error(testapp.post_json(overrides_path(quiz), {
        "student_id": other_student.id, "class_id": quiz.class_links[0].class_id,
        "extra_attempts": 1}, headers=auth(teacher), expect_errors=True), 400)
    assert dbsession.query(QuizOverride).count() == 0


def test_another_teacher_does_not_see_the_overrides(testapp, quiz, other_teacher, auth):
    assert_error(testapp.get(overrides_path(quiz), headers=auth(other_teacher),
                             expect_errors=True), 404)


# -- the student's effective limits ----------------------------------------------------------


def test_the_student_sees_and_is_held_to_their_effective_limits(testapp, quiz, teacher,
                                                                student, auth, dbsession):
    student.student.time_multiplier = Decimal("1.5")
    dbsession.flush()
    view = testapp.get(f"/api/quizzes/{quiz.id}", headers=auth(student)).json
    assert view["effective_time_limit_minutes"] == 45 and view["attempts_allowed"] == 1
    testapp.post_json(overrides_path(quiz), {"class_id": student.student.class_id,
                                             "extra_attempts": 1}, headers=auth(teacher))
    before = utcnow()
    started = testapp.post(f"/api/quizzes/{quiz.id}/start", headers=auth(student),
                           status=201).json
    assert started["effective_time_limit_minutes"] == 45 and started["attempts_allowed"] == 2
    deadline = dt.datetime.fromisoformat(started["deadline_at"].rstrip("Z"))
    assert before + dt.timedelta(minutes=45) <= deadline <= utcnow() + dt.timedelta(minutes=45)
    status = testapp.get(f"/api/attempts/{started['attempt_id']}/status",
                         headers=auth(student)).json
    assert status["effective_time_limit_minutes"] == 45 and status["attempts_allowed"] == 2
    # Two attempts allowed: after submitting the first, a second starts; a third does not.
    testapp.post(f"/api/attempts/{started['attempt_id']}/submit", headers=auth(student))
    second = testapp.post(f"/api/quizzes/{quiz.id}/start", headers=auth(student),
                          status=201).json
    testapp.post(f"/api/attempts/{second['attempt_id']}/submit", headers=auth(student))
    body = assert_error(testapp.post(f"/api/quizzes/{quiz.id}/start", headers=auth(student),
                                     expect_errors=True), 403)
    assert body["reason"] == "max_attempts_reached"


def test_an_own_window_lets_a_student_sit_a_make_up(testapp, teacher, school_class, student,
                                                    auth, dbsession):
    now = utcnow()
    closed = factories.QuizFactory(owner=teacher, questions=make_questions(teacher, 1),
                                   classes=[school_class], start_date=now - dt.timedelta(days=2),
                                   end_date=now - dt.timedelta(days=1))
    assert_error(testapp.post(f"/api/quizzes/{closed.id}/start", headers=auth(student),
                              expect_errors=True), 403)
    testapp.post_json(overrides_path(closed), {
        "student_id": student.id, "start_date": (now - dt.timedelta(hours=1)).isoformat() + "Z",
        "end_date": (now + dt.timedelta(hours=2)).isoformat() + "Z"}, headers=auth(teacher),
        status=201)
    listed = testapp.get("/api/quizzes", headers=auth(student)).json["items"]
    assert closed.id in [item["id"] for item in listed]
    started = testapp.post(f"/api/quizzes/{closed.id}/start", headers=auth(student),
                           status=201).json
    assert started["effective_end_date"].startswith(
        (now + dt.timedelta(hours=2)).isoformat()[:16])


def test_the_accommodation_is_set_on_the_student_profile(testapp, teacher, student, auth):
    body = testapp.put_json(f"/api/students/{student.id}", {"time_multiplier": 1.25},
                            headers=auth(teacher)).json
    assert body["time_multiplier"] == 1.25
    assert testapp.get(f"/api/students/{student.id}",
                       headers=auth(student)).json["time_multiplier"] == 1.25
    assert testapp.get("/api/auth/me", headers=auth(student)).json["time_multiplier"] == 1.25
    for bad in (0, 100, 0.5):
        assert_error(testapp.put_json(f"/api/students/{student.id}", {"time_multiplier": bad},
                                      headers=auth(teacher), expect_errors=True), 400)


def test_the_quiz_list_shows_each_quiz_with_the_student_own_limits(testapp, quiz, teacher,
                                                                   school_class, student,
                                                                   auth):
    plain = factories.QuizFactory(owner=teacher, questions=make_questions(teacher, 1),
                                  classes=[school_class], max_attempts=2, time_limit_minutes=20)
    testapp.post_json(overrides_path(quiz), {"student_id": student.id, "time_limit_minutes": 50,
                                             "extra_attempts": 2}, headers=auth(teacher))
    items = {item["id"]: item for item in
             testapp.get("/api/quizzes", headers=auth(student)).json["items"]}
    assert (items[quiz.id]["effective_time_limit_minutes"],
            items[quiz.id]["attempts_allowed"], items[quiz.id]["attempts_remaining"]) == (50, 3, 3)
    assert (items[plain.id]["effective_time_limit_minutes"],
            items[plain.id]["attempts_allowed"]) == (20, 2)
    assert "overrides" not in items[quiz.id]


@pytest.mark.parametrize("own, of_class, of_other_class", [
    (None, None, None),
    ({"time_limit_minutes": 50}, {"time_multiplier": D("2"), "extra_attempts": 2}, None),
    (None, {"time_multiplier": D("2"), "end_date": dt.datetime(2031, 1, 1)},
     {"time_limit_minutes": 200, "extra_attempts": 5}),
    ({"extra_attempts": 1}, None, {"time_limit_minutes": 200}),
])
def test_the_status_heartbeats_one_query_resolves_as_the_quiz_view_does(
        quiz, student, dbsession, own, of_class, of_other_class):
    """``attempt_limits`` (one joined statement) gives what ``limits_for`` gives from the
    loaded quiz and student, whatever overrides exist; another class's never counts."""
    from quizcore.domain.overrides import attempt_limits, limits_for
    from quizcore.models import Quiz, Student

    profile = dbsession.get(Student, student.id)
    profile.time_multiplier = D("1.25")
    other_class = factories.ClassFactory()
    for terms, target in ((own, {"student_id": student.id}),
                          (of_class, {"class_id": profile.class_id}),
                          (of_other_class, {"class_id": other_class.id})):
        if terms is not None:
            dbsession.add(QuizOverride(quiz_id=quiz.id, **target, **terms))
    attempt = factories.QuizAttemptFactory(quiz=quiz, student=student)
    dbsession.flush()
    row = attempt_limits(dbsession, attempt.id)
    assert (row.student_id, row.quiz_id) == (student.id, quiz.id)
    assert row.limits == limits_for(dbsession, dbsession.get(Quiz, quiz.id), profile)
    assert attempt_limits(dbsession, "no-such-attempt") is None
