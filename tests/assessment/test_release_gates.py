"""Released start and access gates over HTTP: students wait, one release starts every clock,
the quiz password and the allowed networks are checked at start (quizcore.domain.gates)."""

import datetime as dt
import json

import pytest

from quizcore.domain.gates import hash_quiz_password
from quizcore.models import Quiz, QuizAttempt, QuizWaiting
from quizcore.wire import stream_key
from tests import factories
from tests.helpers import assert_error

from .conftest import make_questions


@pytest.fixture
def released_quiz(dbsession, teacher, school_class):
    """A published quiz that starts by teacher release (its window would already be open)."""
    return factories.QuizFactory(owner=teacher, questions=make_questions(teacher, 2),
                                 classes=[school_class], time_limit_minutes=30,
                                 start_mode="teacher_release",
                                 start_date=dt.datetime(2020, 1, 1))


def when(text):
    return dt.datetime.fromisoformat(text.rstrip("Z"))


def stream(redis, quiz, kind):
    return [json.loads(fields["data"]) for _, fields in redis.xrange(stream_key(quiz.id))
            if fields["type"] == kind]


def start_path(quiz):
    return f"/api/quizzes/{quiz.id}/start"


def test_students_wait_until_the_teacher_releases_then_share_one_clock(
        testapp, released_quiz, teacher, student, auth, dbsession, redis, school_class):
    quiz = released_quiz
    state = testapp.get(f"/api/quizzes/{quiz.id}/release-state", headers=auth(student))
    assert state.headers["Cache-Control"] == "no-store"
    assert state.json["released"] is False and state.json["released_at"] is None
    assert state.json["start_mode"] == "teacher_release"

    for _ in range(2):  # asking twice is one waiting student, announced once
        body = assert_error(testapp.post(start_path(quiz), headers=auth(student),
                                         expect_errors=True), 409)
        assert body["reason"] == "waiting_for_release"
    assert dbsession.query(QuizAttempt).filter_by(quiz_id=quiz.id).count() == 0
    assert [w["student_id"] for w in stream(redis, quiz, "student_waiting")] == [student.id]
    monitor = testapp.get(f"/api/quizzes/{quiz.id}/monitor", headers=auth(teacher)).json
    assert monitor["start_mode"] == "teacher_release" and monitor["waiting_for_release"] == 1
    entry = next(s for s in monitor["students"] if s["id"] == student.id)
    assert entry["status"] == "waiting" and entry["waiting_since"]
    seen = testapp.get(f"/api/quizzes/{quiz.id}", headers=auth(student)).json
    assert seen["start_mode"] == "teacher_release" and seen["released_at"] is None

    released = testapp.post(f"/api/quizzes/{quiz.id}/release", headers=auth(teacher)).json
    assert released["already_released"] is False and released["waiting"] == 1
    release_at = when(released["released_at"])
    assert [m["released_at"] for m in stream(redis, quiz, "quiz_released")] == \
        [released["released_at"]]
    again = testapp.post(f"/api/quizzes/{quiz.id}/release", headers=auth(teacher)).json
    assert again["already_released"] is True and again["released_at"] == released["released_at"]
    assert len(stream(redis, quiz, "quiz_released")) == 1

    state = testapp.get(f"/api/quizzes/{quiz.id}/release-state", headers=auth(student)).json
    assert state["released"] is True and state["released_at"] == released["released_at"]
    started = testapp.post(start_path(quiz), headers=auth(student), status=201).json
    assert when(started["deadline_at"]) == release_at + dt.timedelta(minutes=30)

    # An accommodated classmate arriving later: the same clock, their own limit.
    other = factories.StudentFactory(school_class=school_class)
    other.student.time_multiplier = 1.5
    dbsession.flush()
    late = testapp.post(start_path(quiz), headers=auth(other), status=201).json
    assert when(late["deadline_at"]) == release_at + dt.timedelta(minutes=45)


