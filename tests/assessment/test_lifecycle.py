"""The attempt lifecycle as plain domain functions: start/resume, saves, submit, expiry."""

import datetime as dt

import pytest
from pyramid.config import Configurator
from pyramid.exceptions import ConfigurationConflictError

from quizcore.domain import attempts as lifecycle
from quizcore.domain import shuffle
from quizcore.domain.errors import Conflict, Forbidden, Invalid, NotFound
from quizcore.domain.grading import GRADER_KEY, get_attempt_grader
from quizcore.models import AttemptStatus, QuizAttempt, StudentAnswer, utcnow
from tests import factories

from .conftest import quiz_questions


def answers_of(dbsession, attempt_id):
    dbsession.expire_all()
    return {a.question_id: a for a in dbsession.query(StudentAnswer).filter_by(
        attempt_id=attempt_id)}


def test_start_fixes_the_deadline_from_the_time_limit(domain_request, quiz, student):
    now = utcnow()
    result = lifecycle.start_attempt(domain_request.dbsession, quiz.id, student, now=now)
    assert not result.resumed
    assert result.attempt.attempt_number == 1
    assert result.attempt.deadline_at == now + dt.timedelta(minutes=quiz.time_limit_minutes)


def test_start_deadline_is_capped_by_the_quiz_end(domain_request, quiz, student, dbsession):
    now = utcnow()
    quiz.end_date = now + dt.timedelta(minutes=5)
    dbsession.flush()
    result = lifecycle.start_attempt(domain_request.dbsession, quiz.id, student, now=now)
    assert result.attempt.deadline_at == quiz.end_date


def test_starting_again_resumes_with_saved_answers(domain_request, quiz, student, dbsession):
    first = lifecycle.start_attempt(domain_request.dbsession, quiz.id, student)
    mcq = quiz_questions(dbsession, quiz)[0]
    lifecycle.save_answer(domain_request.dbsession, first.attempt.id, student.id, mcq.id,
                          answer_option=2)
    later = utcnow() + dt.timedelta(minutes=10)
    again = lifecycle.start_attempt(domain_request.dbsession, quiz.id, student, now=later)
    assert again.resumed and again.attempt.id == first.attempt.id
    assert [a.question_id for a in again.answers] == [mcq.id]
    assert again.attempt.deadline_at == first.attempt.deadline_at


def test_expired_attempt_is_submitted_on_start_then_a_new_one_begins(domain_request, quiz,
                                                                     student, no_grader):
    first = lifecycle.start_attempt(domain_request.dbsession, quiz.id, student)
    grace = domain_request.registry.settings["quizcore.answer_grace_seconds"]
    later = first.attempt.deadline_at + dt.timedelta(seconds=grace + 1)
    second = lifecycle.start_attempt(domain_request.dbsession, quiz.id, student, now=later)
    assert not second.resumed and second.attempt.attempt_number == 2
    assert [r.attempt_id for r in second.expired] == [first.attempt.id]
    assert second.expired[0].status == AttemptStatus.AUTO_SUBMITTED
    assert second.expired[0].submitted_at == first.attempt.deadline_at


def test_start_refusals(domain_request, teacher, school_class, student, other_student):
    questions = [factories.QuestionFactory(owner=teacher)]
    now = utcnow()
    draft = factories.QuizFactory(owner=teacher, questions=questions, classes=[school_class],
                                  status="draft")
    with pytest.raises(NotFound):
        lifecycle.start_attempt(domain_request.dbsession, draft.id, student)
    later = factories.QuizFactory(owner=teacher, questions=questions, classes=[school_class],
                                  start_date=now + dt.timedelta(hours=1))
    with pytest.raises(Forbidden) as refused:
        lifecycle.start_attempt(domain_request.dbsession, later.id, student)
    assert refused.value.reason == "not_started"
    ended = factories.QuizFactory(owner=teacher, questions=questions, classes=[school_class],
                                  end_date=now - dt.timedelta(minutes=1))
    with pytest.raises(Forbidden) as refused:
        lifecycle.start_attempt(domain_request.dbsession, ended.id, student)
    assert refused.value.reason == "ended"
    open_quiz = factories.QuizFactory(owner=teacher, questions=questions,
                                      classes=[school_class])
    with pytest.raises(NotFound):  # another class's quiz is invisible when asked for by id
        lifecycle.start_attempt(domain_request.dbsession, open_quiz.id, other_student)


