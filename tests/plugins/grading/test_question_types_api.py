"""The richer question types over HTTP: bank CRUD, the student's view (no keys, shuffled
choices and items), autosave shapes (400 at save) and marking at submission."""

import pytest

from quizcore.domain import shuffle
from quizcore.models import Question, StudentAnswer
from tests import factories
from tests.plugins.exam import save, start, submit

pytestmark = pytest.mark.plugin("quiz_plugins.grading")

BANK = {
    "multiple_answer": {"text": "Primes?", "type": "multiple_answer", "marks": 4,
                        "options": ["2", "4", "5", "9"], "correct_answers": [0, 2],
                        "scoring": "partial"},
    "numerical": {"text": "Pi to two places?", "type": "numerical", "marks": 2,
                  "decimal_comma": True,
                  "numeric_answers": [
                      {"value": 3.14, "tolerance": 0.005, "tolerance_type": "absolute",
                       "credit": 1},
                      {"value": 3.14, "tolerance": 0.05, "tolerance_type": "relative",
                       "credit": 0.5}]},
    "matching": {"text": "Capitals", "type": "matching", "marks": 4,
                 "pairs": [{"left": "France", "right": "Paris"},
                           {"left": "Spain", "right": "Madrid"},
                           {"left": "Italy", "right": "Rome"},
                           {"left": "Peru", "right": "Lima"}]},
    "ordering": {"text": "Smallest first", "type": "ordering", "marks": 3,
                 "items": ["1", "2", "3", "4"], "scoring": "partial"},
    "short_answer": {"text": "Symbol of sodium?", "type": "short_answer", "marks": 1,
                     "accepted_answers": ["Na"], "case_sensitive": True},
}


def create(testapp, auth, teacher, body, status=201):
    return testapp.post_json("/api/questions", body, headers=auth(teacher),
                             status=status).json


@pytest.fixture
def bank(testapp, auth, teacher, dbsession):
    created = {name: create(testapp, auth, teacher, body) for name, body in BANK.items()}
    dbsession.expire_all()
    return {name: dbsession.get(Question, body["id"]) for name, body in created.items()}


def test_created_questions_answer_with_their_type_fields(testapp, auth, teacher, bank):
    body = testapp.get(f"/api/questions/{bank['numerical'].id}", headers=auth(teacher)).json
    assert body["numeric_answers"][1] == {"value": 3.14, "tolerance": 0.05,
                                          "tolerance_type": "relative", "credit": 0.5}
    assert body["decimal_comma"] is True
    ordering = testapp.get(f"/api/questions/{bank['ordering'].id}", headers=auth(teacher)).json
    assert ordering["items"] == ["1", "2", "3", "4"] and ordering["scoring"] == "partial"
    short = testapp.get(f"/api/questions/{bank['short_answer'].id}", headers=auth(teacher)).json
    assert short["case_sensitive"] is True


@pytest.mark.parametrize(("change", "field"), [
    ({"type": "multiple_answer", "options": ["a", "b"], "correct_answers": []},
     "correct_answers"),
    ({"type": "multiple_answer", "options": ["a", "b"], "correct_answers": [0, 0]},
     "correct_answers"),
    ({"type": "multiple_answer", "options": ["a", "b"], "correct_answers": [2]},
     "correct_answers"),
    ({"type": "multiple_answer", "options": ["a"] * 11, "correct_answers": [0]}, "options"),
    ({"type": "numerical", "numeric_answers": []}, "numeric_answers"),
    ({"type": "numerical", "numeric_answers": [{"value": 1, "credit": 0.5}]},
     "numeric_answers"),
    ({"type": "matching", "pairs": [{"left": "a", "right": "b"}]}, "pairs"),
    ({"type": "matching", "pairs": [{"left": "a", "right": ""}, {"left": "b", "right": "c"}]},
     "right"),
    ({"type": "ordering", "items": ["only"]}, "items"),
    ({"type": "ordering", "items": ["a", "b"], "scoring": "partial_negative"}, "scoring"),
])
def test_invalid_questions_are_refused(testapp, auth, teacher, change, field):
    body = create(testapp, auth, teacher, {"text": "Q", "marks": 1, **change}, status=400)
    assert field in str(body)


