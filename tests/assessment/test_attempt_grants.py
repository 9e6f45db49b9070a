"""Granting more attempts (``quizcore.domain.overrides`` / ``exam_control.grant_attempts``,
``POST /api/quizzes/{id}/grant-attempts``): the pure rule, the domain on MariaDB, the REST
endpoint, and reopen carrying a class's extra attempts over."""

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from quizcore.domain import exam_control, overrides
from quizcore.domain.errors import Conflict, Invalid, NotFound
from quizcore.domain.overrides import (
    QuizLimits,
    Terms,
    extra_attempts_of,
    raised_extra_attempts,
    resolve,
)
from quizcore.domain.quizzes import MAX_ATTEMPTS
from quizcore.models import QuizOverride, Student
from tests import factories
from tests.helpers import assert_error

from .conftest import make_questions

QUIZ = QuizLimits(time_limit_minutes=60, max_attempts=2)


# -- the pure rule ---------------------------------------------------------------------------


def test_the_extra_attempts_of_a_student_are_their_own_else_their_classes_most():
    assert extra_attempts_of(None) == 0
    assert extra_attempts_of(None, [Terms(extra_attempts=1), Terms(extra_attempts=3),
                                    Terms(time_limit_minutes=5)]) == 3
    # Their own value wins, even a smaller one; their own override without one falls back.
    assert extra_attempts_of(Terms(extra_attempts=0), [Terms(extra_attempts=3)]) == 0
    assert extra_attempts_of(Terms(time_limit_minutes=90), [Terms(extra_attempts=3)]) == 3


@pytest.mark.parametrize("own, classes", [
    (None, []),
    (None, [Terms(extra_attempts=2, time_limit_minutes=90)]),
    (Terms(time_multiplier=Decimal("1.5")), [Terms(extra_attempts=4)]),
    (Terms(extra_attempts=1, end_date=dt.datetime(2030, 1, 2)), [Terms(extra_attempts=5)]),
])
def test_a_grant_raises_only_the_attempts_and_by_exactly_n(own, classes):
    """The student's own override after a grant: their extra attempts now + N, nothing else
    set anew. Every other limit resolves as before; the attempts grow by N."""
    before = resolve(QUIZ, accommodation=Decimal("1.25"), student=own, classes=classes)
    granted = raised_extra_attempts(extra_attempts_of(own, classes), 3)
    own_after = Terms(**{**(own.__dict__ if own else {}), "extra_attempts": granted})
    after = resolve(QUIZ, accommodation=Decimal("1.25"), student=own_after, classes=classes)
    assert after.attempts_allowed == before.attempts_allowed + 3
    assert (after.time_limit_minutes, after.start_date, after.end_date, after.own_window) == (
        before.time_limit_minutes, before.start_date, before.end_date, before.own_window)


def test_a_grant_past_the_most_extra_attempts_is_refused():
    assert raised_extra_attempts(MAX_ATTEMPTS - 2, 2) == MAX_ATTEMPTS
    with pytest.raises(Invalid) as refused:
        raised_extra_attempts(MAX_ATTEMPTS - 1, 2)
    assert refused.value.field == "additional_attempts"


@pytest.mark.parametrize("value", [0, -1, MAX_ATTEMPTS + 1, True, "2", 1.5, None])
def test_the_number_granted_is_a_whole_number_from_1_to_the_most(value):
    with pytest.raises(Invalid):
        overrides.clean_additional_attempts(value)


# -- the domain ------------------------------------------------------------------------------


@pytest.fixture
def quiz(dbsession, teacher, school_class):
    return factories.QuizFactory(owner=teacher, questions=make_questions(teacher, 2),
                                 classes=[school_class], max_attempts=1)


def allowed(dbsession, quiz, student_user) -> int:
    dbsession.expire_all()
    return overrides.limits_for(dbsession, quiz, dbsession.get(Student, student_user.id)) \
        .attempts_allowed


