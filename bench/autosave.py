"""Autosave throughput: ``POST /api/attempts/{id}/answer`` under a class of students.

N simulated students (client threads with keep-alive connections) hammer a real waitress
server (a subprocess, ``--threads`` worker threads, on a free port) backed by MariaDB and
Redis. Each simulated student sends its next request as soon as the previous one is
answered (a closed loop, no think time), so the server runs flat out: a real student
autosaves every few seconds, so one simulated student stands for hundreds of real ones, and
the latency figures include the queueing of N requests in flight at every moment. Three
phases run in the same server, one after the other:

1. baseline: ``GET /api/attempts/{id}/status`` -- an authenticated endpoint that does one
   primary-key SELECT (the JWT's user row is read by the security policy on every request,
   as for autosave);
2. autosave: ``POST /api/attempts/{id}/answer`` with an increasing ``client_seq``;
3. baseline again (the reference is the mean of both baseline runs).

Afterwards every acknowledged save is checked against the database: the row of each
(attempt, question) must hold the newest acknowledged answer (translated back to the original
option index) with its ``client_seq`` (older saves of the same question are replaced by
design), and no row may exist that no acknowledged save wrote.

Targets: autosave >= 60 % of the baseline's req/s, p99 < 150 ms, zero errors, every
acknowledged save present. The exit status is 0 when all are met.

    .venv/bin/python bench/autosave.py --students 25 --duration 15

It re-creates its own database (``--database-url``, default ``quizcore_bench`` on the local
MariaDB) and writes to the Redis database ``--redis-url`` (default db 13) without flushing it.
Students get their access tokens minted directly with ``quizcore.security`` (the login
endpoint is not exercised); the server runs with rate limits off, since the benchmark
measures the endpoint, not the limiter.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]

DEFAULT_DATABASE_URL = "mysql+mysqldb://quiz:quiz@127.0.0.1:3306/quizcore_bench?charset=utf8mb4"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"
TARGET_RATIO = 0.60
TARGET_P99_MS = 150.0


def percentile(values, fraction):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# -- database and data -----------------------------------------------------------------------


def recreate_database(url: str) -> None:
    from alembic import command

    from quizcore.db import make_engine
    from quizcore.migrations import alembic_config

    parsed = sa.make_url(url)
    if not parsed.database or not parsed.database.startswith("quizcore"):
        raise SystemExit("The benchmark database name must start with 'quizcore'.")
    server = make_engine(parsed.set(database="").render_as_string(hide_password=False),
                         poolclass=sa.pool.NullPool)
    with server.connect() as connection:
        connection.execute(sa.text(f"DROP DATABASE IF EXISTS `{parsed.database}`"))
        connection.execute(sa.text(f"CREATE DATABASE `{parsed.database}` CHARACTER SET utf8mb4 "
                                   "COLLATE utf8mb4_unicode_ci"))
    server.dispose()
    command.upgrade(alembic_config(url), "head")


def settings_for(args) -> dict:
    return {
        "sqlalchemy.url": args.database_url,
        "quizcore.env": "development",
        "quizcore.redis_url": args.redis_url,
        "quizcore.ratelimit_enabled": "false",
        "quizcore.plugins": "",
        "quizcore.mailer": "null",
    }


def seed(args):
    """A teacher, a class of ``--students``, a published quiz of ``--questions`` questions
    (shuffled questions and options); returns the quiz id, the students and their tokens."""
    from quizcore.app import make_config
    from quizcore.models import (
        Question,
        QuestionType,
        Quiz,
        QuizClass,
        QuizQuestion,
        QuizStatus,
        Role,
        SchoolClass,
        Student,
        Teacher,
        TeacherClass,
        User,
        utcnow,
    )

    config = make_config(settings_for(args))
    registry = config.registry
    session = registry["dbsession_factory"]()
    teacher_user = User(email="bench.teacher@quizcore.local", name="Bench Teacher",
                        role=Role.TEACHER)
    session.add(teacher_user)
    session.flush()
    session.add(Teacher(id=teacher_user.id, subject="Benchmarks"))
    school_class = SchoolClass(name="Bench class", section="A", academic_year="2025")
    session.add(school_class)
    session.flush()
    session.add(TeacherClass(teacher_id=teacher_user.id, class_id=school_class.id))
    questions = []
    for index in range(args.questions):
        if index % 4 == 3:
            question = Question(created_by=teacher_user.id, type=QuestionType.SHORT_ANSWER,
                                text=f"Short question {index}", marks=1,
                                accepted_answers=["answer"])
        else:
            question = Question(created_by=teacher_user.id, type=QuestionType.MCQ,
                                text=f"Question {index}", marks=1,
                                options=[f"option {i}" for i in range(4)], correct_answer=0)
        session.add(question)
        questions.append(question)
    now = utcnow()
    quiz = Quiz(title="Autosave bench", subject="Benchmarks", access_code="BENCH1",
                time_limit_minutes=120, status=QuizStatus.PUBLISHED, created_by=teacher_user.id,
                randomize_questions=True, randomize_options=True, max_attempts=1,
                start_date=now.replace(year=now.year - 1))
    session.add(quiz)
    session.flush()
    for index, question in enumerate(questions):
        session.add(QuizQuestion(quiz_id=quiz.id, question_id=question.id, order_index=index))
    session.add(QuizClass(quiz_id=quiz.id, class_id=school_class.id))
    students = []
    for number in range(args.students):
        user = User(email=f"bench.student{number}@quizcore.local", name=f"Student {number}",
                    role=Role.STUDENT)
        session.add(user)
        session.flush()
        session.add(Student(id=user.id, registration_number=f"BENCH{number:05d}",
                            class_id=school_class.id, is_account_claimed=True))
        students.append(user)
    session.commit()
    policy = registry["quizcore.security_policy"]
    lifetime = registry.settings["quizcore.access_token_lifetime_seconds"]
    tokens = [policy.create_access_token(user, lifetime).token for user in students]
    quiz_id = quiz.id
    session.close()
    registry["dbengine"].dispose()
    return quiz_id, tokens


# -- the server ------------------------------------------------------------------------------


def write_ini(args, directory: str) -> str:
    path = os.path.join(directory, "bench.ini")
    settings = "\n".join(f"{key} = {value}" for key, value in settings_for(args).items())
    with open(path, "w") as handle:
        handle.write(textwrap.dedent("""\
            [app:main]
            use = egg:quizcore
            {settings}

            [loggers]
            keys = root, waitress_queue

            [handlers]
            keys = console

            [formatters]
            keys = generic

            [logger_root]
            level = WARNING
            handlers = console

            [logger_waitress_queue]
            level = ERROR
            handlers =
            qualname = waitress.queue

            [handler_console]
            class = StreamHandler
            args = (sys.stderr,)
            level = NOTSET
            formatter = generic

            [formatter_generic]
            format = %(asctime)s %(levelname)-5.5s [%(name)s] %(message)s
            """).replace("{settings}", settings.replace("%", "%%")))
    return path


SERVER_CODE = """
import sys
from pyramid.paster import get_app, setup_logging
from waitress import serve
ini, port, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
setup_logging(ini)
serve(get_app(ini, "main"), listen=f"127.0.0.1:{port}", threads=threads,
      connection_limit=1000, channel_timeout=60, ident="quizcore-bench")
