"""Regrading a quiz after an answer-key correction."""

from decimal import Decimal

import pytest

from quizcore.domain.grading import GRADER_KEY
from quizcore.events import AttemptGraded
from quizcore.models import AttemptStatus, QuizAttempt, StudentAnswer, User
from tests import factories
from tests.helpers import assert_error
from tests.plugins.exam import save, start, submit

pytestmark = pytest.mark.plugin("quiz_plugins.grading")


@pytest.fixture
def wrong_key(dbsession, teacher):
    """An mcq whose key says option 1 when the right answer is option 2."""
    return factories.QuestionFactory(owner=teacher, marks=2, correct_answer=1)


@pytest.fixture
def exam(dbsession, teacher, school_class, wrong_key, essay):
    return factories.QuizFactory(owner=teacher, classes=[school_class], questions=[wrong_key,
                                                                                  essay],
                                 passing_percentage=60, max_attempts=3)


@pytest.fixture
def sitting(testapp, auth, teacher, school_class, exam, wrong_key, essay, dbsession):
    """Ann chose 2 and wrote an essay marked 3 by hand; Ben chose 1; Cy is still writing."""
    people = {name: factories.StudentFactory(school_class=school_class, name=name)
              for name in ("Ann", "Ben", "Cy")}
    ids = {name: start(testapp, exam, user, auth) for name, user in people.items()}
    save(testapp, ids["Ann"], people["Ann"], auth, wrong_key, answer_option=2)
    save(testapp, ids["Ann"], people["Ann"], auth, essay, answer_text="Sugar from light.")
    save(testapp, ids["Ben"], people["Ben"], auth, wrong_key, answer_option=1)
    save(testapp, ids["Cy"], people["Cy"], auth, wrong_key, answer_option=2)
    for name in ("Ann", "Ben"):
        submit(testapp, ids[name], people[name], auth)
    essay_answer = dbsession.query(StudentAnswer).filter_by(attempt_id=ids["Ann"],
                                                           question_id=essay.id).one()
    testapp.post_json(f"/api/grading/attempts/{ids['Ann']}/grade",
                      {"grades": [{"answer_id": essay_answer.id, "marks_awarded": 3}]},
                      headers=auth(teacher))
    return ids


def results(dbsession, ids):
    dbsession.expire_all()
    return {name: (attempt.score, attempt.status.value, attempt.passed)
            for name, attempt in ((n, dbsession.get(QuizAttempt, i)) for n, i in ids.items())}


def regrade(testapp, quiz, user, auth, query="", status=200, **body):
    return testapp.post_json(f"/api/grading/quizzes/{quiz.id}/regrade{query}", body,
                             headers=auth(user), status=status)


def correct_the_key(testapp, auth, teacher, question, answer):
    testapp.put_json(f"/api/questions/{question.id}", {"correct_answer": answer},
                     headers=auth(teacher))


def test_dry_run_reports_and_changes_nothing(testapp, auth, teacher, exam, wrong_key,
                                             sitting, dbsession, events):
    before = results(dbsession, sitting)
    assert before["Ann"] == (Decimal("3.00"), "graded", False)
    correct_the_key(testapp, auth, teacher, wrong_key, 2)

    body = regrade(testapp, exam, teacher, auth, "?dry_run=true").json
    assert body["dry_run"] is True and body["attempts_checked"] == 2
    changes = {c["student"]["name"]: c for c in body["changes"]}
    assert set(changes) == {"Ann", "Ben"}
    assert changes["Ann"]["old"] == {"score": 3.0, "percentage": 50.0,
                                     "passed": False, "status": "graded"}
    assert changes["Ann"]["new"] == {"score": 5.0, "percentage": 83.33, "passed": True,
                                     "status": "graded"}
    assert [(a["old_marks"], a["new_marks"]) for a in changes["Ann"]["answers"]] == [(0.0, 2.0)]
    assert (changes["Ben"]["old"]["score"], changes["Ben"]["new"]["score"]) == (2.0, 0.0)
    assert results(dbsession, sitting) == before
    assert not [e for e in events.of(AttemptGraded) if e.how == "regrade"]


def test_regrade_applies_the_corrected_key_and_keeps_manual_marks(
        testapp, auth, teacher, exam, wrong_key, essay, sitting, dbsession, events):
    correct_the_key(testapp, auth, teacher, wrong_key, 2)
    body = regrade(testapp, exam, teacher, auth).json
    assert body["dry_run"] is False and body["attempts_changed"] == 2
    after = results(dbsession, sitting)
    assert after["Ann"] == (Decimal("5.00"), "graded", True)
    assert after["Ben"] == (Decimal("0.00"), "graded", False)
    assert after["Cy"] == (None, "in_progress", None)  # marked when it ends
    essay_answer = dbsession.query(StudentAnswer).filter_by(attempt_id=sitting["Ann"],
                                                           question_id=essay.id).one()
    assert essay_answer.marks_awarded == 3 and essay_answer.graded_by == teacher.id
    regraded = [e for e in events.of(AttemptGraded) if e.how == "regrade"]
    assert sorted(e.attempt_id for e in regraded) == sorted([sitting["Ann"], sitting["Ben"]])
    assert all(e.graded_by == teacher.id for e in regraded)

    # Nothing left to change; an attempt ending now is marked with the corrected key.
    assert regrade(testapp, exam, teacher, auth).json["attempts_changed"] == 0
    cy = dbsession.get(User, dbsession.get(QuizAttempt, sitting["Cy"]).student_id)
    assert submit(testapp, sitting["Cy"], cy, auth)["score"] == 2.0


def test_dry_run_in_the_body(testapp, auth, teacher, exam, wrong_key, sitting, dbsession):
    correct_the_key(testapp, auth, teacher, wrong_key, 2)
    before = results(dbsession, sitting)
    assert regrade(testapp, exam, teacher, auth, dry_run=True).json["attempts_changed"] == 2
    assert results(dbsession, sitting) == before
    assert_error(regrade(testapp, exam, teacher, auth, "?dry_run=perhaps", status=400), 400)


def test_attempts_submitted_without_a_grader_are_marked_by_a_regrade(
        testapp, auth, teacher, school_class, student, registry, wrong_key, dbsession):
    quiz = factories.QuizFactory(owner=teacher, classes=[school_class], questions=[wrong_key])
    attempt_id = start(testapp, quiz, student, auth)
    save(testapp, attempt_id, student, auth, wrong_key, answer_option=1)
    grader = registry.pop(GRADER_KEY)
    try:
        assert submit(testapp, attempt_id, student, auth)["score"] is None
    finally:
        registry[GRADER_KEY] = grader
    [change] = regrade(testapp, quiz, teacher, auth).json["changes"]
    assert change["old"] == {"score": None, "percentage": None, "passed": None,
                             "status": "submitted"}
    assert change["new"] == {"score": 2.0, "percentage": 100.0, "passed": True,
                             "status": "graded"}
    assert dbsession.get(QuizAttempt, attempt_id).status == AttemptStatus.GRADED


def test_only_the_quiz_teacher_or_an_admin_may_regrade(testapp, auth, other_teacher, student,
                                                       admin, exam):
    assert_error(regrade(testapp, exam, other_teacher, auth, status=404), 404)
    assert_error(regrade(testapp, exam, student, auth, status=403), 403)
    assert regrade(testapp, exam, admin, auth).json["attempts_checked"] == 0
    testapp.post("/api/grading/quizzes/00000000-0000-0000-0000-000000000000/regrade",
                 headers=auth(admin), status=404)