def rows(dbsession) -> list[tuple]:
    dbsession.expire_all()
    return sorted((r.student_id or "", r.class_id or "", r.extra_attempts, r.time_limit_minutes)
                  for r in dbsession.scalars(sa.select(QuizOverride)))


@pytest.fixture
def session(domain_request):
    """The session of a non-HTTP request (domain events need its registry), on the test's
    connection."""
    return domain_request.dbsession


def grant(session, quiz, actor, student=None, n=2, reason="Power cut"):
    return exam_control.grant_attempts(session, quiz.id, actor, additional_attempts=n,
                                       reason=reason,
                                       student_id=student.id if student else None)


def test_a_grant_to_one_student_carries_their_class_extra_attempts_over(
        session, quiz, teacher, student, school_class):
    session.add(QuizOverride(quiz_id=quiz.id, class_id=school_class.id, extra_attempts=3,
                               time_limit_minutes=45))
    session.flush()
    assert allowed(session, quiz, student) == 4
    done = grant(session, quiz, teacher, student)
    assert done.attempts_allowed == {student.id: 6} and done.attempts_used == 0
    assert allowed(session, quiz, student) == 6
    own = session.get(QuizOverride, done.override_id)
    # Only the attempts are the student's own: the class's time still applies to them.
    assert (own.student_id, own.extra_attempts, own.time_limit_minutes) == (student.id, 5, None)
    limits = overrides.limits_for(session, quiz, session.get(Student, student.id))
    assert limits.time_limit_minutes == 45


def test_a_second_grant_adds_to_the_first(session, quiz, teacher, student):
    grant(session, quiz, teacher, student, n=1)
    grant(session, quiz, teacher, student, n=2)
    assert allowed(session, quiz, student) == 4
    assert [r[2] for r in rows(session)] == [3]


def test_a_grant_to_the_whole_quiz_raises_the_class_and_the_students_own_values(
        session, quiz, teacher, student, school_class):
    timed = factories.StudentFactory(school_class=school_class)
    limited = factories.StudentFactory(school_class=school_class)
    session.add_all([
        QuizOverride(quiz_id=quiz.id, student_id=timed.id, time_limit_minutes=90),
        QuizOverride(quiz_id=quiz.id, student_id=limited.id, extra_attempts=0),
    ])
    session.flush()
    done = grant(session, quiz, teacher, n=2)
    assert done.class_ids == (school_class.id,) and done.student is None
    assert done.attempts_allowed == {student.id: 3, timed.id: 3, limited.id: 3}
    for user in (student, timed, limited):
        assert allowed(session, quiz, user) == done.attempts_allowed[user.id]
    # The class got an override; the student's own attempts value was raised; no student
    # override was created.
    assert rows(session) == sorted([("", school_class.id, 2, None),
                                      (timed.id, "", None, 90), (limited.id, "", 2, None)])
    again = grant(session, quiz, teacher, n=1)
    assert set(again.attempts_allowed.values()) == {4}


def test_a_grant_that_would_pass_the_most_changes_nothing(session, quiz, teacher, student,
                                                          school_class):
    other = factories.StudentFactory(school_class=school_class)
    session.add(QuizOverride(quiz_id=quiz.id, student_id=other.id,
                               extra_attempts=MAX_ATTEMPTS - 1))
    session.flush()
    before = rows(session)
    with pytest.raises(Invalid):
        grant(session, quiz, teacher, n=2)  # the class could, this student cannot
    assert rows(session) == before


def test_grants_are_refused_for_strangers_and_bad_targets(session, quiz, teacher,
                                                          other_teacher, other_student):
    with pytest.raises(NotFound):
        grant(session, quiz, other_teacher)
    with pytest.raises(Invalid) as refused:
        grant(session, quiz, teacher, other_student)  # not in the quiz's classes
    assert refused.value.field == "student_id"
    with pytest.raises(Invalid):
        exam_control.grant_attempts(session, quiz.id, teacher, additional_attempts=1,
                                    reason="x", student_id="no-such-student")
    with pytest.raises(Invalid) as blank:
        grant(session, quiz, teacher, reason="   ")
    assert blank.value.field == "reason"
    classless = factories.QuizFactory(owner=teacher, questions=make_questions(teacher, 1))
    with pytest.raises(Conflict):
        grant(session, classless, teacher)
    assert rows(session) == []