def test_a_late_arrival_after_the_sitting_is_refused(testapp, released_quiz, student, auth,
                                                     dbsession):
    released_quiz.released_at = dt.datetime.now(dt.UTC).replace(tzinfo=None) - \
        dt.timedelta(minutes=31)
    dbsession.flush()
    body = assert_error(testapp.post(start_path(released_quiz), headers=auth(student),
                                     expect_errors=True), 403)
    assert body["reason"] == "release_over"


def test_a_make_up_override_starts_by_its_own_window(testapp, released_quiz, teacher, student,
                                                     auth):
    start_date = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)).isoformat()
    testapp.post_json(f"/api/quizzes/{released_quiz.id}/overrides",
                      {"student_id": student.id, "start_date": start_date},
                      headers=auth(teacher), status=201)
    testapp.post(start_path(released_quiz), headers=auth(student), status=201)


def test_who_may_release(testapp, released_quiz, student, auth, other_teacher, admin, teacher,
                         dbsession):
    path = f"/api/quizzes/{released_quiz.id}/release"
    assert_error(testapp.post(path, headers=auth(student), expect_errors=True), 403)
    assert_error(testapp.post(path, headers=auth(other_teacher), expect_errors=True), 404)
    assert_error(testapp.get(f"/api/quizzes/{released_quiz.id}/release-state",
                             headers=auth(other_teacher), expect_errors=True), 404)
    dbsession.expire_all()
    assert dbsession.get(Quiz, released_quiz.id).released_at is None
    testapp.post(path, headers=auth(admin), status=200)


def test_release_is_refused_for_a_window_quiz_and_a_draft(testapp, teacher, school_class, auth,
                                                          dbsession):
    window = factories.QuizFactory(owner=teacher, questions=make_questions(teacher, 1),
                                   classes=[school_class])
    body = assert_error(testapp.post(f"/api/quizzes/{window.id}/release",
                                     headers=auth(teacher), expect_errors=True), 409)
    assert body["reason"] == "not_teacher_release"
    draft = factories.QuizFactory(owner=teacher, questions=make_questions(teacher, 1),
                                  classes=[school_class], status="draft",
                                  start_mode="teacher_release")
    body = assert_error(testapp.post(f"/api/quizzes/{draft.id}/release",
                                     headers=auth(teacher), expect_errors=True), 409)
    assert body["reason"] == "not_published"
    dbsession.expire_all()
    assert dbsession.get(Quiz, draft.id).released_at is None


def test_release_state_of_a_quiz_of_another_class_is_404(testapp, released_quiz, auth,
                                                         dbsession):
    stranger = factories.StudentFactory(school_class=factories.ClassFactory())
    assert_error(testapp.get(f"/api/quizzes/{released_quiz.id}/release-state",
                             headers=auth(stranger), expect_errors=True), 404)
    assert dbsession.query(QuizWaiting).count() == 0


def quiz_body(school_class, **extra):
    return {"title": "Gated", "subject": "Physics", "time_limit_minutes": 20,
            "class_ids": [school_class.id], **extra}


def test_the_quiz_password_is_write_only_and_checked_at_start(
        testapp, teacher, student, school_class, auth, dbsession):
    created = testapp.post_json("/api/quizzes", quiz_body(
        school_class, password="kepler", question_ids=[q.id for q in make_questions(teacher, 1)]),
        headers=auth(teacher), status=201).json
    assert created["has_password"] is True and "password" not in created
    assert "kepler" not in json.dumps(created)
    testapp.post(f"/api/quizzes/{created['id']}/publish", headers=auth(teacher))
    seen = testapp.get(f"/api/quizzes/{created['id']}", headers=auth(student)).json
    assert seen["has_password"] is True

    path = f"/api/quizzes/{created['id']}/start"
    for body in ({}, {"password": "galileo"}, {"password": 7}):
        refused = assert_error(testapp.post_json(path, body, headers=auth(student),
                                                 expect_errors=True), 403)
        assert refused["reason"] == "quiz_password"
    assert dbsession.query(QuizAttempt).filter_by(quiz_id=created["id"]).count() == 0
    testapp.post_json(path, {"password": "kepler"}, headers=auth(student), status=201)
    # Resuming needs no password again.
    testapp.post(path, headers=auth(student), status=200)

    updated = testapp.put_json(f"/api/quizzes/{created['id']}", {"password": ""},
                               headers=auth(teacher)).json
    assert updated["has_password"] is False


