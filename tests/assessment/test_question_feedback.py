"""Feedback and tags of bank questions: stored, shown to staff, editable while in use, never
shown to a student sitting the quiz."""

import json

import pytest

from quizcore.models import Question
from tests import factories
from tests.helpers import assert_error

MCQ = {"text": "2 + 2?", "type": "mcq", "marks": 2, "options": ["3", "4", "5"],
       "correct_answer": 1, "feedback": "Count on your fingers.",
       "option_feedback": ["One short.", None, "One too many."],
       "tags": ["arithmetic", "year-1", "Arithmetic"]}
TRUE_FALSE = {"text": "Water boils at 100 °C at sea level.", "type": "true_false", "marks": 1,
              "correct_answer": 0, "true_feedback": "Right: at 1 atm.",
              "false_feedback": "It does, at 1 atm."}


def test_feedback_and_tags_are_stored_and_shown_to_staff(testapp, teacher, auth):
    created = testapp.post_json("/api/questions", MCQ, headers=auth(teacher), status=201).json
    fetched = testapp.get(f"/api/questions/{created['id']}", headers=auth(teacher)).json
    assert fetched["feedback"] == "Count on your fingers."
    assert fetched["option_feedback"] == ["One short.", None, "One too many."]
    # Tags are deduplicated case-insensitively, the first spelling and the order kept.
    assert fetched["tags"] == ["arithmetic", "year-1"]
    true_false = testapp.post_json("/api/questions", TRUE_FALSE, headers=auth(teacher)).json
    assert (true_false["true_feedback"], true_false["false_feedback"]) == (
        "Right: at 1 atm.", "It does, at 1 atm.")


@pytest.mark.parametrize("body, field", [
    ({**MCQ, "option_feedback": ["only one"]}, "option_feedback"),
    ({**MCQ, "option_feedback": "not a list"}, "option_feedback"),
    ({**TRUE_FALSE, "option_feedback": ["a", "b"]}, "option_feedback"),
    ({**MCQ, "true_feedback": "Only true/false questions have this."}, "true_feedback"),
    ({**MCQ, "tags": [f"tag{i}" for i in range(21)]}, "tags"),
    ({**MCQ, "tags": ["x" * 51]}, "tags"),
])
def test_bad_feedback_is_a_400_and_stores_nothing(testapp, teacher, auth, dbsession, body,
                                                  field):
    error = assert_error(testapp.post_json("/api/questions", body, headers=auth(teacher),
                                           status=400), 400)
    assert field in {e["name"].split(".")[0] for e in error["errors"]}, error
    assert dbsession.query(Question).count() == 0


def test_feedback_and_tags_stay_editable_when_the_question_is_in_use(
        testapp, teacher, school_class, student, auth, dbsession):
    question = factories.QuestionFactory(owner=teacher)
    quiz = factories.QuizFactory(owner=teacher, questions=[question], classes=[school_class])
    factories.QuizAttemptFactory(quiz=quiz, student=student)
    updated = testapp.put_json(f"/api/questions/{question.id}",
                               {"feedback": "Read the question twice.", "tags": ["revised"]},
                               headers=auth(teacher)).json
    assert updated["feedback"] == "Read the question twice." and updated["tags"] == ["revised"]
    cleared = testapp.put_json(f"/api/questions/{question.id}", {"feedback": None},
                               headers=auth(teacher)).json
    assert cleared.get("feedback") is None and cleared["tags"] == ["revised"]


def test_a_student_sitting_the_quiz_sees_no_feedback_or_tags(testapp, teacher, school_class,
                                                             student, auth, dbsession):
    created = testapp.post_json("/api/questions", MCQ, headers=auth(teacher)).json
    quiz = factories.QuizFactory(owner=teacher, classes=[school_class],
                                 questions=[dbsession.get(Question, created["id"])])
    started = testapp.post_json(f"/api/quizzes/{quiz.id}/start", {},
                                headers=auth(student)).json
    attempt = testapp.get(f"/api/attempts/{started['attempt_id']}",
                          headers=auth(student)).json
    seen = json.dumps([started, attempt])
    for secret in ("Count on your fingers.", "One short.", "arithmetic", "year-1"):
        assert secret not in seen
