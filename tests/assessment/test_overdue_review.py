"""Overdue handling and review timing through the lifecycle, the sweep and the API."""

import datetime as dt

import pytest
from sqlalchemy.orm import object_session

from quizcore.domain import attempts as lifecycle
from quizcore.domain.errors import Conflict
from quizcore.models import AttemptStatus, QuizAttempt, StudentAnswer, utcnow
from tests import factories
from tests.helpers import assert_error

from .conftest import quiz_questions

SECOND = dt.timedelta(seconds=1)


def grace_of(request):
    return request.registry.settings["quizcore.answer_grace_seconds"]


def started(request, quiz, student, **settings):
    for name, value in settings.items():
        setattr(quiz, name, value)
    object_session(quiz).flush()
    return lifecycle.start_attempt(request.dbsession, quiz.id, student).attempt


# -- the lifecycle and the sweep, at the edges -----------------------------------------------


def test_autosubmit_expires_one_second_after_deadline_and_network_grace(
        domain_request, quiz, student, grader):
    attempt = started(domain_request, quiz, student)
    end = attempt.deadline_at + dt.timedelta(seconds=grace_of(domain_request))
    session = domain_request.dbsession
    assert attempt.id not in lifecycle.expired_attempt_ids(session, now=end - SECOND,
                                                           grace_seconds=grace_of(
                                                               domain_request))
    assert attempt.id in lifecycle.expired_attempt_ids(session, now=end + SECOND,
                                                       grace_seconds=grace_of(domain_request))
    result = lifecycle.expire_attempt(session, attempt.id, now=end + SECOND)
    assert result.status == AttemptStatus.AUTO_SUBMITTED and result.score is not None


def test_graceperiod_refuses_saves_but_accepts_the_submit_until_the_grace_ends(
        domain_request, quiz, student, grader, dbsession):
    attempt = started(domain_request, quiz, student, overdue_handling="graceperiod",
                      grace_period_minutes=10)
    session, grace = domain_request.dbsession, grace_of(domain_request)
    mcq = quiz_questions(dbsession, quiz)[0]
    answers_close = attempt.deadline_at + dt.timedelta(seconds=grace)
    grace_end = answers_close + dt.timedelta(minutes=10)
    lifecycle.save_answer(session, attempt.id, student.id, mcq.id, answer_option=1,
                          now=answers_close - SECOND)
    with pytest.raises(Conflict) as refused:
        lifecycle.save_answer(session, attempt.id, student.id, mcq.id, answer_option=2,
                              now=answers_close + SECOND)
    assert refused.value.reason == "time_over"
    # The sweep leaves it alone for the grace period, then submits it.
    for now in (answers_close + SECOND, grace_end - SECOND, grace_end):
        assert attempt.id not in lifecycle.expired_attempt_ids(session, now=now,
                                                               grace_seconds=grace)
    assert attempt.id in lifecycle.expired_attempt_ids(session, now=grace_end + SECOND,
                                                       grace_seconds=grace)
    # The student's submit one second before the grace ends is theirs, graded.
    result = lifecycle.submit_attempt(session, attempt.id, now=grace_end - SECOND)
    assert result.status == AttemptStatus.GRADED
    assert result.submitted_at == grace_end - SECOND


def test_graceperiod_sweep_submits_at_the_grace_end(domain_request, quiz, student, grader):
    attempt = started(domain_request, quiz, student, overdue_handling="graceperiod",
                      grace_period_minutes=3)
    session, grace = domain_request.dbsession, grace_of(domain_request)
    grace_end = attempt.deadline_at + dt.timedelta(minutes=3, seconds=grace)
    assert lifecycle.expire_attempt(session, attempt.id, now=grace_end) is None
    result = lifecycle.expire_attempt(session, attempt.id, now=grace_end + SECOND)
    assert result.status == AttemptStatus.AUTO_SUBMITTED
    assert result.submitted_at == attempt.deadline_at


