"""The richer question types in the attempt PDF and the analytics: answers in words."""

import pytest

from quizcore.domain import shuffle
from tests import factories
from tests.documents import pdf_text
from tests.plugins.exam import save, start, submit

# The answers are marked at submit, which is the grading plugin's work.
pytestmark = [pytest.mark.plugin("quiz_plugins.exports"),
              pytest.mark.plugin("quiz_plugins.grading")]


def test_attempt_pdf_writes_matching_and_ordering_answers_out(testapp, auth, teacher,
                                                             school_class, student, dbsession):
    matching = factories.QuestionFactory(
        owner=teacher, type="matching", options=None, correct_answer=None, marks=2,
        details={"pairs": [{"left": "France", "right": "Paris"},
                           {"left": "Spain", "right": "Madrid"}]})
    ordering = factories.QuestionFactory(
        owner=teacher, type="ordering", options=None, correct_answer=None, marks=1,
        details={"items": ["Alpha", "Beta", "Gamma"], "scoring": "all_or_nothing"})
    chosen = factories.QuestionFactory(
        owner=teacher, type="multiple_answer", options=["Red", "Green", "Blue"],
        correct_answer=None, marks=1,
        details={"correct_answers": [0, 2], "scoring": "partial"})
    quiz = factories.QuizFactory(owner=teacher, classes=[school_class],
                                 questions=[matching, ordering, chosen])
    attempt_id = start(testapp, quiz, student, auth)
    perm = shuffle.choice_order(attempt_id, matching.id, 2)
    save(testapp, attempt_id, student, auth, matching,
         answer_matches={"0": perm.index(0), "1": perm.index(1)})
    order = shuffle.choice_order(attempt_id, ordering.id, 3)
    save(testapp, attempt_id, student, auth, ordering,
         answer_order=[order.index(2), order.index(0), order.index(1)])
    save(testapp, attempt_id, student, auth, chosen, answer_options=[0])
    assert submit(testapp, attempt_id, student, auth)["score"] == 2.5
    text = " ".join(pdf_text(testapp.get(f"/api/exports/attempts/{attempt_id}/pdf",
                                         headers=auth(teacher)).body).split())
    assert "France → Paris; Spain → Madrid" in text
    assert "Gamma → Alpha → Beta" in text
    assert "Red" in text
    analytics = testapp.get(f"/api/analytics/quiz/{quiz.id}", headers=auth(teacher),
                            status=200).json
    assert analytics