# -- REST ------------------------------------------------------------------------------------


def path(quiz):
    return f"/api/quizzes/{quiz.id}/grant-attempts"


def test_the_student_granted_attempts_starts_another_one(testapp, quiz, teacher, student,
                                                         auth, grader):
    first = testapp.post(f"/api/quizzes/{quiz.id}/start", headers=auth(student), status=201)
    testapp.post(f"/api/attempts/{first.json['attempt_id']}/submit", headers=auth(student))
    assert_error(testapp.post(f"/api/quizzes/{quiz.id}/start", headers=auth(student),
                              expect_errors=True), 403)
    body = testapp.post_json(path(quiz), {"student_id": student.id, "additional_attempts": 2,
                                          "reason": "Browser crashed"},
                             headers=auth(teacher)).json
    assert (body["attempts_allowed"], body["attempts_used"], body["students"]) == (3, 1, 1)
    assert body["student_name"] == student.name and body["reason"] == "Browser crashed"
    assert body["override_id"] and body["message"]
    second = testapp.post(f"/api/quizzes/{quiz.id}/start", headers=auth(student),
                          status=201).json
    assert second["attempt_number"] == 2 and second["attempts_allowed"] == 3


def test_the_whole_quiz_grant_over_rest(testapp, quiz, teacher, student, school_class, auth):
    body = testapp.post_json(path(quiz), {"additional_attempts": 1, "reason": "Fire drill"},
                             headers=auth(teacher)).json
    assert body["class_ids"] == [school_class.id] and body["students"] == 1
    assert "student_id" not in body and body["quiz_title"] == quiz.title
    view = testapp.get(f"/api/quizzes/{quiz.id}", headers=auth(student)).json
    assert view["attempts_allowed"] == 2


@pytest.mark.parametrize("body", [
    {"additional_attempts": 0, "reason": "x"},
    {"additional_attempts": -2, "reason": "x"},
    {"additional_attempts": MAX_ATTEMPTS + 1, "reason": "x"},
    {"additional_attempts": 1.5, "reason": "x"},
    {"additional_attempts": None, "reason": "x"},
    {"additional_attempts": 1},
    {"additional_attempts": 1, "reason": ""},
    {"additional_attempts": 1, "reason": "x", "student_id": "nobody"},
])
def test_bad_grants_are_400_and_change_nothing(testapp, quiz, teacher, auth, dbsession, body):
    assert_error(testapp.post_json(path(quiz), body, headers=auth(teacher),
                                   expect_errors=True), 400)
    assert rows(dbsession) == []


def test_only_the_owner_grants(testapp, quiz, other_teacher, student, auth, dbsession):
    body = {"additional_attempts": 1, "reason": "x"}
    assert_error(testapp.post_json(path(quiz), body, headers=auth(other_teacher),
                                   expect_errors=True), 404)
    assert_error(testapp.post_json(path(quiz), body, headers=auth(student),
                                   expect_errors=True), 403)
    assert rows(dbsession) == []


def test_reopen_carries_the_class_extra_attempts_over(testapp, quiz, teacher, student,
                                                      school_class, auth, dbsession, grader):
    """The student's own override beats their class's: reopening gives them one more than
    the class gave them, not one more than the quiz's."""
    dbsession.add(QuizOverride(quiz_id=quiz.id, class_id=school_class.id, extra_attempts=2))
    dbsession.flush()
    attempt = testapp.post(f"/api/quizzes/{quiz.id}/start", headers=auth(student)).json
    testapp.post(f"/api/attempts/{attempt['attempt_id']}/submit", headers=auth(student))
    body = testapp.post(f"/api/attempts/{attempt['attempt_id']}/reopen",
                        headers=auth(teacher)).json
    assert body["attempts_allowed"] == 4
