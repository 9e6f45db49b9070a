"""Seconds to regrade a whole quiz: 1,000 submitted attempts of 40 mixed-type questions.

Creates its own MariaDB database (``<test database>_bench_regrade``, re-created and
migrated here) with one teacher, a published quiz of ``--questions`` questions cycling
through the auto-marked types (mcq, true_false, short_answer, multiple_answer with partial
credit, numerical with two tolerances, matching, ordering with partial credit) and
``--attempts`` submitted attempts whose answers vary per student. Every stored mark is 0,
as after an answer-key correction, so the regrade changes every attempt. Then, over HTTP
to waitress with ``quiz_plugins.grading``: ``POST /api/grading/quizzes/{id}/regrade``
(timed), a dry run afterwards (must find nothing left to change), and checks that each
attempt's score is the sum of its answers' marks.

    .venv/bin/python bench/regrade.py                     # 1,000 attempts x 40 questions
    .venv/bin/python bench/regrade.py --attempts 200 --questions 20

Target: under 10 s for 1,000 attempts of 40 questions. Exit status 0 when met and every
check holds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
import uuid

import sqlalchemy as sa

# The other benchmarks' helpers (bench/ is on sys.path when a script in it runs).
from autosave import recreate_database
from login import free_port
from servers import bench_database_url, serve, signed_in

TEACHER_EMAIL = "bench.teacher@quizcore.local"
TEACHER_PASSWORD = "bench teacher password"
TARGET_SECONDS = 10.0
BATCH = 500


def app_settings(database_url: str, redis_url: str) -> dict:
    return {"sqlalchemy.url": database_url, "quizcore.env": "development",
            "quizcore.redis_url": redis_url, "quizcore.ratelimit_enabled": "false",
            "quizcore.mailer": "null", "quizcore.plugins": "quiz_plugins.grading",
            "quizcore.bcrypt_rounds": "4"}


def question_rows(models, teacher_id: str, count: int) -> list[dict]:
    """``count`` questions, the seven auto-marked kinds in turn."""
    rows = []
    for i in range(count):
        base = {"id": str(uuid.uuid4()), "text": f"Question {i + 1}", "marks": 2,
                "created_by": teacher_id, "options": None, "correct_answer": None,
                "accepted_answers": None, "details": None}
        kind = i % 7
        if kind == 0:
            base.update(type=models.QuestionType.MCQ, options=["a", "b", "c", "d"],
                        correct_answer=1)
        elif kind == 1:
            base.update(type=models.QuestionType.TRUE_FALSE, correct_answer=0)
        elif kind == 2:
            base.update(type=models.QuestionType.SHORT_ANSWER,
                        accepted_answers=["Paris", "paris"])
        elif kind == 3:
            base.update(type=models.QuestionType.MULTIPLE_ANSWER, options=["a", "b", "c", "d"],
                        details={"correct_answers": [0, 2], "scoring": "partial"})
        elif kind == 4:
            base.update(type=models.QuestionType.NUMERICAL, details={"numeric_answers": [
                {"value": 3.14, "tolerance": 0.01, "tolerance_type": "absolute", "credit": 1},
                {"value": 3.0, "tolerance": 0.2, "tolerance_type": "absolute",
                 "credit": 0.5}], "decimal_comma": False})
        elif kind == 5:
            base.update(type=models.QuestionType.MATCHING, details={"pairs": [
                {"left": f"L{p}", "right": f"R{p}"} for p in range(4)]})
        else:
            base.update(type=models.QuestionType.ORDERING, details={
                "items": ["1", "2", "3", "4"], "scoring": "partial"})
        rows.append(base)
    return rows


def answer_row(attempt_id: str, question: dict, n: int) -> dict:
    """Student ``n``'s answer to ``question`` (original indexes), right about half the time."""
    kind, right = question["type"].value, (n + len(question["text"])) % 2 == 0
    row = {"attempt_id": attempt_id, "question_id": question["id"], "answer_option": None,
           "answer_text": None, "answer_data": None, "marks_awarded": 0, "is_final": True}
    if kind == "mcq":
        row["answer_option"] = 1 if right else n % 4
    elif kind == "true_false":
        row["answer_option"] = 0 if right else 1
    elif kind == "short_answer":
        row["answer_text"] = "Paris" if right else "Lyon"
    elif kind == "multiple_answer":
        row["answer_data"] = {"options": [0, 2] if right else [0, n % 4]}
    elif kind == "numerical":
        text = "3.14" if right else ("3.1" if n % 3 else "2")
        row.update(answer_text=text, answer_data={"number": text})
    elif kind == "matching":
        row["answer_data"] = {"matches": {str(p): (p if right or p % 2 else (p + 1) % 4)
                                          for p in range(4)}}
    else:
        row["answer_data"] = {"order": [0, 1, 2, 3] if right else [1, 0, 2, 3]}
    return row