def test_student_view_has_no_keys_and_shuffles_choices_and_items(testapp, auth, teacher,
                                                                 school_class, student, bank):
    quiz = factories.QuizFactory(owner=teacher, classes=[school_class],
                                 questions=list(bank.values()))
    body = testapp.post(f"/api/quizzes/{quiz.id}/start", headers=auth(student),
                        status=201).json
    attempt_id = body["attempt_id"]
    shown = {q["type"]: q for q in body["questions"]}
    text = str(body)
    for secret in ("correct_answers", "numeric_answers", "pairs", "accepted_answers",
                   "scoring", "case_sensitive", "3.14"):
        assert secret not in text
    matching = shown["matching"]
    assert matching["left"] == ["France", "Spain", "Italy", "Peru"]
    perm = shuffle.choice_order(attempt_id, bank["matching"].id, 4)
    assert perm != (0, 1, 2, 3)
    assert matching["choices"] == [["Paris", "Madrid", "Rome", "Lima"][i] for i in perm]
    order_perm = shuffle.choice_order(attempt_id, bank["ordering"].id, 4)
    assert shown["ordering"]["items"] == [str(i + 1) for i in order_perm]
    assert shown["numerical"]["decimal_comma"] is True


def test_answers_are_marked_per_type(testapp, auth, teacher, school_class, student, bank,
                                     dbsession):
    quiz = factories.QuizFactory(owner=teacher, classes=[school_class],
                                 questions=list(bank.values()))
    attempt_id = start(testapp, quiz, student, auth)
    # multiple answer: one right (2) and one wrong (4) -> partial 1/2 of 4 marks
    save(testapp, attempt_id, student, auth, bank["multiple_answer"], answer_options=[0, 1])
    # numerical: "3,16" with a decimal comma is within 5 % -> half of 2 marks
    save(testapp, attempt_id, student, auth, bank["numerical"], answer_text="3,16")
    # matching: France and Spain right, Italy and Peru swapped -> 2 of 4
    perm = shuffle.choice_order(attempt_id, bank["matching"].id, 4)
    shown_of = {original: shown for shown, original in enumerate(perm)}
    save(testapp, attempt_id, student, auth, bank["matching"],
         answer_matches={"0": shown_of[0], "1": shown_of[1], "2": shown_of[3],
                         "3": shown_of[2]})
    # ordering: 2,3,4,1 -> 2 of 3 adjacent pairs right -> 2 marks
    order_perm = shuffle.choice_order(attempt_id, bank["ordering"].id, 4)
    shown_item = {original: shown for shown, original in enumerate(order_perm)}
    save(testapp, attempt_id, student, auth, bank["ordering"],
         answer_order=[shown_item[1], shown_item[2], shown_item[3], shown_item[0]])
    # short answer, case-sensitive: "NA" is wrong
    save(testapp, attempt_id, student, auth, bank["short_answer"], answer_text="  NA ")
    resumed = testapp.post(f"/api/quizzes/{quiz.id}/start", headers=auth(student),
                           status=200).json
    by_question = {a["question_id"]: a for a in resumed["answers"]}
    assert by_question[bank["multiple_answer"].id]["answer_options"] == [0, 1] or \
        quiz.randomize_options
    assert by_question[bank["numerical"].id]["answer_text"] == "3,16"
    body = submit(testapp, attempt_id, student, auth)
    assert (body["score"], body["total_marks"]) == (2 + 1 + 2 + 2 + 0, 14)
    dbsession.expire_all()
    marks = {a.question_id: float(a.marks_awarded)
             for a in dbsession.query(StudentAnswer).filter_by(attempt_id=attempt_id)}
    assert marks == {bank["multiple_answer"].id: 2.0, bank["numerical"].id: 1.0,
                     bank["matching"].id: 2.0, bank["ordering"].id: 2.0,
                     bank["short_answer"].id: 0.0}


@pytest.mark.parametrize(("name", "answer", "field"), [
    ("multiple_answer", {"answer_options": [0, 7]}, "answer_options"),
    ("multiple_answer", {"answer_options": [1, 1]}, "answer_options"),
    ("multiple_answer", {"answer_option": 1}, "answer_options"),
    ("numerical", {"answer_text": "3.14"}, "answer_text"),  # a point where a comma is due
    ("numerical", {"answer_text": "pi"}, "answer_text"),
    ("matching", {"answer_matches": {"0": 9}}, "answer_matches"),
    ("matching", {"answer_matches": {"x": 0}}, "answer_matches"),
    ("matching", {"answer_text": "Paris"}, "answer_matches"),
    ("ordering", {"answer_order": [0, 1, 2]}, "answer_order"),
    ("ordering", {"answer_order": [0, 1, 2, 2]}, "answer_order"),
    ("ordering", {"answer_order": [0, 1, 2, "3"]}, "answer_order"),
])
def test_malformed_answers_are_refused_at_save(testapp, auth, teacher, school_class, student,
                                               bank, dbsession, name, answer, field):
    quiz = factories.QuizFactory(owner=teacher, classes=[school_class],
                                 questions=list(bank.values()))
    attempt_id = start(testapp, quiz, student, auth)
    response = testapp.post_json(f"/api/attempts/{attempt_id}/answer",
                                 {"question_id": bank[name].id, **answer},
                                 headers=auth(student), status=400)
    assert field in str(response.json)
    dbsession.expire_all()
    assert dbsession.query(StudentAnswer).filter_by(attempt_id=attempt_id).count() == 0


