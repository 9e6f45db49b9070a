"""Live monitor latency: API commit -> teacher's websocket, under a class-sized load.

N simulated students start a quiz and then save answers and report violations through the
real API (waitress + Pyramid + MariaDB, events published to Redis after commit) while M
teachers watch through the real sidecar (``quiz-monitor``). Every event each watcher should
see is matched with the moment its transaction committed; the script prints the latency
percentiles and the events that never arrived.

    .venv/bin/python bench/monitor_latency.py --students 1000 --monitors 50

It creates (and drops first) its own database, ``--database-url`` (default
``quizcore_bench_monitor`` on the local MariaDB), and flushes the Redis database
``--redis-url`` (default db 12): point it at nothing that matters.

The students use the real endpoints, ``POST /api/quizzes/{id}/start``,
``/api/attempts/{id}/answer`` and ``/api/attempts/{id}/violations``, with the plugins of
``development.ini`` plus ``bench/commit_stamp.py``, which adds an ``X-Committed-At`` header
taken right after the commit and before the event is published. The anti-cheat threshold
and debounce are switched off for the run (``quizcore.anticheat.threshold`` 1000,
``debounce_seconds`` 0) so that every report is a counted event and no attempt ends halfway.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))  # commit_stamp, the benchmark's own plugin

PATHS = {"start": "/api/quizzes/{quiz_id}/start",
         "answer": "/api/attempts/{attempt_id}/answer",
         "violation": "/api/attempts/{attempt_id}/violations"}
VIOLATIONS = ["tab_switch", "fullscreen_exit", "copy_attempt", "focus_lost", "right_click"]
QUESTIONS_PER_QUIZ = 20


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


# -- set-up -------------------------------------------------------------------------------


def settings_for(args) -> dict:
    from plaster import get_settings

    settings = dict(get_settings(str(ROOT / "development.ini"), "app:main"))
    settings.update({"sqlalchemy.url": args.database_url, "quizcore.redis_url": args.redis_url,
                     "quizcore.env": "test", "quizcore.ratelimit_enabled": "false",
                     "quizcore.mailer": "null", "retry.attempts": "3",
                     "quizcore.anticheat.threshold": "1000",
                     "quizcore.anticheat.debounce_seconds": "0"})
    settings["quizcore.plugins"] = "\n".join(
        [settings.get("quizcore.plugins", ""), "commit_stamp"])
    return settings


def prepare(args) -> dict:
    """Fresh database and Redis db; seed teachers, classes, quizzes, students; mint tokens."""
    import datetime as dt

    import redis
    import sqlalchemy as sa
    from alembic import command

    from quizcore import models
    from quizcore.app import make_config
    from quizcore.db import get_session_factory, make_engine
    from quizcore.migrations import alembic_config

    url = sa.make_url(args.database_url)
    server = make_engine(url.set(database="").render_as_string(hide_password=False),
                         poolclass=sa.pool.NullPool)
    with server.connect() as connection:
        connection.execute(sa.text(f"DROP DATABASE IF EXISTS `{url.database}`"))
        connection.execute(sa.text(f"CREATE DATABASE `{url.database}` CHARACTER SET utf8mb4 "
                                   "COLLATE utf8mb4_unicode_ci"))
    command.upgrade(alembic_config(args.database_url), "head")
    redis.Redis.from_url(args.redis_url).flushdb()

    engine = make_engine(args.database_url)
    session = get_session_factory(engine)()
    now = models.utcnow()
    plan = {"quizzes": [], "students": [], "watch_tokens": []}
    teachers = []
    for q in range(args.quizzes):
        teacher = models.User(id=str(uuid.uuid4()), email=f"teacher{q}@bench.example",
                              name=f"Teacher {q}", role=models.Role.TEACHER)
        session.add(teacher)
        session.flush()
        session.add(models.Teacher(id=teacher.id))
        session.flush()
        school_class = models.SchoolClass(id=str(uuid.uuid4()), name=f"Bench {q}")
        quiz = models.Quiz(id=str(uuid.uuid4()), title=f"Bench quiz {q}", subject="Bench",
                           access_code=f"BENCH{q:04d}", time_limit_minutes=120,
                           status=models.QuizStatus.PUBLISHED,
                           start_date=now - dt.timedelta(days=1),
                           end_date=now + dt.timedelta(days=1), created_by=teacher.id)
        session.add_all([school_class, quiz])
        session.flush()
        session.add(models.QuizClass(quiz_id=quiz.id, class_id=school_class.id))
        question_ids = []
        for n in range(QUESTIONS_PER_QUIZ):
            question = models.Question(id=str(uuid.uuid4()), text=f"Q{n}", created_by=teacher.id,
                                       type=models.QuestionType.MCQ, marks=1,
                                       options=["a", "b", "c", "d"], correct_answer=0)
            session.add(question)
            session.flush()
            session.add(models.QuizQuestion(quiz_id=quiz.id, question_id=question.id,
                                            order_index=n))
            question_ids.append(question.id)
        teachers.append(teacher)
        plan["quizzes"].append({"id": quiz.id, "class_id": school_class.id,
                                "question_ids": question_ids})
    students = []
    for s in range(args.students):
        quiz = plan["quizzes"][s % args.quizzes]
        user = models.User(id=str(uuid.uuid4()), email=f"student{s}@bench.example",
                           name=f"Student {s:04d}", role=models.Role.STUDENT)
        students.append((user, quiz))
    session.add_all([user for user, _ in students])
    session.flush()
    session.add_all([models.Student(id=user.id, registration_number=f"BENCH{i:05d}",
                                    class_id=quiz["class_id"], is_account_claimed=True)
                     for i, (user, quiz) in enumerate(students)])
    session.commit()

    config = make_config(settings_for(args), registry_overrides={"dbengine": engine})
    policy = config.registry["quizcore.security_policy"]

    def token(user):
        return policy.create_access_token(user, 4 * 3600).token

    for user, quiz in students:
        plan["students"].append({"token": token(user), "quiz_id": quiz["id"],
                                 "question_ids": quiz["question_ids"]})
    # Monitors spread over the quizzes, each with the token of that quiz's teacher.
    for m in range(args.monitors):
        q = m % args.quizzes
        plan["watch_tokens"].append({"quiz_id": plan["quizzes"][q]["id"],
                                     "token": token(teachers[q])})
    session.close()
    engine.dispose()
    return plan


# -- the API process ----------------------------------------------------------------------


def serve_api(args) -> None:
    import logging

    import waitress

    from quizcore.app import make_config

    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # one line per queued request
    app = make_config(settings_for(args)).make_wsgi_app()
    waitress.serve(app, host="127.0.0.1", port=args.port, threads=args.api_threads,
                   connection_limit=2000, backlog=2048, _quiet=True)


# -- the students process -----------------------------------------------------------------


async def run_students(args) -> None:
    from tornado.httpclient import AsyncHTTPClient, HTTPRequest

    plan = json.loads(Path(args.plan).read_text())
    paths = PATHS
    http = AsyncHTTPClient(max_clients=args.concurrency)
    log = open(args.log, "w")
    api = args.api_url

    async def post(path, token, body):
        sent = time.time()
        response = await http.fetch(HTTPRequest(
            api + path, method="POST", body=json.dumps(body), request_timeout=60,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"}),
            raise_error=False)
        done = time.time()
        if response.code not in (200, 201):  # a start answers 201
            return None, sent, done
        committed = float(response.headers.get("X-Committed-At", sent))
        return json.loads(response.body), committed, done

    students = [dict(s, attempt_id=None, answered=0, violations=0) for s in plan["students"]]
    # Round-robin: everyone starts, then everyone's first event, and so on.
    schedule = [(s, "start") for s in students]
    for n in range(args.events_per_student):
        schedule += [(s, "answer" if n % 2 == 0 else "violation") for s in students]
    start_at = time.time() + 0.5
    queue: asyncio.Queue = asyncio.Queue()
    for i, item in enumerate(schedule):
        queue.put_nowait((start_at + i / args.rate, item))
    failures = 0

    async def worker():
        nonlocal failures
        while not queue.empty():
            due, (student, action) = queue.get_nowait()
            await asyncio.sleep(max(0.0, due - time.time()))
            if action != "start" and student["attempt_id"] is None:
                continue  # its start failed
            if action == "start":
                body, committed, done = await post(paths["start"].format(
                    quiz_id=student["quiz_id"]), student["token"], {})
                if body:
                    student["attempt_id"] = body["attempt_id"]
                    key = [body["attempt_id"], "attempt_started", 0]
            elif action == "answer":
                question = student["question_ids"][student["answered"]]
                body, committed, done = await post(paths["answer"].format(
                    attempt_id=student["attempt_id"]), student["token"],
                    {"question_id": question, "answer_option": 1})
                if body:
                    student["answered"] += 1
                    key = [student["attempt_id"], "answer_saved", student["answered"]]
            else:
                kind = VIOLATIONS[student["violations"] % len(VIOLATIONS)]
                body, committed, done = await post(paths["violation"].format(
                    attempt_id=student["attempt_id"]), student["token"],
                    {"violation_type": kind, "question_index": 0})
                if body:
                    student["violations"] += 1
                    key = [student["attempt_id"], "violation", body["total_violations"]]
            if body is None:
                failures += 1
                continue
            log.write(json.dumps({"quiz_id": student["quiz_id"], "key": key,
                                  "committed_at": committed, "request_s": done - committed})
                      + "\n")

    await asyncio.gather(*(worker() for _ in range(args.concurrency)))
    log.close()
    print(json.dumps({"failures": failures}))


# -- the watchers (this process) ------------------------------------------------------------


def event_key(message):
    data = message["data"]
    if message["type"] == "attempt_started":
        return (data["attempt_id"], "attempt_started", 0)
    if message["type"] == "answer_saved":
        return (data["attempt_id"], "answer_saved", data["answered_questions"])
    if message["type"] == "violation":
        return (data["attempt_id"], "violation", data["total_violations"])
    return None


async def watch(url, quiz_id, token, received, ready):
    from tornado.websocket import websocket_connect

    connection = await websocket_connect(url + f"/ws/quiz-monitor/{quiz_id}",
                                         max_message_size=64 * 1024 * 1024)
    connection.write_message(json.dumps({"type": "auth", "token": token}))
    first = json.loads(await connection.read_message())
    assert first["type"] == "quiz_status", first
    ready.set()
    while True:
        text = await connection.read_message()
        now = time.time()
        if text is None:
            return connection.close_code
        message = json.loads(text)
        key = event_key(message)
        if key is not None:
            received.setdefault(key, now)  # replays after a snapshot keep the first arrival


async def bench(args) -> int:
    from tornado.httpclient import AsyncHTTPClient
    from tornado.testing import bind_unused_port

    def free_port():
        sock, port = bind_unused_port()
        sock.close()
        return port

    print(f"Preparing {args.students} students in {args.quizzes} quizzes ...", flush=True)
    plan = prepare(args)
    workdir = Path(tempfile.mkdtemp(prefix="monitor-bench-"))
    (workdir / "plan.json").write_text(json.dumps(plan))
    api_port, monitor_port = free_port(), free_port()
    api_url = f"http://127.0.0.1:{api_port}"
    common = [sys.executable, __file__, "--database-url", args.database_url,
              "--redis-url", args.redis_url]
    processes = [subprocess.Popen(common + ["--port", str(api_port), "--api-threads",
                                            str(args.api_threads), "_api"])]
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUIZCORE_")}
    env.update({"QUIZCORE_MONITOR_PORT": str(monitor_port), "QUIZCORE_REDIS_URL": args.redis_url,
                "QUIZCORE_MONITOR_API_URL": api_url + "/api", "QUIZCORE_ENV": "test"})
    processes.append(subprocess.Popen([sys.executable, "-m", "monitor_server", "-c",
                                       str(ROOT / "development.ini")], env=env,
                                      stderr=open(workdir / "monitor.log", "w")))
    try:
        http = AsyncHTTPClient()
        for url in (api_url + "/api/health", f"http://127.0.0.1:{monitor_port}/health"):
            deadline = time.time() + 30
            while True:
                try:
                    if (await http.fetch(url, raise_error=False)).code == 200:
                        break
                except OSError:
                    pass
                if time.time() > deadline:
                    raise SystemExit(f"{url} did not come up")
                await asyncio.sleep(0.1)

        per_watcher: list[dict] = []
        tasks = []
        for entry in plan["watch_tokens"]:
            received: dict = {}
            ready = asyncio.Event()
            per_watcher.append({"quiz_id": entry["quiz_id"], "received": received})
            tasks.append(asyncio.create_task(watch(f"ws://127.0.0.1:{monitor_port}",
                                                   entry["quiz_id"], entry["token"],
                                                   received, ready)))
            await asyncio.wait_for(ready.wait(), 30)
        print(f"{len(tasks)} monitors watching; {args.students} students sending "
              f"{args.students * (args.events_per_student + 1)} events at {args.rate}/s ...",
              flush=True)

        started = time.time()
        students = await asyncio.create_subprocess_exec(
            *common, "--api-url", api_url, "--plan", str(workdir / "plan.json"),
            "--log", str(workdir / "events.jsonl"), "--rate", str(args.rate),
            "--events-per-student", str(args.events_per_student),
            "--concurrency", str(args.concurrency), "_students",
            stdout=asyncio.subprocess.PIPE)
        out, _ = await students.communicate()
        sent_for = time.time() - started
        failures = json.loads(out.decode().strip().splitlines()[-1])["failures"]
        events = [json.loads(line) for line in (workdir / "events.jsonl").read_text().splitlines()]

        expected = [(w, e) for e in events for w in per_watcher if w["quiz_id"] == e["quiz_id"]]
        deadline = time.time() + args.drain_seconds
        while time.time() < deadline and any(tuple(e["key"]) not in w["received"]
                                             for w, e in expected):
            await asyncio.sleep(0.05)
        latencies, missed = [], 0
        for w, e in expected:
            arrived = w["received"].get(tuple(e["key"]))
            if arrived is None:
                missed += 1
            else:
                latencies.append(1000 * (arrived - e["committed_at"]))
        health = json.loads((await http.fetch(f"http://127.0.0.1:{monitor_port}/health")).body)
        requests_ms = [1000 * e["request_s"] for e in events]
        print()
        print(f"students {args.students}, monitors {args.monitors}, quizzes {args.quizzes}, "
              "real endpoints")
        print(f"events committed   {len(events)} in {sent_for:.1f} s "
              f"({len(events) / sent_for:.0f}/s); failed requests {failures}")
        print(f"deliveries expected {len(expected)}, received {len(latencies)}, "
              f"MISSED {missed}")
        print("commit -> websocket latency (ms): "
              f"p50 {percentile(latencies, .50):.1f}  p90 {percentile(latencies, .90):.1f}  "
              f"p99 {percentile(latencies, .99):.1f}  max {max(latencies, default=0):.1f}  "
              f"mean {statistics.fmean(latencies) if latencies else 0:.1f}")
        print("(for context) commit -> API response (ms): "
              f"p50 {percentile(requests_ms, .5):.1f}  p99 {percentile(requests_ms, .99):.1f}")
        print(f"monitor /health: {json.dumps(health)}")
        target = percentile(latencies, .99) < 50 and missed == 0 and failures == 0
        print("TARGET (p99 < 50 ms, zero missed):", "met" if target else "NOT met")
        for task in tasks:
            task.cancel()
        return 0
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(20)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--monitors", type=int, default=50)
    parser.add_argument("--quizzes", type=int, default=10)
    parser.add_argument("--events-per-student", type=int, default=4,
                        help="after the start: answer saves and violations, alternating")
    parser.add_argument("--rate", type=float, default=100.0, help="events per second, in all")
    parser.add_argument("--concurrency", type=int, default=64, help="requests in flight")
    parser.add_argument("--api-threads", type=int, default=8)
    parser.add_argument("--drain-seconds", type=float, default=10.0)
    parser.add_argument("--endpoints", choices=["real"], default="real",
                        help="the real student endpoints (the only choice; kept for old "
                             "command lines)")
    parser.add_argument("--database-url", default=os.environ.get(
        "QUIZCORE_BENCH_DATABASE_URL",
        "mysql+mysqldb://quiz:quiz@127.0.0.1:3306/quizcore_bench_monitor?charset=utf8mb4"))
    parser.add_argument("--redis-url", default=os.environ.get("QUIZCORE_BENCH_REDIS_URL",
                                                              "redis://127.0.0.1:6379/12"))
    # Internal: the same script runs the API and the students as child processes.
    parser.add_argument("--port", type=int)
    parser.add_argument("--api-url")
    parser.add_argument("--plan")
    parser.add_argument("--log")
    parser.add_argument("role", nargs="?", default="bench", choices=["bench", "_api", "_students"])
    args = parser.parse_args()
    if args.role == "_api":
        serve_api(args)
        return 0
    if args.role == "_students":
        asyncio.run(run_students(args))
        return 0
    return asyncio.run(bench(args))


if __name__ == "__main__":
    raise SystemExit(main())