"""


def start_server(ini: str, port: int, threads: int) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-c", SERVER_CODE, ini, str(port), str(threads)],
                               cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"The server exited with status {process.returncode}.")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/api/health")
            if connection.getresponse().status in (200, 503):
                connection.close()
                return process
        except OSError:
            pass
        time.sleep(0.1)  # waiting for the server to listen, bounded by the deadline
    process.terminate()
    raise SystemExit("The server did not answer within 60 s.")


# -- the load --------------------------------------------------------------------------------


class Student:
    def __init__(self, port: int, token: str):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.headers = {"Authorization": f"Bearer {token}",
                        "Content-Type": "application/json"}
        self.attempt_id = None
        self.questions = []
        self.seq = 0
        #: (question_id) -> (client_seq, shown option or text) of the last acknowledged save.
        self.acknowledged = {}
        self.acknowledged_count = 0

    def call(self, method: str, path: str, body=None):
        payload = json.dumps(body) if body is not None else None
        try:
            self.connection.request(method, path, body=payload, headers=self.headers)
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()  # reconnect on the next request
            raise
        return response.status, data

    def start(self, quiz_id: str) -> None:
        status, data = self.call("POST", f"/api/quizzes/{quiz_id}/start")
        if status not in (200, 201):
            raise SystemExit(f"start failed: {status} {data[:200]!r}")
        body = json.loads(data)
        self.attempt_id = body["attempt_id"]
        self.questions = body["questions"]

    def baseline_request(self):
        return self.call("GET", f"/api/attempts/{self.attempt_id}/status")

    def autosave_request(self):
        question = self.questions[self.seq % len(self.questions)]
        self.seq += 1
        if question["type"] == "mcq":
            value = random.randrange(len(question["options"]))
            body = {"question_id": question["id"], "answer_option": value,
                    "client_seq": self.seq}
        else:
            value = f"text {self.seq}"
            body = {"question_id": question["id"], "answer_text": value,
                    "client_seq": self.seq}
        status, data = self.call("POST", f"/api/attempts/{self.attempt_id}/answer", body)
        if status == 200:
            self.acknowledged[question["id"]] = (self.seq, value)
            self.acknowledged_count += 1
        return status, data


def run_phase(students, make_request, duration: float, warmup: float):
    """Every student loops ``make_request(student)`` for ``duration`` seconds (after a
    ``warmup`` that is not measured); returns latencies (ms), errors and elapsed time."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(students) + 1)
    timing = {}

    def worker(student):
        own_latencies, own_errors = [], []
        barrier.wait()
        measure_from = timing["start"] + warmup
        stop_at = measure_from + duration
        while True:
            began = time.perf_counter()
            if began >= stop_at:
                break
            try:
                status, data = make_request(student)
                if status != 200:
                    own_errors.append(f"{status} {data[:120]!r}")
            except Exception as exc:  # noqa: BLE001 - every failure counts as an error
                own_errors.append(repr(exc))
            ended = time.perf_counter()
            if began >= measure_from:
                own_latencies.append((ended - began) * 1000)
        with lock:
            latencies.extend(own_latencies)
            errors.extend(own_errors)

    threads = [threading.Thread(target=worker, args=(s,)) for s in students]
    for thread in threads:
        thread.start()
    timing["start"] = time.perf_counter()
    barrier.wait()
    for thread in threads:
        thread.join()
    return latencies, errors, duration