def test_max_attempts_is_enforced(domain_request, quiz, student, no_grader):
    for _ in range(quiz.max_attempts):
        started = lifecycle.start_attempt(domain_request.dbsession, quiz.id, student)
        lifecycle.submit_attempt(domain_request.dbsession, started.attempt.id,
                                 student_id=student.id)
    with pytest.raises(Forbidden) as refused:
        lifecycle.start_attempt(domain_request.dbsession, quiz.id, student)
    assert refused.value.reason == "max_attempts_reached"


def test_saves_are_refused_after_submit_and_after_the_grace(domain_request, quiz, student,
                                                            dbsession, no_grader):
    started = lifecycle.start_attempt(domain_request.dbsession, quiz.id, student)
    mcq = quiz_questions(dbsession, quiz)[0]
    grace = domain_request.registry.settings["quizcore.answer_grace_seconds"]
    deadline = started.attempt.deadline_at
    lifecycle.save_answer(domain_request.dbsession, started.attempt.id, student.id, mcq.id,
                          answer_option=0, now=deadline + dt.timedelta(seconds=grace))
    with pytest.raises(Conflict) as late:
        lifecycle.save_answer(domain_request.dbsession, started.attempt.id, student.id, mcq.id,
                              answer_option=0,
                              now=deadline + dt.timedelta(seconds=grace + 1))
    assert late.value.reason == "time_over"
    lifecycle.submit_attempt(domain_request.dbsession, started.attempt.id,
                                     student_id=student.id)
    with pytest.raises(Conflict) as done:
        lifecycle.save_answer(domain_request.dbsession, started.attempt.id, student.id, mcq.id,
                              answer_option=1)
    assert done.value.reason == "submitted"


def test_an_older_save_never_overwrites_a_newer_one(domain_request, quiz, student, dbsession):
    started = lifecycle.start_attempt(domain_request.dbsession, quiz.id, student)
    short = quiz_questions(dbsession, quiz)[2]
    save = lambda text, seq: lifecycle.save_answer(  # noqa: E731
        domain_request.dbsession, started.attempt.id, student.id, short.id, answer_text=text,
        client_seq=seq)
    save("second", 2)
    save("first", 1)  # arrives late
    assert answers_of(dbsession, started.attempt.id)[short.id].answer_text == "second"
    save("third", 3)
    save("third", 3)  # a retry
    stored = answers_of(dbsession, started.attempt.id)[short.id]
    assert (stored.answer_text, stored.client_seq) == ("third", 3)
    save("unnumbered", None)  # a client without sequence numbers: last write wins
    stored = answers_of(dbsession, started.attempt.id)[short.id]
    assert (stored.answer_text, stored.client_seq) == ("unnumbered", 3)
    save("stale", 2)
    assert answers_of(dbsession, started.attempt.id)[short.id].answer_text == "unnumbered"


def test_answers_are_stored_with_the_original_option_index(domain_request, quiz, student,
                                                           dbsession):
    quiz.randomize_options = True
    dbsession.flush()
    started = lifecycle.start_attempt(domain_request.dbsession, quiz.id, student)
    mcq = quiz_questions(dbsession, quiz)[0]
    perm = shuffle.option_order(started.attempt.id, mcq.id, 4, "mcq", True)
    shown_correct = perm.index(mcq.correct_answer)
    lifecycle.save_answer(domain_request.dbsession, started.attempt.id, student.id, mcq.id,
                          answer_option=shown_correct)
    assert answers_of(dbsession, started.attempt.id)[mcq.id].answer_option == \
        mcq.correct_answer


def test_questions_of_other_quizzes_and_bad_shapes_are_refused(domain_request, quiz, student,
                                                               teacher, dbsession):
    started = lifecycle.start_attempt(domain_request.dbsession, quiz.id, student)
    foreign = factories.QuestionFactory(owner=teacher)
    with pytest.raises(Invalid) as refused:
        lifecycle.save_answer(domain_request.dbsession, started.attempt.id, student.id, foreign.id,
                              answer_option=0)
    assert refused.value.field == "question_id"
    mcq, true_false, short, _ = quiz_questions(dbsession, quiz)
    with pytest.raises(Invalid):
        lifecycle.save_answer(domain_request.dbsession, started.attempt.id, student.id, mcq.id,
                              answer_option=4)
    with pytest.raises(Invalid):
        lifecycle.save_answer(domain_request.dbsession, started.attempt.id, student.id,
                              true_false.id, answer_option=2)
    with pytest.raises(Invalid):
        lifecycle.save_answer(domain_request.dbsession, started.attempt.id, student.id, short.id,
                              answer_option=0)
    assert answers_of(dbsession, started.attempt.id) == {}