def prepare_database(database_url: str, attempts: int, questions: int) -> str:
    from quizcore import models
    from quizcore.db import make_engine
    from quizcore.domain.passwords import hash_password

    recreate_database(database_url)
    engine = make_engine(database_url)
    now = models.utcnow()
    teacher_id, class_id, quiz_id = (str(uuid.uuid4()) for _ in range(3))
    with engine.begin() as connection:
        connection.execute(sa.insert(models.User), [{
            "id": teacher_id, "email": TEACHER_EMAIL, "name": "Bench Teacher",
            "role": models.Role.TEACHER, "password_hash": hash_password(TEACHER_PASSWORD, 4)}])
        connection.execute(sa.insert(models.Teacher), [{"id": teacher_id}])
        connection.execute(sa.insert(models.SchoolClass), [{
            "id": class_id, "name": "Grade 9", "section": "A", "academic_year": "2025-2026"}])
        rows = question_rows(models, teacher_id, questions)
        connection.execute(sa.insert(models.Question), rows)
        connection.execute(sa.insert(models.Quiz), [{
            "id": quiz_id, "title": "Regrade bench", "subject": "Mixed",
            "access_code": "REGRD1", "time_limit_minutes": 60, "created_by": teacher_id,
            "status": models.QuizStatus.PUBLISHED, "passing_percentage": 50}])
        connection.execute(sa.insert(models.QuizQuestion), [{
            "quiz_id": quiz_id, "question_id": row["id"], "order_index": i}
            for i, row in enumerate(rows)])
        total = 2 * questions
        for start in range(0, attempts, BATCH):
            numbers = range(start, min(attempts, start + BATCH))
            student_ids = {n: str(uuid.uuid4()) for n in numbers}
            attempt_ids = {n: str(uuid.uuid4()) for n in numbers}
            connection.execute(sa.insert(models.User), [{
                "id": student_ids[n], "email": f"student{n}@bench.example",
                "name": f"Student {n}", "role": models.Role.STUDENT,
                "password_hash": models.UNUSABLE_PASSWORD} for n in numbers])
            connection.execute(sa.insert(models.Student), [{
                "id": student_ids[n], "registration_number": f"B-{n:06d}",
                "class_id": class_id} for n in numbers])
            started = now - dt.timedelta(hours=2)
            connection.execute(sa.insert(models.QuizAttempt), [{
                "id": attempt_ids[n], "quiz_id": quiz_id, "student_id": student_ids[n],
                "attempt_number": 1, "status": models.AttemptStatus.GRADED,
                "started_at": started, "submitted_at": started + dt.timedelta(minutes=30),
                "deadline_at": started + dt.timedelta(minutes=60), "score": 0,
                "total_marks": total, "percentage": 0, "passed": False}
                for n in numbers])
            connection.execute(sa.insert(models.StudentAnswer), [
                answer_row(attempt_ids[n], row, n) for n in numbers for row in rows])
    engine.dispose()
    return quiz_id


def inconsistent_scores(database_url: str, quiz_id: str) -> int:
    """Attempts whose score is not the sum of their answers' marks."""
    from quizcore import models
    from quizcore.db import make_engine

    engine = make_engine(database_url)
    sums = (sa.select(models.StudentAnswer.attempt_id,
                      sa.func.sum(models.StudentAnswer.marks_awarded).label("marks"))
            .group_by(models.StudentAnswer.attempt_id).subquery())
    with engine.connect() as connection:
        count = connection.execute(
            sa.select(sa.func.count()).select_from(models.QuizAttempt)
            .join(sums, sums.c.attempt_id == models.QuizAttempt.id)
            .where(models.QuizAttempt.quiz_id == quiz_id,
                   sa.func.abs(models.QuizAttempt.score - sums.c.marks) > 0.005)).scalar_one()
    engine.dispose()
    return count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=1000)
    parser.add_argument("--questions", type=int, default=40)
    parser.add_argument("--database-url")
    parser.add_argument("--redis-url", default=os.environ.get("QUIZCORE_TEST_REDIS_URL",
                                                              "redis://127.0.0.1:6379/15"))
    args = parser.parse_args()
    database_url = bench_database_url(args.database_url, "bench_regrade")
    started = time.perf_counter()
    quiz_id = prepare_database(database_url, args.attempts, args.questions)
    print(f"prepared {args.attempts} attempts x {args.questions} questions in "
          f"{time.perf_counter() - started:.1f} s")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with serve(app_settings(database_url, args.redis_url), port):
        http = signed_in(base, TEACHER_EMAIL, TEACHER_PASSWORD)
        clock = time.perf_counter()
        http.get(f"{base}/api/health", timeout=30)
        floor_ms = (time.perf_counter() - clock) * 1000
        clock = time.perf_counter()
        response = http.post(f"{base}/api/grading/quizzes/{quiz_id}/regrade", timeout=600)
        seconds = time.perf_counter() - clock
        report = response.json()
        again = http.post(f"{base}/api/grading/quizzes/{quiz_id}/regrade",
                          params={"dry_run": "true"}, timeout=600).json()
    load = os.getloadavg()
    changed, left = report.get("attempts_changed"), again.get("attempts_changed")
    wrong = inconsistent_scores(database_url, quiz_id)
    scale = args.attempts * args.questions / 40_000
    print(f"over HTTP to waitress on 127.0.0.1, {os.cpu_count()} CPU cores shared by the app, "
          f"MariaDB and this client; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
          f"GET /api/health {floor_ms:.1f} ms")
    print(f"regrade: HTTP {response.status_code}, {seconds:.2f} s for {args.attempts} attempts "
          f"x {args.questions} questions ({args.attempts / seconds:.0f} attempts/s); "
          f"report: checked {report.get('attempts_checked')}, changed {changed}")
    print(f"dry run afterwards: {left} left to change; attempts whose score is not the sum "
          f"of their marks: {wrong}")
    ok = (response.status_code == 200 and changed == args.attempts and left == 0
          and wrong == 0 and seconds < TARGET_SECONDS * scale)
    print(f"target: 1,000 x 40 in < {TARGET_SECONDS:.0f} s: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
