"""Real threads against MariaDB with committed data: reports racing each other near the
threshold end the attempt exactly once and the counter loses nothing."""

import pytest
import sqlalchemy as sa

from quizcore.domain.grading import GRADER_KEY
from quizcore.events import AfterCommit, AttemptSubmitted, ViolationRecorded
from quizcore.models import AttemptStatus, QuizAttempt, Violation, ViolationType
from tests import factories
from tests.assessment.test_concurrency import client, run_together

pytestmark = [pytest.mark.plugin("quiz_plugins.anticheat"), pytest.mark.slow]


@pytest.fixture
def attempt(committed_session):
    """A committed attempt in progress, with ``total_violations`` 2 (two counted reports of
    other types than the racing ones)."""
    teacher = factories.TeacherFactory()
    school_class = factories.ClassFactory()
    student = factories.StudentFactory(school_class=school_class)
    quiz = factories.QuizFactory(owner=teacher, classes=[school_class],
                                 questions=[factories.QuestionFactory(owner=teacher)])
    row = factories.QuizAttemptFactory(quiz=quiz, student=student, total_violations=2)
    factories.ViolationFactory(attempt=row, violation_type=ViolationType.TAB_SWITCH)
    factories.ViolationFactory(attempt=row, violation_type=ViolationType.COPY_ATTEMPT)
    committed_session.commit()
    return {"id": row.id, "student": student}


@pytest.fixture
def committed_events(registry):
    """Events announced after a successful commit (a retried transaction's never are)."""
    seen = []

    def record(after):
        seen.append(after.event)

    registry.registerHandler(record, (AfterCommit,))
    yield seen
    registry.unregisterHandler(record, (AfterCommit,))


@pytest.fixture
def grader_calls(registry):
    """Wrap the registered grader (or none) to count the attempts it grades."""
    calls = []
    original = registry.get(GRADER_KEY)

    def counting(context):
        calls.append(context.attempt.id)
        return original(context) if original is not None else None

    registry[GRADER_KEY] = counting
    yield calls
    if original is None:
        registry.pop(GRADER_KEY, None)
    else:
        registry[GRADER_KEY] = original


def stored(engine, attempt_id):
    with engine.connect() as connection:
        total, status, flag = connection.execute(
            sa.select(QuizAttempt.total_violations, QuizAttempt.status,
                      QuizAttempt.auto_submitted_due_to_violations)
            .where(QuizAttempt.id == attempt_id)).one()
        counted = connection.execute(
            sa.select(Violation.is_counted).where(Violation.attempt_id == attempt_id)).scalars()
        return total, status, flag, sorted(counted)


def race(app, auth, attempt, kinds):
    headers = auth(attempt["student"])
    path = f"/api/attempts/{attempt['id']}/violations"
    return run_together(len(kinds), lambda i: client(app).post_json(
        path, {"violation_type": kinds[i]}, headers=headers, expect_errors=True))


def test_ten_parallel_reports_at_two_auto_submit_exactly_once(
        committed_app, app, auth, attempt, engine, committed_events, grader_calls):
    kinds = ["fullscreen_exit", "focus_lost", "right_click", "paste_attempt",
             "multiple_windows"] * 2
    responses = race(app, auth, attempt, kinds)

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [409] * 9, [r.text for r in responses]
    [winner] = [r.json for r in responses if r.status_code == 200]
    assert (winner["total_violations"], winner["auto_submit"]) == (3, True)
    assert {r.json["reason"] for r in responses if r.status_code == 409} == {"submitted"}

    total, status, flag, counted = stored(engine, attempt["id"])
    assert (total, status, flag) == (3, AttemptStatus.AUTO_SUBMITTED, True)
    assert counted == [True, True, True]  # the two earlier reports and the winner
    assert grader_calls == [attempt["id"]]
    submitted = [e for e in committed_events if isinstance(e, AttemptSubmitted)]
    assert [(e.attempt_id, e.reason) for e in submitted] == [(attempt["id"], "violations")]
    recorded = [e for e in committed_events if isinstance(e, ViolationRecorded)]
    assert [(e.total_violations, e.auto_submitted) for e in recorded] == [(3, True)]


def test_ten_parallel_reports_are_all_counted(app_with, auth, attempt, engine,
                                              committed_session):
    counting_app = app_with(threshold=1000, debounce_seconds=0)
    responses = race(counting_app, auth, attempt, ["focus_lost"] * 10)
    assert [r.status_code for r in responses] == [200] * 10, [r.text for r in responses]
    # Each report saw the one before it: the totals are 3..12, each once.
    assert sorted(r.json["total_violations"] for r in responses) == list(range(3, 13))
    total, status, _, counted = stored(engine, attempt["id"])
    assert (total, status, counted) == (12, AttemptStatus.IN_PROGRESS, [True] * 12)


def test_ten_parallel_repeats_count_once(app_with, auth, attempt, engine, committed_session):
    debounced_app = app_with(threshold=1000, debounce_seconds=3600)
    responses = race(debounced_app, auth, attempt, ["right_click"] * 10)
    assert [r.status_code for r in responses] == [200] * 10, [r.text for r in responses]
    assert sorted(r.json["counted"] for r in responses) == [False] * 9 + [True]
    total, _, _, counted = stored(engine, attempt["id"])
    assert total == 3 and counted == [False] * 9 + [True] * 3