def test_quiz_negative_marking_costs_wrong_objective_answers(testapp, auth, teacher,
                                                             school_class, student, bank,
                                                             objective, dbsession):
    quiz = factories.QuizFactory(owner=teacher, classes=[school_class],
                                 questions=[objective["mcq"], objective["true_false"],
                                            bank["ordering"]])
    testapp.put_json(f"/api/quizzes/{quiz.id}", {"negative_marking": 0.25},
                     headers=auth(teacher), status=200)
    attempt_id = start(testapp, quiz, student, auth)
    save(testapp, attempt_id, student, auth, objective["mcq"], answer_option=2)  # right: 2
    save(testapp, attempt_id, student, auth, objective["true_false"], answer_option=0)  # wrong
    # ordering left unanswered: costs nothing
    body = submit(testapp, attempt_id, student, auth)
    assert body["score"] == 2 - 0.25
    dbsession.expire_all()
    marks = {a.question_id: float(a.marks_awarded)
             for a in dbsession.query(StudentAnswer).filter_by(attempt_id=attempt_id)}
    assert marks[objective["true_false"].id] == 0.0  # a question never below 0


@pytest.mark.parametrize("value", [-0.1, 1.5, 0.333, "half"])
def test_negative_marking_is_a_fraction(testapp, auth, teacher, school_class, bank, value):
    quiz = factories.QuizFactory(owner=teacher, classes=[school_class],
                                 questions=[bank["ordering"]])
    testapp.put_json(f"/api/quizzes/{quiz.id}", {"negative_marking": value},
                     headers=auth(teacher), status=400)


def test_penalties_never_take_the_attempt_below_zero(testapp, auth, teacher, school_class,
                                                     student, objective):
    quiz = factories.QuizFactory(owner=teacher, classes=[school_class],
                                 questions=[objective["true_false"]])
    testapp.put_json(f"/api/quizzes/{quiz.id}", {"negative_marking": 1},
                     headers=auth(teacher), status=200)
    attempt_id = start(testapp, quiz, student, auth)
    save(testapp, attempt_id, student, auth, objective["true_false"], answer_option=0)
    assert submit(testapp, attempt_id, student, auth)["score"] == 0


def test_review_shows_structured_answers_and_keys_in_each_viewers_indexes(
        testapp, auth, teacher, school_class, student, bank):
    quiz = factories.QuizFactory(owner=teacher, classes=[school_class],
                                 questions=list(bank.values()),
                                 show_answers_after_submission=True, allow_review=True)
    attempt_id = start(testapp, quiz, student, auth)
    perm = shuffle.choice_order(attempt_id, bank["matching"].id, 4)
    save(testapp, attempt_id, student, auth, bank["matching"],
         answer_matches={"0": perm.index(0), "1": perm.index(2)})
    order_perm = shuffle.choice_order(attempt_id, bank["ordering"].id, 4)
    shown_order = [order_perm.index(i) for i in (0, 1, 3, 2)]
    save(testapp, attempt_id, student, auth, bank["ordering"], answer_order=shown_order)
    submit(testapp, attempt_id, student, auth)

    def entries(user):
        body = testapp.get(f"/api/attempts/{attempt_id}", headers=auth(user)).json
        return {e["question_id"]: e for e in body["answers"]}

    mine = entries(student)
    assert mine[bank["matching"].id]["answer_matches"] == {"0": perm.index(0),
                                                           "1": perm.index(2)}
    assert mine[bank["matching"].id]["correct_matches"]["1"] == perm.index(1)
    assert mine[bank["ordering"].id]["answer_order"] == shown_order
    assert mine[bank["ordering"].id]["question"]["items"] == \
        [str(i + 1) for i in order_perm]
    assert mine[bank["ordering"].id]["correct_order"] == [order_perm.index(i)
                                                          for i in range(4)]
    staff = entries(teacher)  # original indexes
    assert staff[bank["matching"].id]["answer_matches"] == {"0": 0, "1": 2}
    assert staff[bank["ordering"].id]["answer_order"] == [0, 1, 3, 2]
    assert float(staff[bank["ordering"].id]["marks_awarded"]) == 1.0  # 1 of 3 pairs


def test_every_documented_question_example_is_accepted(testapp, auth, teacher):
    from quizcore.schemas.examples import QUESTION_EXAMPLES
    for name, example in QUESTION_EXAMPLES.items():
        assert create(testapp, auth, teacher, example)["type"] == name
    spec = testapp.get("/api/openapi.json").json
    examples = spec["paths"]["/api/attempts/{id}/answer"]["post"]["x-examples"]
    assert "answer_matches" in examples["matching"]
