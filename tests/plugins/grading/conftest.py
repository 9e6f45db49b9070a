"""Quizzes of every question type, and the events the grading emits."""

from __future__ import annotations

import pytest

from quizcore.events import AttemptGraded, AttemptSubmitted
from tests import factories
from tests.plugins.exam import EventRecorder

pytest.importorskip("quiz_plugins.grading", reason="the grading plugin is not installed")


@pytest.fixture
def events(registry):
    with EventRecorder(registry, AttemptGraded, AttemptSubmitted) as recorder:
        yield recorder


@pytest.fixture
def objective(dbsession, teacher):
    """An mcq (key 2, 2 marks), a true/false (key false, 1 mark) and a short answer
    (Paris, 1 mark)."""
    return {
        "mcq": factories.QuestionFactory(owner=teacher, marks=2, correct_answer=2),
        "true_false": factories.TrueFalseQuestionFactory(owner=teacher, correct_answer=1),
        "short": factories.ShortAnswerQuestionFactory(
            owner=teacher, accepted_answers=["Paris", "City of Light"]),
    }


@pytest.fixture
def essay(dbsession, teacher):
    return factories.DescriptiveQuestionFactory(owner=teacher, marks=4)


@pytest.fixture
def mixed_quiz(dbsession, teacher, school_class, objective, essay):
    """The objective questions then the essay (8 marks), pass mark 50 %."""
    return factories.QuizFactory(owner=teacher, classes=[school_class], passing_percentage=50,
                                 questions=[*objective.values(), essay])