def summary(name, latencies, errors, elapsed):
    rate = len(latencies) / elapsed if elapsed else 0.0
    return {"phase": name, "requests": len(latencies), "errors": len(errors),
            "rps": rate, "p50": percentile(latencies, 0.50), "p99": percentile(latencies, 0.99),
            "max": max(latencies) if latencies else float("nan"),
            "mean": statistics.fmean(latencies) if latencies else float("nan"),
            "error_samples": errors[:3]}


# -- the check -------------------------------------------------------------------------------


def check_saves(args, students):
    """Every acknowledged save must be the stored answer of its question."""
    from quizcore.db import make_engine
    from quizcore.domain import shuffle
    from quizcore.models import StudentAnswer

    engine = make_engine(args.database_url, poolclass=sa.pool.NullPool)
    problems, checked = [], 0
    with engine.connect() as connection:
        rows = connection.execute(sa.select(
            StudentAnswer.attempt_id, StudentAnswer.question_id, StudentAnswer.answer_option,
            StudentAnswer.answer_text, StudentAnswer.client_seq)).all()
    stored = {(r.attempt_id, r.question_id): r for r in rows}
    for student in students:
        by_id = {q["id"]: q for q in student.questions}
        for question_id, (seq, value) in student.acknowledged.items():
            checked += 1
            row = stored.get((student.attempt_id, question_id))
            if row is None:
                problems.append(f"missing: attempt {student.attempt_id} question {question_id}")
                continue
            question = by_id[question_id]
            if question["type"] == "mcq":
                perm = shuffle.option_order(student.attempt_id, question_id,
                                            len(question["options"]), "mcq", True)
                expected = (shuffle.to_original(perm, value), None)
            else:
                expected = (None, value)
            if (row.answer_option, row.answer_text) != expected or row.client_seq != seq:
                problems.append(f"stale: attempt {student.attempt_id} question {question_id}: "
                                f"stored {row.answer_option, row.answer_text, row.client_seq}, "
                                f"acknowledged {expected + (seq,)}")
    acknowledged_pairs = {(s.attempt_id, q) for s in students for q in s.acknowledged}
    extra = set(stored) - acknowledged_pairs
    if extra:
        problems.append(f"{len(extra)} stored answers were never acknowledged")
    engine.dispose()
    return checked, problems