def test_notcounted_closes_ungraded_after_the_deadline(domain_request, quiz, student, grader,
                                                       dbsession):
    attempt = started(domain_request, quiz, student, overdue_handling="notcounted")
    session, grace = domain_request.dbsession, grace_of(domain_request)
    mcq = quiz_questions(dbsession, quiz)[0]
    lifecycle.save_answer(session, attempt.id, student.id, mcq.id, answer_option=1)
    end = attempt.deadline_at + dt.timedelta(seconds=grace)
    assert lifecycle.expire_attempt(session, attempt.id, now=end - SECOND) is None
    result = lifecycle.submit_attempt(session, attempt.id, now=end + SECOND)
    assert result.status == AttemptStatus.NOT_COUNTED
    assert (result.score, result.passed, result.submitted_at) == (None, None,
                                                                  attempt.deadline_at)
    assert attempt.id not in grader.calls
    dbsession.expire_all()
    assert all(a.is_final for a in dbsession.query(StudentAnswer).filter_by(
        attempt_id=attempt.id))


def test_notcounted_submit_before_the_deadline_counts(domain_request, quiz, student, grader):
    attempt = started(domain_request, quiz, student, overdue_handling="notcounted")
    result = lifecycle.submit_attempt(domain_request.dbsession, attempt.id,
                                      now=attempt.deadline_at - SECOND)
    assert result.status == AttemptStatus.GRADED


# -- the API ---------------------------------------------------------------------------------


def quiz_body(**extra):
    return {"title": "Overdue", "subject": "Maths", "time_limit_minutes": 30, **extra}


@pytest.mark.parametrize("body", [
    {"overdue_handling": "late"},
    {"overdue_handling": "autosubmit", "grace_period_minutes": 5},
    {"grace_period_minutes": 5},
    {"overdue_handling": "graceperiod"},
    {"overdue_handling": "graceperiod", "grace_period_minutes": -5},
    {"review": {"answers": "later"}},
    {"review": {"marks": "2026-02-30T10:00:00"}},
    {"review": {"grades": "never"}},
    {"review": "never"},
])
def test_bad_overdue_and_review_settings_are_400(testapp, teacher, auth, body, dbsession):
    before = dbsession.query(factories.models.Quiz).count()
    assert_error(testapp.post_json("/api/quizzes", quiz_body(**body), headers=auth(teacher),
                                   status=400), 400)
    assert dbsession.query(factories.models.Quiz).count() == before


def test_quiz_settings_round_trip_and_the_old_flags_map(testapp, teacher, auth):
    created = testapp.post_json("/api/quizzes", quiz_body(
        overdue_handling="graceperiod", grace_period_minutes=15,
        review={"correct_answers": "after_close", "feedback": "2030-01-01T08:00:00+01:00"}),
        headers=auth(teacher), status=201).json
    quiz = created.get("quiz", created)
    assert (quiz["overdue_handling"], quiz["grace_period_minutes"]) == ("graceperiod", 15)
    assert quiz["review"] == {"answers": "immediately", "marks": "immediately",
                              "correct_answers": "after_close",
                              "feedback": "2030-01-01T07:00:00"}
    assert quiz["show_answers_after_submission"] is True and quiz["allow_review"] is True
    path = f"/api/quizzes/{quiz['id']}"
    updated = testapp.put_json(path, {"overdue_handling": "notcounted"},
                               headers=auth(teacher)).json
    updated = updated.get("quiz", updated)
    assert (updated["overdue_handling"], updated["grace_period_minutes"]) == \
        ("notcounted", None)
    # An older client writes a flag: the flags decide again.
    flagged = testapp.put_json(path, {"allow_review": False}, headers=auth(teacher)).json
    flagged = flagged.get("quiz", flagged)
    assert flagged["review"] == dict.fromkeys(
        ("answers", "marks", "correct_answers", "feedback"), "never")


