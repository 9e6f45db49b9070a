"""Quizzes with sections: each attempt draws its own paper from pools, and every later
reader (resume, autosave, submit and grading, review) sees that paper."""

import pytest

from quizcore.domain import analytics, papers
from quizcore.models import AttemptQuestion, Difficulty, Quiz
from tests import factories
from tests.helpers import assert_error


@pytest.fixture
def bank(dbsession, teacher):
    """One fixed question (4 marks), six Algebra questions (two hard), three Geometry."""
    fixed = factories.QuestionFactory(owner=teacher, topic="Basics", marks=4, correct_answer=0)
    algebra = [factories.QuestionFactory(owner=teacher, topic="Algebra", correct_answer=1,
                                         difficulty=Difficulty.HARD if i < 2 else
                                         Difficulty.EASY) for i in range(6)]
    geometry = [factories.QuestionFactory(owner=teacher, topic="Geometry", correct_answer=2)
                for _ in range(3)]
    return {"fixed": fixed, "algebra": algebra, "geometry": geometry}


def pooled_body(bank, school_class, *, algebra_draw=3, **extra):
    body = {
        "title": "Term exam", "subject": "Mathematics", "time_limit_minutes": 30,
        "question_ids": [bank["fixed"].id], "class_ids": [school_class.id],
        "sections": [
            {"title": "Algebra", "draw": algebra_draw, "marks_each": 2,
             "pool": {"topic": "Algebra"}},
            {"title": "Shapes", "draw": 2, "marks_each": 5,
             "pool": {"question_ids": [q.id for q in bank["geometry"]]}},
        ],
    }
    body.update(extra)
    return body


def published_quiz(testapp, auth, teacher, bank, school_class, **extra):
    created = testapp.post_json("/api/quizzes", pooled_body(bank, school_class, **extra),
                                headers=auth(teacher), status=201).json
    testapp.post(f"/api/quizzes/{created['id']}/publish", headers=auth(teacher), status=200)
    return created


def test_a_quiz_with_sections_reports_every_papers_totals(testapp, auth, teacher, bank,
                                                          school_class):
    created = testapp.post_json("/api/quizzes", pooled_body(bank, school_class),
                                headers=auth(teacher), status=201).json
    assert created["total_marks"] == 4 + 3 * 2 + 2 * 5
    assert created["question_count"] == 1 + 3 + 2
    assert [s["title"] for s in created["sections"]] == ["Algebra", "Shapes"]
    assert created["sections"][0] == {"title": "Algebra", "draw": 3, "marks_each": 2,
                                      "pool": {"topic": "Algebra"}}
    assert [q["id"] for q in created["questions"]] == [bank["fixed"].id]


def test_publishing_refuses_a_pool_smaller_than_its_draw(testapp, auth, teacher, bank,
                                                         school_class):
    created = testapp.post_json("/api/quizzes", pooled_body(bank, school_class,
                                                            algebra_draw=7),
                                headers=auth(teacher), status=201).json
    body = assert_error(testapp.post(f"/api/quizzes/{created['id']}/publish",
                                     headers=auth(teacher), status=409), 409)
    assert body["reason"] == "pool_too_small"
    assert "Algebra" in body["message"]
    fixed = pooled_body(bank, school_class)["sections"]
    testapp.put_json(f"/api/quizzes/{created['id']}", {"sections": fixed},
                     headers=auth(teacher), status=200)
    testapp.post(f"/api/quizzes/{created['id']}/publish", headers=auth(teacher), status=200)
    # a published quiz cannot be edited into an impossible draw
    fixed[1]["draw"] = 4
    body = assert_error(testapp.put_json(f"/api/quizzes/{created['id']}", {"sections": fixed},
                                         headers=auth(teacher), status=409), 409)
    assert body["reason"] == "pool_too_small"


