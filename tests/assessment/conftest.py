"""Fixtures of the assessment tests: quizzes ready to take, a counting grader, a bootstrapped
request for calling the domain functions directly."""

from __future__ import annotations

import threading

import pytest
from pyramid.scripting import prepare

from quizcore import models
from quizcore.domain.grading import GRADER_KEY, GradeOutcome, percentage_of
from tests import factories


class CountingGrader:
    """A grader that marks choice questions against their key and counts its calls."""

    def __init__(self, pending_types=("descriptive",)):
        self.calls: list[str] = []
        #: Per call: {question_id: client_seq} of the answers the grader was given.
        self.seen: list[dict] = []
        self.lock = threading.Lock()
        self.pending_types = set(pending_types)

    def __call__(self, context):
        with self.lock:
            self.calls.append(context.attempt.id)
            self.seen.append({qid: a.client_seq for qid, a in context.answers.items()})
        score = 0
        pending = False
        for item in context.questions:
            answer = context.answers.get(item.question.id)
            if item.question.type in self.pending_types:
                pending = pending or answer is not None
                continue
            right = answer is not None and answer.answer_option is not None and \
                answer.answer_option == item.question.correct_answer
            if answer is not None:
                answer.marks_awarded = item.marks if right else 0
            score += item.marks if right else 0
        return GradeOutcome(score=score, total_marks=context.total_marks,
                            percentage=percentage_of(score, context.total_marks),
                            pending=pending)


@pytest.fixture
def grader(registry):
    """Install a :class:`CountingGrader` as the application's attempt grader."""
    counting = CountingGrader()
    previous = registry.get(GRADER_KEY)
    registry[GRADER_KEY] = counting
    yield counting
    if previous is None:
        registry.pop(GRADER_KEY, None)
    else:
        registry[GRADER_KEY] = previous


@pytest.fixture
def no_grader(registry):
    previous = registry.pop(GRADER_KEY, None)
    yield
    if previous is not None:
        registry[GRADER_KEY] = previous


@pytest.fixture
def domain_request(app, dbsession):
    """A non-HTTP request (as quizctl makes) in an open transaction on the test connection."""
    env = prepare(registry=app.registry)
    request = env["request"]
    request.tm.begin()
    yield request
    request.tm.abort()
    env["closer"]()


def make_questions(owner, count=3):
    """``count`` questions of mixed types: mcq (key 1), true_false (key 0), short answer..."""
    kinds = [
        dict(type=models.QuestionType.MCQ, options=["red", "green", "blue", "white"],
             correct_answer=1, marks=2),
        dict(type=models.QuestionType.TRUE_FALSE, options=None, correct_answer=0, marks=1),
        dict(type=models.QuestionType.SHORT_ANSWER, options=None, correct_answer=None,
             accepted_answers=["Paris", "paris"], marks=1),
        dict(type=models.QuestionType.DESCRIPTIVE, options=None, correct_answer=None,
             sample_answer="A model answer.", marking_rubric="Two points per idea.",
             marks=4),
    ]
    return [factories.QuestionFactory(owner=owner, **kinds[i % len(kinds)])
            for i in range(count)]


@pytest.fixture
def quiz(dbsession, teacher, school_class):
    """A published quiz open now for ``school_class`` with an mcq, a true/false, a short
    answer and a descriptive question."""
    return factories.QuizFactory(owner=teacher, questions=make_questions(teacher, 4),
                                 classes=[school_class], max_attempts=2)


def quiz_questions(dbsession, quiz):
    """The quiz's questions in quiz order."""
    links = sorted(dbsession.query(models.QuizQuestion).filter_by(quiz_id=quiz.id),
                   key=lambda link: link.order_index)
    return [dbsession.get(models.Question, link.question_id) for link in links]