def test_an_early_finisher_does_not_see_the_key_while_a_classmate_sits(
        testapp, quiz, student, school_class, auth, dbsession, grader):
    now = utcnow()
    quiz.end_date = now + dt.timedelta(hours=1)
    quiz.review_settings = {"correct_answers": "after_close"}
    quiz.show_answers_after_submission = True
    dbsession.flush()
    classmate = factories.StudentFactory(school_class=school_class)
    mine = testapp.post(f"/api/quizzes/{quiz.id}/start", headers=auth(student),
                        status=201).json
    attempt_id = mine.get("attempt_id") or mine["attempt"]["id"]
    testapp.post(f"/api/quizzes/{quiz.id}/start", headers=auth(classmate), status=201)
    testapp.post_json(f"/api/attempts/{attempt_id}/submit", {}, headers=auth(student))
    view = testapp.get(f"/api/attempts/{attempt_id}", headers=auth(student)).json
    assert view["review"]["answers"] and view["review"]["marks"]
    assert not view["review"]["correct_answers"]
    assert all("correct_answer" not in entry for entry in view["answers"])
    # The quiz closes, the classmate is still sitting (an extension): still no key.
    quiz.end_date = now - dt.timedelta(minutes=1)
    classmate_attempt = dbsession.query(QuizAttempt).filter_by(student_id=classmate.id).one()
    classmate_attempt.deadline_at = now + dt.timedelta(minutes=10)
    dbsession.flush()
    view = testapp.get(f"/api/attempts/{attempt_id}", headers=auth(student)).json
    assert not view["review"]["correct_answers"]
    # The classmate submits: now the key shows.
    testapp.post_json(f"/api/attempts/{classmate_attempt.id}/submit", {},
                      headers=auth(classmate))
    view = testapp.get(f"/api/attempts/{attempt_id}", headers=auth(student)).json
    assert view["review"]["correct_answers"]
    assert any(entry.get("correct_answer") is not None for entry in view["answers"])


def test_a_not_counted_attempt_says_so(testapp, quiz, student, auth, dbsession, grader):
    quiz.overdue_handling = "notcounted"
    dbsession.flush()
    now = utcnow()
    attempt = factories.QuizAttemptFactory(quiz=quiz, student=student,
                                           started_at=now - dt.timedelta(hours=1),
                                           deadline_at=now - dt.timedelta(minutes=30))
    dbsession.flush()
    result = testapp.post_json(f"/api/attempts/{attempt.id}/submit", {},
                               headers=auth(student)).json
    assert (result["status"], result["attempt_status"], result["score"]) == \
        ("not_counted", "not_counted", None)
    view = testapp.get(f"/api/attempts/{attempt.id}", headers=auth(student)).json
    assert view["status"] == "not_counted" and view["counted"] is False
    listed = testapp.get("/api/attempts", headers=auth(student)).json
    items = listed.get("items") or listed.get("attempts") or listed.get("data")
    assert [(i["status"], i["counted"]) for i in items] == [("not_counted", False)]


def test_status_tells_the_exam_page_about_the_grace_period(testapp, quiz, student, auth,
                                                           dbsession, registry):
    quiz.overdue_handling, quiz.grace_period_minutes = "graceperiod", 10
    dbsession.flush()
    now = utcnow()
    attempt = factories.QuizAttemptFactory(quiz=quiz, student=student,
                                           started_at=now - dt.timedelta(hours=1),
                                           deadline_at=now - dt.timedelta(minutes=2))
    dbsession.flush()
    status = testapp.get(f"/api/attempts/{attempt.id}/status", headers=auth(student)).json
    grace = registry.settings["quizcore.answer_grace_seconds"]
    assert status["overdue_handling"] == "graceperiod" and status["in_grace_period"]
    assert status["accepts_answers"] is False and status["status"] == "in_progress"
    assert dt.datetime.fromisoformat(status["submit_until"].replace("Z", "")) == \
        attempt.deadline_at + dt.timedelta(minutes=10, seconds=grace)
    # The student's submit inside the grace is theirs.
    result = testapp.post_json(f"/api/attempts/{attempt.id}/submit", {},
                               headers=auth(student)).json
    assert result["attempt_status"] in ("submitted", "graded")