def test_bad_sections_are_refused_with_400(testapp, auth, teacher, other_teacher, bank,
                                           school_class):
    body = pooled_body(bank, school_class)
    body["sections"][0]["pool"] = {}
    assert_error(testapp.post_json("/api/quizzes", body, headers=auth(teacher), status=400),
                 400)
    foreign = factories.QuestionFactory(owner=other_teacher)
    body = pooled_body(bank, school_class)
    body["sections"][1]["pool"]["question_ids"].append(foreign.id)
    assert_error(testapp.post_json("/api/quizzes", body, headers=auth(teacher), status=400),
                 400)
    body = pooled_body(bank, school_class)
    body["sections"][0]["draw"] = 0
    assert_error(testapp.post_json("/api/quizzes", body, headers=auth(teacher), status=400),
                 400)
    body = pooled_body(bank, school_class)
    body["sections"][0]["pool"]["difficulty"] = "extreme"
    assert_error(testapp.post_json("/api/quizzes", body, headers=auth(teacher), status=400),
                 400)


def test_each_attempt_draws_its_own_paper_and_resumes_it(testapp, auth, teacher, bank,
                                                         school_class, student, dbsession):
    quiz = published_quiz(testapp, auth, teacher, bank, school_class)
    started = testapp.post(f"/api/quizzes/{quiz['id']}/start", headers=auth(student),
                           status=201).json
    shown = started["questions"]
    assert started["quiz"]["total_marks"] == 20 and started["quiz"]["question_count"] == 6
    assert len(shown) == 6 and shown[0]["id"] == bank["fixed"].id
    algebra_ids = {q.id for q in bank["algebra"]}
    geometry_ids = {q.id for q in bank["geometry"]}
    assert {q["id"] for q in shown[1:4]} <= algebra_ids
    assert {q["id"] for q in shown[4:]} <= geometry_ids
    assert [q["marks"] for q in shown] == [4, 2, 2, 2, 5, 5]
    stored = dbsession.query(AttemptQuestion).filter_by(
        attempt_id=started["attempt_id"]).order_by(AttemptQuestion.position).all()
    assert [row.question_id for row in stored] == [q["id"] for q in shown]
    # the draw is the pure function's, seeded by the attempt id
    quiz_row = dbsession.get(papers.Quiz, quiz["id"])
    expected = papers.draw_paper(started["attempt_id"], papers.fixed_entries(dbsession, quiz_row),
                                 papers.section_pools(dbsession, quiz_row))
    assert [e.question_id for e in expected] == [q["id"] for q in shown]

    resumed = testapp.post(f"/api/quizzes/{quiz['id']}/start", headers=auth(student),
                           status=200).json
    assert resumed["attempt_id"] == started["attempt_id"]
    assert resumed["questions"] == shown


def test_answers_save_only_for_drawn_questions_and_grade_on_the_paper(
        testapp, auth, teacher, bank, school_class, student, grader):
    quiz = published_quiz(testapp, auth, teacher, bank, school_class)
    started = testapp.post(f"/api/quizzes/{quiz['id']}/start", headers=auth(student),
                           status=201).json
    attempt_id, shown = started["attempt_id"], started["questions"]
    drawn = {q["id"] for q in shown}
    undrawn = next(q for q in bank["algebra"] if q.id not in drawn)
    body = assert_error(testapp.post_json(
        f"/api/attempts/{attempt_id}/answer", {"question_id": undrawn.id, "answer_option": 1},
        headers=auth(student), status=400), 400)
    assert "not part of this quiz" in body["message"]
    keys = {q.id: q.correct_answer for group in ("algebra", "geometry") for q in bank[group]}
    keys[bank["fixed"].id] = 0
    for question in shown[:5]:  # all right but the last Shapes question
        saved = testapp.post_json(f"/api/attempts/{attempt_id}/answer",
                                  {"question_id": question["id"],
                                   "answer_option": keys[question["id"]]},
                                  headers=auth(student), status=200).json
    assert saved["total_questions"] == 6
    result = testapp.post(f"/api/attempts/{attempt_id}/submit", headers=auth(student),
                          status=200).json
    assert (result["score"], result["total_marks"]) == (15, 20)
    seen = grader.seen[-1]
    assert set(seen) == {q["id"] for q in shown[:5]}

    review = testapp.get(f"/api/attempts/{attempt_id}", headers=auth(teacher),
                         status=200).json
    entries = review.get("answers") or review.get("questions")
    assert [e["question_id"] if "question_id" in e else e["id"] for e in entries] == \
        [q["id"] for q in shown]