def test_another_students_attempt_is_not_found(domain_request, quiz, student, dbsession):
    started = lifecycle.start_attempt(domain_request.dbsession, quiz.id, student)
    intruder = factories.StudentFactory(school_class=None)
    mcq = quiz_questions(dbsession, quiz)[0]
    with pytest.raises(NotFound):
        lifecycle.save_answer(domain_request.dbsession, started.attempt.id, intruder.id, mcq.id,
                              answer_option=0)
    with pytest.raises(NotFound):
        lifecycle.submit_attempt(domain_request.dbsession, started.attempt.id,
                                 student_id=intruder.id)


def test_second_submit_returns_first_result_and_grades_once(domain_request, quiz, student,
                                                            dbsession, grader):
    started = lifecycle.start_attempt(domain_request.dbsession, quiz.id, student)
    mcq = quiz_questions(dbsession, quiz)[0]
    lifecycle.save_answer(domain_request.dbsession, started.attempt.id, student.id, mcq.id,
                          answer_option=mcq.correct_answer)
    first = lifecycle.submit_attempt(domain_request.dbsession, started.attempt.id,
                                     student_id=student.id)
    second = lifecycle.submit_attempt(domain_request.dbsession, started.attempt.id,
                                      student_id=student.id)
    assert grader.calls == [started.attempt.id]
    assert not first.already_submitted and second.already_submitted
    assert (second.score, second.status, second.submitted_at) == \
        (first.score, first.status, first.submitted_at)
    assert first.score == 2 and first.total_marks == 8


def test_grader_sees_answers_questions_and_marks_overrides(domain_request, teacher,
                                                           school_class, student, dbsession,
                                                           registry, no_grader):
    # no_grader: puts back the application's own grader (a plugin's) afterwards.
    questions = [factories.QuestionFactory(owner=teacher, marks=1) for _ in range(2)]
    quiz = factories.QuizFactory(owner=teacher, questions=questions, classes=[school_class])
    link = dbsession.query(factories.models.QuizQuestion).filter_by(
        quiz_id=quiz.id, question_id=questions[1].id).one()
    link.marks_override = 5
    dbsession.flush()
    seen = {}

    def grader(context):
        seen["marks"] = [item.marks for item in context.questions]
        seen["answers"] = {qid: a.answer_option for qid, a in context.answers.items()}
        seen["locked_status"] = context.attempt.status
        return None

    registry[GRADER_KEY] = grader
    try:
        started = lifecycle.start_attempt(domain_request.dbsession, quiz.id, student)
        lifecycle.save_answer(domain_request.dbsession, started.attempt.id, student.id,
                              questions[1].id, answer_option=3)
        result = lifecycle.submit_attempt(domain_request.dbsession, started.attempt.id)
    finally:
        registry.pop(GRADER_KEY)
    assert seen == {"marks": [1, 5], "answers": {questions[1].id: 3},
                    "locked_status": AttemptStatus.IN_PROGRESS}
    assert result.status == AttemptStatus.SUBMITTED and result.pending
    assert result.total_marks == 6


def test_without_a_grader_attempts_end_submitted_without_score(domain_request, quiz, student,
                                                               no_grader):
    assert get_attempt_grader(domain_request.registry) is None
    started = lifecycle.start_attempt(domain_request.dbsession, quiz.id, student)
    result = lifecycle.submit_attempt(domain_request.dbsession, started.attempt.id)
    assert result.status == AttemptStatus.SUBMITTED
    assert result.score is None and result.passed is None and result.pending


def test_a_failing_grader_leaves_the_attempt_submitted(domain_request, quiz, student,
                                                       dbsession, registry, caplog, no_grader):
    def broken(context):
        for answer in context.answers.values():
            answer.marks_awarded = 99
        context.session.flush()
        raise RuntimeError("grading bug")

    registry[GRADER_KEY] = broken
    try:
        started = lifecycle.start_attempt(domain_request.dbsession, quiz.id, student)
        mcq = quiz_questions(dbsession, quiz)[0]
        lifecycle.save_answer(domain_request.dbsession, started.attempt.id, student.id, mcq.id,
                              answer_option=1)
        result = lifecycle.submit_attempt(domain_request.dbsession, started.attempt.id)
    finally:
        registry.pop(GRADER_KEY)
    assert result.status == AttemptStatus.SUBMITTED and result.score is None
    assert answers_of(dbsession, started.attempt.id)[mcq.id].marks_awarded is None
    assert "grading bug" in caplog.text


