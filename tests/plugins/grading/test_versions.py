"""Question versions: an edit of a question that ended attempts used makes a new version;
those attempts keep theirs through review, grading and regrade, new attempts get the new."""

import pytest

from quizcore.domain import analytics
from quizcore.models import AttemptQuestionVersion, QuestionVersion, Quiz
from tests import factories
from tests.plugins.exam import save, start, submit

pytestmark = pytest.mark.plugin("quiz_plugins.grading")


def review_entry(testapp, auth, teacher, attempt_id):
    body = testapp.get(f"/api/attempts/{attempt_id}", headers=auth(teacher), status=200).json
    [entry] = body["answers"]
    return {**entry["question"], "marks_awarded": entry["marks_awarded"]}


def test_old_attempts_keep_the_version_they_answered(testapp, auth, teacher, school_class,
                                                     dbsession):
    question = factories.QuestionFactory(owner=teacher, marks=2, correct_answer=1,
                                         text="Which is two?")
    quiz = factories.QuizFactory(owner=teacher, classes=[school_class], questions=[question])
    ann, ben = (factories.StudentFactory(school_class=school_class, name=n)
                for n in ("Ann", "Ben"))
    ann_attempt = start(testapp, quiz, ann, auth)
    save(testapp, ann_attempt, ann, auth, question, answer_option=1)
    assert submit(testapp, ann_attempt, ann, auth)["score"] == 2.0

    edited = testapp.put_json(f"/api/questions/{question.id}",
                              {"text": "Which is three?", "marks": 4,
                               "options": ["one", "two", "three"], "correct_answer": 2},
                              headers=auth(teacher), status=200).json
    assert edited["version"] == 2 and edited["text"] == "Which is three?"
    [kept] = dbsession.query(QuestionVersion).filter_by(question_id=question.id).all()
    assert kept.version == 1 and kept.content["text"] == "Which is two?"
    [pin] = dbsession.query(AttemptQuestionVersion).filter_by(attempt_id=ann_attempt).all()
    assert pin.version == 1

    old = review_entry(testapp, auth, teacher, ann_attempt)
    assert (old["text"], old["version"], old["marks"]) == ("Which is two?", 1, 2)
    assert old["options"] == ["one", "two", "three", "four"]

    started = testapp.post(f"/api/quizzes/{quiz.id}/start", headers=auth(ben),
                           status=201).json
    [shown] = started["questions"]
    assert (shown["text"], shown["marks"], shown["options"]) == \
        ("Which is three?", 4, ["one", "two", "three"])
    save(testapp, started["attempt_id"], ben, auth, question, answer_option=1)
    assert submit(testapp, started["attempt_id"], ben, auth)["total_marks"] == 4
    assert review_entry(testapp, auth, teacher, started["attempt_id"])["version"] == 2

    # A key correction changes the current version: Ben (version 2) is regraded, Ann's
    # version 1 keeps its own key.
    testapp.put_json(f"/api/questions/{question.id}", {"correct_answer": 1},
                     headers=auth(teacher), status=200)
    body = testapp.post_json(f"/api/grading/quizzes/{quiz.id}/regrade", {},
                             headers=auth(teacher), status=200).json
    assert [c["attempt_id"] for c in body["changes"]] == [started["attempt_id"]]
    assert body["changes"][0]["new"]["score"] == 4.0
    assert review_entry(testapp, auth, teacher, ann_attempt)["marks_awarded"] == 2.0

    # Item analysis reports each version: Ann's 2-mark version 1, Ben's 4-mark version 2.
    result = analytics.quiz_analytics(dbsession, dbsession.get(Quiz, quiz.id))
    [item] = result["question_statistics"]
    assert [(v["version"], v["attempts"], v["correct_count"], v["average_marks"])
            for v in item["versions"]] == [(1, 1, 1, 2.0), (2, 1, 1, 4.0)]
    assert item["attempts"] == 2 and item["correct_count"] == 2


def test_a_second_edit_keeps_each_attempts_version(testapp, auth, teacher, school_class,
                                                   dbsession):
    question = factories.QuestionFactory(owner=teacher, text="v1")
    quiz = factories.QuizFactory(owner=teacher, classes=[school_class], questions=[question],
                                 max_attempts=3)
    student = factories.StudentFactory(school_class=school_class)
    seen = {}
    for text in ("v2", "v3"):
        attempt_id = start(testapp, quiz, student, auth)
        submit(testapp, attempt_id, student, auth)
        seen[attempt_id] = review_entry(testapp, auth, teacher, attempt_id)["text"]
        testapp.put_json(f"/api/questions/{question.id}", {"text": text},
                         headers=auth(teacher), status=200)
    assert sorted(seen.values()) == ["v1", "v2"]
    for attempt_id, text in seen.items():
        entry = review_entry(testapp, auth, teacher, attempt_id)
        assert (entry["text"], entry["version"]) == (text, int(text[1]))
    assert testapp.get(f"/api/questions/{question.id}", headers=auth(teacher)).json[
        "version"] == 3