def test_overlapping_pools_put_no_question_twice_on_a_paper(testapp, auth, teacher, bank,
                                                            school_class, student):
    body = pooled_body(bank, school_class)
    body["sections"] = [
        {"title": "Hard", "draw": 2, "marks_each": 3, "pool": {"difficulty": "hard"}},
        {"title": "Algebra", "draw": 4, "marks_each": 1, "pool": {"topic": "Algebra"}},
    ]
    created = testapp.post_json("/api/quizzes", body, headers=auth(teacher), status=201).json
    testapp.post(f"/api/quizzes/{created['id']}/publish", headers=auth(teacher), status=200)
    shown = testapp.post(f"/api/quizzes/{created['id']}/start", headers=auth(student),
                         status=201).json["questions"]
    ids = [q["id"] for q in shown]
    assert len(ids) == len(set(ids)) == 7
    hard = {q.id for q in bank["algebra"][:2]}
    assert set(ids[1:3]) == hard  # the only hard questions belong to the first section
    assert not set(ids[3:]) & hard


def test_sections_are_frozen_once_students_started(testapp, auth, teacher, bank,
                                                   school_class, student):
    quiz = published_quiz(testapp, auth, teacher, bank, school_class)
    testapp.post(f"/api/quizzes/{quiz['id']}/start", headers=auth(student), status=201)
    sections = pooled_body(bank, school_class, algebra_draw=2)["sections"]
    body = assert_error(testapp.put_json(f"/api/quizzes/{quiz['id']}", {"sections": sections},
                                         headers=auth(teacher), status=409), 409)
    assert body["reason"] == "quiz_has_attempts"


def test_item_analysis_counts_only_the_attempts_that_drew_each_question(
        testapp, auth, teacher, bank, school_class, dbsession, grader):
    body = pooled_body(bank, school_class, question_ids=[])
    body["sections"] = [{"title": "Shapes", "draw": 2, "marks_each": 5,
                         "pool": {"topic": "Geometry"}}]
    created = testapp.post_json("/api/quizzes", body, headers=auth(teacher), status=201).json
    testapp.post(f"/api/quizzes/{created['id']}/publish", headers=auth(teacher), status=200)
    key = {q.id: q.correct_answer for q in bank["geometry"]}
    drew: dict[str, int] = {}
    right: dict[str, int] = {}
    for _ in range(4):
        student = factories.StudentFactory(school_class=school_class)
        started = testapp.post(f"/api/quizzes/{created['id']}/start", headers=auth(student),
                               status=201).json
        first = started["questions"][0]["id"]  # answered right; the other left blank
        testapp.post_json(f"/api/attempts/{started['attempt_id']}/answer",
                          {"question_id": first, "answer_option": key[first]},
                          headers=auth(student), status=200)
        testapp.post(f"/api/attempts/{started['attempt_id']}/submit", headers=auth(student),
                     status=200)
        for question in started["questions"]:
            drew[question["id"]] = drew.get(question["id"], 0) + 1
        right[first] = right.get(first, 0) + 1

    result = analytics.quiz_analytics(dbsession, dbsession.get(Quiz, created["id"]))
    assert (result["quiz"]["total_marks"], result["quiz"]["question_count"]) == (10, 2)
    assert result["summary"]["total_marks"] == 10
    stats = {item["question_id"]: item for item in result["question_statistics"]}
    assert set(stats) == set(drew)
    for question_id, item in stats.items():
        assert item["attempts"] == drew[question_id]
        assert item["correct_count"] == right.get(question_id, 0)
        assert item["unanswered_count"] == drew[question_id] - right.get(question_id, 0)
        assert item["marks"] == 5
    assert sum(item["attempts"] for item in stats.values()) == 4 * 2
    # not every attempt answered every item: alpha is not defined for such papers
    assert result["summary"]["cronbach_alpha"] is None
