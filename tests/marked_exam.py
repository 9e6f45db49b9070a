"""The hand-marked quiz the analytics and document tests share (the core's statistics, the
exports and analytics plugins' documents): its data, its ``exam`` fixture, a query counter."""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from quizcore import models
from tests import factories


@dataclass
class Exam:
    quiz: models.Quiz
    questions: list
    students: dict
    attempts: dict


@pytest.fixture
def exam(dbsession, teacher, school_class) -> Exam:
    """The exam of :func:`make_exam` for ``teacher`` and ``school_class``."""
    return make_exam(teacher, school_class)


def make_exam(teacher, school_class) -> Exam:
    """A 4-mark quiz (passing at 50 %) and its attempts, marked by hand.

    Questions: Q1 multiple choice (1 mark, key 1), Q2 true/false (1 mark, key 0 = True),
    Q3 descriptive (2 marks). First attempts, marks per question (None: not answered):

    ====  =============  =====  ==========================================
    A     1, 1, 2        4      Иван Петров; two tab switches
    B     1, 0, 1        2      also a second attempt 1, 1, 2 = 4
    C     0, 1, 0        1
    D     1, -, 1.5      2.5    auto-submitted for violations
    E     0, 0, -        0
    F     1, 1, -        —      waits for a teacher (no final result)
    G     in progress           one copy attempt (not counted)
    ====  =============  =====  ==========================================
    """
    q1 = factories.QuestionFactory(owner=teacher, text="Which is green?",
                                   options=["red", "green", "blue", "white"], correct_answer=1)
    q2 = factories.QuestionFactory(owner=teacher, type=models.QuestionType.TRUE_FALSE,
                                   text="Grass is green.", options=None, correct_answer=0)
    q3 = factories.QuestionFactory(owner=teacher, type=models.QuestionType.DESCRIPTIVE,
                                   text="Explain photosynthesis.", marks=2, options=None,
                                   correct_answer=None, sample_answer="Light makes sugar.",
                                   marking_rubric="One mark per idea.")
    quiz = factories.QuizFactory(owner=teacher, questions=[q1, q2, q3], classes=[school_class],
                                 title="Plants", passing_percentage=50, max_attempts=2)
    names = {"A": "Иван Петров", "B": "Bea Bauer", "C": "Chen Li", "D": "Dara Obi",
             "E": "Emeka Eze", "F": "Fay Fox", "G": "Gus Green"}
    students = {key: factories.StudentFactory(school_class=school_class, name=name)
                for key, name in names.items()}
    finished = factories.finished_attempt
    attempts = {
        "A": finished(quiz, students["A"], [1, 1, 2], answers=[1, 0, "Light and water."],
                      violations=2),
        "B": finished(quiz, students["B"], [1, 0, 1], answers=[1, 1, "Sun."]),
        "B2": finished(quiz, students["B"], [1, 1, 2], answers=[1, 0, "Sunlight, CO2."],
                       attempt_number=2,
                       started_at=models.utcnow() - dt.timedelta(minutes=30)),
        "C": finished(quiz, students["C"], [0, 1, 0], answers=[2, 0, "?"]),
        "D": finished(quiz, students["D"], [1, None, 1.5], answers=[1, None, "Leaves."],
                      status=models.AttemptStatus.AUTO_SUBMITTED),
        "E": finished(quiz, students["E"], [0, 0, None], answers=[3, 1, None]),
        "F": finished(quiz, students["F"], [1, 1, None], answers=[1, 0, None],
                      status=models.AttemptStatus.SUBMITTED, final=False),
        "G": factories.QuizAttemptFactory(quiz=quiz, student=students["G"]),
    }
    attempts["D"].auto_submitted_due_to_violations = True
    factories.ViolationFactory(attempt=attempts["G"],
                               violation_type=models.ViolationType.COPY_ATTEMPT,
                               is_counted=False)
    factories.current_session().flush()
    return Exam(quiz, [q1, q2, q3], students, attempts)


@contextlib.contextmanager
def counted_queries(session):
    """Collects the statements ``session`` sends while the block runs."""
    statements: list[str] = []
    engine = session.get_bind().engine

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def add_results(quiz, school_class, count: int, marks) -> None:
    """``count`` more students with a graded attempt at ``quiz``."""
    for _ in range(count):
        factories.finished_attempt(quiz, factories.StudentFactory(school_class=school_class),
                                   marks)
    factories.current_session().flush()
