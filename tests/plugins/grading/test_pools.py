"""Marking and regrading the papers of a quiz with sections: every answer is marked with its
section's marks, and a key correction regrades each attempt on its own paper."""

import pytest

from quizcore.models import AttemptQuestion, QuizSection, StudentAnswer
from tests import factories
from tests.plugins.exam import save, start, submit

pytestmark = pytest.mark.plugin("quiz_plugins.grading")


@pytest.fixture
def pooled(dbsession, teacher, school_class):
    """One fixed true/false (1 mark) and a section drawing 2 of 3 mcqs (key 1) at 5 marks."""
    fixed = factories.TrueFalseQuestionFactory(owner=teacher, topic="Warm-up")
    pool = [factories.QuestionFactory(owner=teacher, topic="Pool", marks=1, correct_answer=1)
            for _ in range(3)]
    quiz = factories.QuizFactory(owner=teacher, classes=[school_class], questions=[fixed],
                                 passing_percentage=50)
    dbsession.add(QuizSection(quiz_id=quiz.id, position=0, title="Pool", draw=2,
                              marks_each=5, pool={"topic": "Pool"}))
    dbsession.flush()
    return quiz, fixed, pool


def paper_of(dbsession, attempt_id):
    return [row.question_id for row in dbsession.query(AttemptQuestion)
            .filter_by(attempt_id=attempt_id).order_by(AttemptQuestion.position)]


def test_drawn_questions_are_marked_with_their_sections_marks(testapp, auth, student, pooled,
                                                              dbsession):
    quiz, fixed, pool = pooled
    attempt_id = start(testapp, quiz, student, auth)
    paper = paper_of(dbsession, attempt_id)
    by_id = {q.id: q for q in pool}
    save(testapp, attempt_id, student, auth, fixed, answer_option=0)
    save(testapp, attempt_id, student, auth, by_id[paper[1]], answer_option=1)
    save(testapp, attempt_id, student, auth, by_id[paper[2]], answer_option=0)
    body = submit(testapp, attempt_id, student, auth)
    assert (body["score"], body["total_marks"], body["percentage"]) == (6.0, 11, 54.55)
    marks = {a.question_id: a.marks_awarded for a in
             dbsession.query(StudentAnswer).filter_by(attempt_id=attempt_id)}
    assert marks == {fixed.id: 1, paper[1]: 5, paper[2]: 0}


def test_a_key_correction_regrades_each_attempt_on_its_own_paper(
        testapp, auth, teacher, school_class, pooled, dbsession):
    quiz, fixed, pool = pooled
    sat = {}
    for name in ("Ann", "Ben", "Cy"):
        student = factories.StudentFactory(school_class=school_class, name=name)
        attempt_id = start(testapp, quiz, student, auth)
        for question in pool:
            if question.id in paper_of(dbsession, attempt_id):
                save(testapp, attempt_id, student, auth, question, answer_option=2)
        submit(testapp, attempt_id, student, auth)
        sat[attempt_id] = set(paper_of(dbsession, attempt_id))
    corrected = pool[0]
    testapp.put_json(f"/api/questions/{corrected.id}", {"correct_answer": 2},
                     headers=auth(teacher), status=200)
    body = testapp.post_json(f"/api/grading/quizzes/{quiz.id}/regrade", {},
                             headers=auth(teacher), status=200).json
    changed = {c["attempt_id"]: c for c in body["changes"]}
    assert set(changed) == {a for a, paper in sat.items() if corrected.id in paper}
    for change in changed.values():
        assert change["new"]["score"] == 5.0
        assert [(a["old_marks"], a["new_marks"]) for a in change["answers"]] == [(0.0, 5.0)]