def cleanup_redis(args, quiz_id: str) -> None:
    import redis

    from quizcore.domain.quiz_payload import cache_key, generation_key
    from quizcore.wire import stream_key

    client = redis.Redis.from_url(args.redis_url)
    client.delete(stream_key(quiz_id), cache_key(quiz_id), generation_key(quiz_id))
    client.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=25,
                        help="simulated students, each with one request in flight")
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per phase")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds per phase")
    parser.add_argument("--threads", type=int, default=8, help="waitress worker threads")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    args = parser.parse_args(argv)

    print(f"Re-creating {sa.make_url(args.database_url).database} and seeding "
          f"{args.students} students, {args.questions} questions ...", flush=True)
    recreate_database(args.database_url)
    quiz_id, tokens = seed(args)
    print("Access tokens minted directly with quizcore.security (no login requests).")

    port = free_port()
    with tempfile.TemporaryDirectory() as directory:
        ini = write_ini(args, directory)
        server = start_server(ini, port, args.threads)
        try:
            students = [Student(port, token) for token in tokens]
            for student in students:
                student.start(quiz_id)
            print(f"waitress on 127.0.0.1:{port} with {args.threads} threads; "
                  f"{len(students)} attempts started; {args.duration:g} s per phase "
                  f"(+{args.warmup:g} s warm-up).", flush=True)
            results = []
            for name, make_request in (("baseline", Student.baseline_request),
                                       ("autosave", Student.autosave_request),
                                       ("baseline (again)", Student.baseline_request)):
                results.append(summary(name, *run_phase(students, make_request, args.duration,
                                                        args.warmup)))
                print(f"  {name} done", flush=True)
        finally:
            server.terminate()
            server.wait(timeout=30)
    checked, problems = check_saves(args, students)
    cleanup_redis(args, quiz_id)

    print()
    print(f"{'phase':<18}{'requests':>10}{'errors':>8}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}"
          f"{'max ms':>9}")
    for r in results:
        print(f"{r['phase']:<18}{r['requests']:>10}{r['errors']:>8}{r['rps']:>10.1f}"
              f"{r['p50']:>9.1f}{r['p99']:>9.1f}{r['max']:>9.1f}")
        for sample in r["error_samples"]:
            print(f"    error: {sample}")
    baseline_rps = statistics.fmean([results[0]["rps"], results[2]["rps"]])
    autosave = results[1]
    ratio = autosave["rps"] / baseline_rps if baseline_rps else 0.0
    errors = sum(r["errors"] for r in results)
    verdicts = [
        (f"autosave req/s >= {TARGET_RATIO:.0%} of baseline", ratio >= TARGET_RATIO,
         f"{autosave['rps']:.1f} / {baseline_rps:.1f} = {ratio:.0%}"),
        (f"autosave p99 < {TARGET_P99_MS:.0f} ms", autosave["p99"] < TARGET_P99_MS,
         f"{autosave['p99']:.1f} ms"),
        ("zero errors", errors == 0, f"{errors} errors"),
        ("every acknowledged save in the database", not problems,
         f"{sum(s.acknowledged_count for s in students)} saves acknowledged; the stored answer "
         f"of each of the {checked} (attempt, question) pairs is its newest acknowledged save; "
         f"{len(problems)} problems"),
    ]
    print()
    print("Baseline: GET /api/attempts/{id}/status (JWT + user row + one primary-key SELECT).")
    print(f"At an autosave every 5 s per student, {autosave['rps']:.0f} saves/s serve about "
          f"{autosave['rps'] * 5:.0f} students writing at once.")
    for label, ok, detail in verdicts:
        print(f"  [{'PASS' if ok else 'FAIL'}] {label}: {detail}")
    for problem in problems[:10]:
        print(f"    {problem}")
    return 0 if all(ok for _, ok, _ in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