def test_wrong_quiz_passwords_are_rate_limited(app_with, teacher, student, school_class, auth,
                                               redis, dbsession):
    client = app_with(**{"quizcore.ratelimit_quiz_password_per_student": "2/minute"})
    quiz = factories.QuizFactory(owner=teacher, questions=make_questions(teacher, 1),
                                 classes=[school_class])
    quiz.password_hash = hash_quiz_password("right", rounds=4)
    dbsession.flush()
    path = start_path(quiz)
    for _ in range(2):
        client.post_json(path, {"password": "wrong"}, headers=auth(student), status=403)
    limited = assert_error(client.post_json(path, {"password": "right"}, headers=auth(student),
                                            expect_errors=True), 429)
    assert int(limited["retry_after"]) >= 1


def test_starts_outside_the_allowed_networks_are_refused(testapp, teacher, student,
                                                         school_class, auth, dbsession):
    quiz = factories.QuizFactory(owner=teacher, questions=make_questions(teacher, 1),
                                 classes=[school_class], allowed_networks=["10.1.0.0/16"])
    path = start_path(quiz)
    # A forged X-Forwarded-For counts for nothing: only the (proxy-set) remote address does.
    headers = {**auth(student), "X-Forwarded-For": "10.1.2.3"}
    body = assert_error(testapp.post(path, headers=headers, expect_errors=True), 403)
    assert body["reason"] == "network"
    assert dbsession.query(QuizAttempt).filter_by(quiz_id=quiz.id).count() == 0
    started = testapp.post(path, headers=auth(student), status=201,
                           extra_environ={"REMOTE_ADDR": "10.1.2.3"}).json
    # Resuming from outside is refused too.
    assert_error(testapp.post(path, headers=auth(student), expect_errors=True), 403)
    assert dbsession.get(QuizAttempt, started["attempt_id"]).ip_address == "10.1.2.3"


def test_networks_are_set_normalised_and_cleared(testapp, teacher, school_class, auth):
    created = testapp.post_json("/api/quizzes", quiz_body(
        school_class, allowed_networks=["10.1.2.7/24", "192.168.0.9"],
        start_mode="teacher_release"), headers=auth(teacher), status=201).json
    assert created["allowed_networks"] == ["10.1.2.0/24", "192.168.0.9/32"]
    assert created["start_mode"] == "teacher_release" and created["has_password"] is False
    path = f"/api/quizzes/{created['id']}"
    for bad in ({"allowed_networks": ["school"]}, {"allowed_networks": "10.0.0.0/8"},
                {"start_mode": "whenever"}, {"allowed_networks": [3]}):
        assert_error(testapp.put_json(path, bad, headers=auth(teacher), expect_errors=True), 400)
    unchanged = testapp.get(path, headers=auth(teacher)).json
    assert unchanged["allowed_networks"] == ["10.1.2.0/24", "192.168.0.9/32"]
    assert unchanged["start_mode"] == "teacher_release"
    cleared = testapp.put_json(path, {"allowed_networks": None}, headers=auth(teacher)).json
    assert cleared["allowed_networks"] == []


def test_the_start_mode_is_frozen_once_students_started(testapp, teacher, student, school_class,
                                                        auth, grader):
    quiz = factories.QuizFactory(owner=teacher, questions=make_questions(teacher, 1),
                                 classes=[school_class])
    testapp.post(start_path(quiz), headers=auth(student), status=201)
    body = assert_error(testapp.put_json(f"/api/quizzes/{quiz.id}",
                                         {"start_mode": "teacher_release"},
                                         headers=auth(teacher), expect_errors=True), 409)
    assert body["reason"] == "quiz_has_attempts"