def test_violations_auto_submit_grades_through_the_hook(domain_request, quiz, student, grader,
                                                        dbsession):
    started = lifecycle.start_attempt(domain_request.dbsession, quiz.id, student)
    result = lifecycle.auto_submit_attempt(domain_request.dbsession, started.attempt,
                                           reason="violations")
    assert result.status == AttemptStatus.AUTO_SUBMITTED
    assert result.auto_submitted_due_to_violations
    assert grader.calls == [started.attempt.id]
    again = lifecycle.auto_submit_attempt(domain_request.dbsession, started.attempt.id,
                                          reason="violations")
    assert again.already_submitted and grader.calls == [started.attempt.id]
    with pytest.raises(ValueError):
        lifecycle.auto_submit_attempt(domain_request.dbsession, started.attempt.id,
                                      reason="student")


def test_late_student_submit_becomes_a_deadline_submission(domain_request, quiz, student,
                                                           no_grader):
    started = lifecycle.start_attempt(domain_request.dbsession, quiz.id, student)
    deadline = started.attempt.deadline_at
    result = lifecycle.submit_attempt(domain_request.dbsession, started.attempt.id,
                                      now=deadline + dt.timedelta(hours=2))
    assert result.status == AttemptStatus.AUTO_SUBMITTED
    assert result.submitted_at == deadline


def test_submit_within_the_grace_is_the_students_own(domain_request, quiz, student, no_grader):
    started = lifecycle.start_attempt(domain_request.dbsession, quiz.id, student)
    moment = started.attempt.deadline_at + dt.timedelta(seconds=5)
    result = lifecycle.submit_attempt(domain_request.dbsession, started.attempt.id, now=moment)
    assert result.status == AttemptStatus.SUBMITTED and result.submitted_at == moment


def test_expired_ids_respect_the_grace(domain_request, quiz, student, dbsession):
    now = utcnow()
    grace = 30
    due = factories.QuizAttemptFactory(quiz=quiz, student=student,
                                       started_at=now - dt.timedelta(hours=1),
                                       deadline_at=now - dt.timedelta(seconds=grace + 5))
    other = factories.StudentFactory(school_class=None)
    in_grace = factories.QuizAttemptFactory(quiz=quiz, student=other,
                                            started_at=now - dt.timedelta(hours=1),
                                            deadline_at=now - dt.timedelta(seconds=grace - 5))
    ids = lifecycle.expired_attempt_ids(domain_request.dbsession, now=now, grace_seconds=grace)
    assert due.id in ids and in_grace.id not in ids


def test_two_graders_are_a_configuration_conflict():
    config = Configurator()
    config.include("quizcore.domain.grading")
    config.set_attempt_grader(lambda context: None)
    config.set_attempt_grader(lambda context: None)
    with pytest.raises(ConfigurationConflictError):
        config.commit()


def test_attempt_rows_are_created_in_progress(domain_request, quiz, student, dbsession):
    started = lifecycle.start_attempt(domain_request.dbsession, quiz.id, student,
                                      client_addr="203.0.113.9", user_agent="x" * 5000)
    dbsession.expire_all()
    stored = dbsession.get(QuizAttempt, started.attempt.id)
    assert stored.status == AttemptStatus.IN_PROGRESS
    assert stored.ip_address == "203.0.113.9" and len(stored.user_agent) == 1000


def test_a_code_taken_at_the_same_instant_is_drawn_again(domain_request, teacher, monkeypatch):
    from quizcore.domain import access_codes
    from quizcore.domain import quizzes as rules

    settings = {"title": "Race", "subject": "Maths", "time_limit_minutes": 10}
    first = rules.create_quiz(domain_request.dbsession, owner_id=teacher.id, settings=settings,
                              questions=[], class_ids=[], access_code="RACE42",
                              restrict_to_owner=True)
    draws = iter(["RACE42", "WON789"])
    monkeypatch.setattr(access_codes, "generate", lambda length=6: next(draws))
    # The free-code check passed before the other quiz committed: the unique key catches it.
    monkeypatch.setattr(rules, "code_taken", lambda session, code, except_quiz_id=None: False)
    second = rules.create_quiz(domain_request.dbsession, owner_id=teacher.id,
                               settings=settings, questions=[], class_ids=[],
                               access_code=None, restrict_to_owner=True)
    assert (first.access_code, second.access_code) == ("RACE42", "WON789")
    with pytest.raises(Conflict):
        rules.create_quiz(domain_request.dbsession, owner_id=teacher.id, settings=settings,
                          questions=[], class_ids=[], access_code="race42",
                          restrict_to_owner=True)
