"""Seconds to export 10,000 quiz results, and milliseconds per attempt PDF.

Creates its own MariaDB database (``<test database>_bench_export``, re-created and migrated
here) holding one quiz of ``--questions`` questions and ``--rows`` graded attempts by as
many students (every third name Cyrillic, so the PDFs need the DejaVu fonts), with a marked
answer per question. Then:

1. **in process**, the parts of a results export: the three queries
   (:func:`quiz_plugins.exports.results.load_results`) and each builder (CSV, XLSX with its
   charts, PDF), and one attempt PDF (its queries and reportlab);
2. **over HTTP**, the real application (``quiz_plugins.exports``) under waitress in a
   subprocess on 127.0.0.1: ``GET /api/exports/quiz/{id}/results`` in each format (the whole
   request: token check, queries, document, transfer) and ``GET
   /api/exports/attempts/{id}/pdf`` for ``--attempt-pdfs`` different attempts.

    .venv/bin/python bench/export.py                    # 10,000 rows, 10 questions
    .venv/bin/python bench/export.py --rows 2000 --runs 3

Targets: a 10,000-row results export (CSV and XLSX, over HTTP) in under 3 s, an attempt PDF
in under 300 ms. The exit status is 0 when both are met. The results PDF is measured and
reported too; its 10,000-row table is bounded by ``quizcore.exports.pdf_max_rows``.

The database URL comes from ``--database-url``, else ``QUIZCORE_TEST_DATABASE_URL`` (with
``_bench_export`` added to the database name), else the local
``quizcore_test_bench_export``. Redis from ``QUIZCORE_TEST_REDIS_URL`` (default db 15; only
the health check touches it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
import uuid

import requests
import sqlalchemy as sa

# The other benchmarks' helpers (bench/ is on sys.path when a script in it runs).
from autosave import recreate_database
from login import free_port
from servers import bench_database_url, serve

TEACHER_EMAIL = "bench.teacher@quizcore.local"
TEACHER_PASSWORD = "bench teacher password"
TARGET_RESULTS_SECONDS = 3.0
TARGET_ATTEMPT_PDF_MS = 300.0
BATCH = 2000


def app_settings(database_url: str, redis_url: str) -> dict:
    return {"sqlalchemy.url": database_url, "quizcore.env": "development",
            "quizcore.redis_url": redis_url, "quizcore.ratelimit_enabled": "false",
            "quizcore.mailer": "null", "quizcore.plugins": "quiz_plugins.exports",
            "quizcore.exports.pdf_max_rows": "1000000", "quizcore.bcrypt_rounds": "4"}


def student_name(n: int) -> str:
    if n % 3 == 0:
        return f"Иван Петров {n}"
    return f"Student Number {n}"


def prepare_database(database_url: str, rows: int, questions: int) -> tuple[str, list[str]]:
    """The quiz id and the attempt ids, after inserting everything in multi-row batches."""
    from quizcore import models
    from quizcore.db import make_engine
    from quizcore.domain.passwords import hash_password

    recreate_database(database_url)
    engine = make_engine(database_url)
    now = models.utcnow()
    teacher_id, class_id, quiz_id = (str(uuid.uuid4()) for _ in range(3))
    question_ids = [str(uuid.uuid4()) for _ in range(questions)]
    attempt_ids = [str(uuid.uuid4()) for _ in range(rows)]
    with engine.begin() as connection:
        connection.execute(sa.insert(models.User), [{
            "id": teacher_id, "email": TEACHER_EMAIL, "name": "Bench Teacher",
            "role": models.Role.TEACHER,
            "password_hash": hash_password(TEACHER_PASSWORD, 4)}])
        connection.execute(sa.insert(models.Teacher), [{"id": teacher_id}])
        connection.execute(sa.insert(models.SchoolClass), [{
            "id": class_id, "name": "Grade 9", "section": "A", "academic_year": "2025-2026"}])
        connection.execute(sa.insert(models.Question), [{
            "id": qid, "text": f"Question {i + 1}: which option is right?",
            "type": models.QuestionType.MCQ, "marks": 1 + i % 2, "created_by": teacher_id,
            "options": ["one", "two", "three", "four"], "correct_answer": 1}
            for i, qid in enumerate(question_ids)])
        connection.execute(sa.insert(models.Quiz), [{
            "id": quiz_id, "title": "Контрольная работа: фотосинтез", "subject": "Biology",
            "access_code": "BENCH2", "time_limit_minutes": 60, "created_by": teacher_id,
            "status": models.QuizStatus.PUBLISHED, "passing_percentage": 50}])
        connection.execute(sa.insert(models.QuizQuestion), [{
            "quiz_id": quiz_id, "question_id": qid, "order_index": i}
            for i, qid in enumerate(question_ids)])
        total = sum(1 + i % 2 for i in range(questions))
        for start in range(0, rows, BATCH):
            numbers = range(start, min(rows, start + BATCH))
            student_ids = {n: str(uuid.uuid4()) for n in numbers}
            connection.execute(sa.insert(models.User), [{
                "id": student_ids[n], "email": f"student{n}@bench.example",
                "name": student_name(n), "role": models.Role.STUDENT,
                "password_hash": models.UNUSABLE_PASSWORD} for n in numbers])
            connection.execute(sa.insert(models.Student), [{
                "id": student_ids[n], "registration_number": f"B-{n:06d}",
                "class_id": class_id} for n in numbers])
            attempts, answers = [], []
            for n in numbers:
                marks = [(1 + i % 2) if (n * 7 + i * 3) % 5 < 3 else 0
                         for i in range(questions)]
                score = sum(marks)
                percentage = round(100 * score / total, 2)
                started = now - dt.timedelta(minutes=90 + n % 30)
                attempts.append({
                    "id": attempt_ids[n], "quiz_id": quiz_id, "student_id": student_ids[n],
                    "attempt_number": 1, "status": models.AttemptStatus.GRADED,
                    "started_at": started, "submitted_at": started + dt.timedelta(minutes=25),
                    "deadline_at": started + dt.timedelta(minutes=60), "score": score,
                    "total_marks": total, "percentage": percentage,
                    "passed": percentage >= 50, "total_violations": n % 3})
                answers.extend({
                    "attempt_id": attempt_ids[n], "question_id": qid,
                    "answer_option": 1 if marks[i] else 2, "marks_awarded": marks[i],
                    "is_final": True, "feedback": "Well done." if marks[i] else None}
                    for i, qid in enumerate(question_ids))
            connection.execute(sa.insert(models.QuizAttempt), attempts)
            connection.execute(sa.insert(models.StudentAnswer), answers)
    engine.dispose()
    return quiz_id, attempt_ids


def timed(action):
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def in_process(database_url: str, quiz_id: str, attempt_ids: list[str]) -> None:
    """Where the time of an export goes, without HTTP."""
    from sqlalchemy.orm import Session

    from quiz_plugins.exports import attempt_pdf, results
    from quizcore.db import make_engine
    from quizcore.domain.review import STAFF_POLICY
    from quizcore.models import Quiz, QuizAttempt

    engine = make_engine(database_url)
    with Session(engine) as session:
        quiz = session.get(Quiz, quiz_id)
        data, load = timed(lambda: results.load_results(session, quiz))
        print(f"  load_results (3 queries, {len(data.rows)} rows, "
              f"{len(data.questions)} questions): {load:.2f} s")
        for name, build in (("csv", lambda: b"".join(results.results_csv(data).chunks)),
                            ("xlsx", lambda: results.results_xlsx(data).body),
                            ("pdf", lambda: results.results_pdf(data).body)):
            body, seconds = timed(build)
            print(f"  build {name}: {seconds:.2f} s ({len(body) / 1e6:.1f} MB)")
        samples = []
        for attempt_id in attempt_ids[:20]:
            session.expunge_all()
            attempt = session.get(QuizAttempt, attempt_id)
            _, seconds = timed(lambda a=attempt: attempt_pdf.attempt_pdf(
                attempt_pdf.load_attempt_report(session, a, STAFF_POLICY)).body)
            samples.append(seconds * 1000)
        print(f"  attempt PDF (queries + reportlab), {len(samples)} attempts: "
              f"median {statistics.median(samples):.0f} ms, max {max(samples):.0f} ms")
    engine.dispose()


def main() -> int:

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument("--runs", type=int, default=2, help="requests per results format")
    parser.add_argument("--attempt-pdfs", type=int, default=50)
    parser.add_argument("--database-url")
    parser.add_argument("--redis-url", default=os.environ.get("QUIZCORE_TEST_REDIS_URL",
                                                              "redis://127.0.0.1:6379/15"))
    args = parser.parse_args()
    database_url = bench_database_url(args.database_url, "bench_export")
    print(f"preparing {args.rows} graded attempts of {args.questions} questions...")
    (quiz_id, attempt_ids), seconds = timed(
        lambda: prepare_database(database_url, args.rows, args.questions))
    print(f"  ready in {seconds:.1f} s")
    print("in process:")
    in_process(database_url, quiz_id, attempt_ids)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = app_settings(database_url, args.redis_url)
    figures: dict[str, list[float]] = {}
    sizes: dict[str, int] = {}
    pdf_ms: list[float] = []
    ok = True
    with serve(settings, port):
        login = requests.post(f"{base}/api/auth/login", json={
            "email_or_reg_no": TEACHER_EMAIL, "password": TEACHER_PASSWORD}, timeout=30)
        login.raise_for_status()
        http = requests.Session()
        http.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
        for fmt in ("csv", "xlsx", "pdf"):
            for _ in range(args.runs):
                response, seconds = timed(lambda f=fmt: http.get(
                    f"{base}/api/exports/quiz/{quiz_id}/results", params={"format": f},
                    timeout=300))
                if response.status_code != 200:
                    print(f"{fmt}: HTTP {response.status_code} {response.text[:200]}",
                          file=sys.stderr)
                    ok = False
                figures.setdefault(fmt, []).append(seconds)
                sizes[fmt] = len(response.content)
        step = max(1, len(attempt_ids) // max(1, args.attempt_pdfs))
        for attempt_id in attempt_ids[::step][:args.attempt_pdfs]:
            response, seconds = timed(lambda a=attempt_id: http.get(
                f"{base}/api/exports/attempts/{a}/pdf", timeout=60))
            if response.status_code != 200 or not response.content.startswith(b"%PDF"):
                print(f"attempt PDF: HTTP {response.status_code}", file=sys.stderr)
                ok = False
            pdf_ms.append(seconds * 1000)

    print(f"over HTTP (waitress on 127.0.0.1, {os.cpu_count()} CPU cores shared by the app, "
          "MariaDB and this client):")
    for fmt, samples in figures.items():
        print(f"  GET /api/exports/quiz/{{id}}/results?format={fmt}: {args.rows} rows, "
              f"{sizes[fmt] / 1e6:.1f} MB: best {min(samples):.2f} s, "
              f"worst {max(samples):.2f} s")
    print(f"  GET /api/exports/attempts/{{id}}/pdf ({len(pdf_ms)} attempts, "
          f"{args.questions} questions each): mean {statistics.fmean(pdf_ms):.0f} ms, "
          f"median {statistics.median(pdf_ms):.0f} ms, max {max(pdf_ms):.0f} ms")
    scale = args.rows / 10_000
    spreadsheets_ok = all(min(figures[fmt]) < TARGET_RESULTS_SECONDS * scale
                          for fmt in ("csv", "xlsx"))
    pdf_ok = statistics.median(pdf_ms) < TARGET_ATTEMPT_PDF_MS
    print(f"target: 10,000 result rows (CSV, XLSX) in < {TARGET_RESULTS_SECONDS:.0f} s: "
          f"{'met' if spreadsheets_ok else 'NOT met'}; attempt PDF < "
          f"{TARGET_ATTEMPT_PDF_MS:.0f} ms: {'met' if pdf_ok else 'NOT met'}")
    return 0 if ok and spreadsheets_ok and pdf_ok else 1


if __name__ == "__main__":
    sys.exit(main())
