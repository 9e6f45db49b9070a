"""Released start: a room of students waits for the teacher's release, then all start.

One run builds the exam storm's private production set-up (``bench/exam_storm.py``'s
:class:`Storm`: its own MariaDB and Redis, ``production.ini``, two waitress processes, the
monitor sidecar and nginx with ``deploy/nginx/quizcore.conf`` over TLS) and seeds its school
with the quiz set to ``start_mode: teacher_release``. Then, through nginx:

1. every student signs in (not timed) and opens the exam: ``POST /start`` answers 409
   ``waiting_for_release`` and the monitor pages (``--monitors``, the teacher's token, over
   ``/ws/``) receive a ``student_waiting`` for each;
2. every student polls ``GET /api/quizzes/{id}/release-state`` every ``--poll`` seconds (the
   first poll at a random offset) for ``--wait`` seconds: the waiting room's steady load;
3. the teacher releases the quiz (``POST /release``); each student starts on the first poll
   that says ``released`` (``POST /start``: 201), as the exam page does.

Figures: poll and start latency p50/p99 and req/s, non-2xx answers, how long from the
release until the last student had started, the monitor latency of ``quiz_released`` and of
every ``student_waiting`` (stream entry time to arrival at the page), and ``GET
/api/health`` timed in the same run as the floor. Integrity: every student started exactly
one attempt, and every deadline is ``released_at`` + the time limit (one clock for all).

    .venv/bin/python bench/released_start.py                # 1,000 students
    .venv/bin/python bench/released_start.py --students 300 --wait 6

Targets (issue: 1,000 through nginx on two cores): all started, 0 5xx, start p99 < 300 ms,
``quiz_released`` on every monitor within 100 ms p99. Exit status 0 when met.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import ssl
import sys
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))

import exam_storm  # noqa: E402 - bench/ helper modules
import storm_services as services  # noqa: E402

TARGET_START_P99_MS = 300.0
TARGET_MONITOR_P99_MS = 100.0


class Rig(exam_storm.Storm):
    """The storm's set-up with its quiz starting by teacher release. Production's limits
    stay: one poll every 2 s is 30 of a student's 600 requests a minute."""

    def seed(self) -> None:
        import sqlalchemy as sa

        from quizcore import models
        from quizcore.db import make_engine

        super().seed()
        engine = make_engine(self.db_url, poolclass=sa.pool.NullPool)
        with engine.begin() as connection:
            connection.execute(sa.update(models.Quiz).where(models.Quiz.id == self.quiz_id)
                               .values(start_mode="teacher_release"))
        engine.dispose()


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def figures(values: list[float]) -> dict:
    return {"count": len(values), "p50_ms": percentile(values, 0.50),
            "p99_ms": percentile(values, 0.99), "max_ms": max(values) if values else None}


class Room:
    """The students, the monitor pages and the teacher of one run, over aiohttp."""

    def __init__(self, rig: Rig, args):
        self.rig, self.args = rig, args
        self.base = rig.base_url
        self.quiz_path = f"/api/quizzes/{rig.quiz_id}"
        self.ctx = ssl.create_default_context(cafile=rig.ca_file)
        self.released = asyncio.Event()
        self.stop_monitors = asyncio.Event()
        self.polls: list[float] = []
        self.starts: list[float] = []
        self.statuses: dict[str, int] = {}
        self.started: dict[int, dict] = {}
        self.waiting_answers = 0
        self.release_sent_at = 0.0
        self.steady_from = 0.0
        self.last_start_at = 0.0
        self.monitor_released_ms: list[float] = []
        self.monitor_waiting_ms: list[float] = []

    def count(self, what: str, status: int) -> None:
        key = f"{what} {status}"
        self.statuses[key] = self.statuses.get(key, 0) + 1

    async def call(self, http, method: str, path: str, token: str | None, body=None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        clock = time.perf_counter()
        async with http.request(method, self.base + path, json=body, headers=headers,
                                ssl=self.ctx) as response:
            data = await response.json(content_type=None)
            return response.status, data, (time.perf_counter() - clock) * 1000

    async def login(self, http, account: str, limit: asyncio.Semaphore) -> str:
        async with limit:
            status, body, _ = await self.call(http, "POST", "/api/auth/login", None, {
                "email_or_reg_no": account, "password": exam_storm.PASSWORD})
        if status != 200:
            raise RuntimeError(f"login of {account}: {status} {body}")
        return body["access_token"]

    async def student(self, http, n: int, token: str, opens_at: float,
                      steady_from: float) -> None:
        await asyncio.sleep(max(0.0, opens_at - time.time()))
        status, body, _ = await self.call(http, "POST", f"{self.quiz_path}/start", token, {})
        self.count("open", status)
        if status == 409 and body.get("reason") == "waiting_for_release":
            self.waiting_answers += 1
        await asyncio.sleep(random.random() * self.args.poll)
        while True:
            status, body, ms = await self.call(http, "GET", f"{self.quiz_path}/release-state",
                                               token)
            self.count("poll", status)
            if not self.released.is_set() and time.time() - ms / 1000 >= steady_from:
                self.polls.append(ms)  # the waiting room's steady load: everyone polling
            if status == 200 and body.get("released"):
                break
            await asyncio.sleep(self.args.poll)
        status, body, ms = await self.call(http, "POST", f"{self.quiz_path}/start", token, {})
        self.count("start", status)
        self.starts.append(ms)
        self.last_start_at = max(self.last_start_at, time.time())
        if status == 201:
            self.started[n] = body

    async def monitor(self, http, token: str, connected: asyncio.Event) -> None:
        seen: set[str] = set()
        async with http.ws_connect(self.rig.base_url.replace("https", "wss")
                                   + f"/ws/quiz-monitor/{self.rig.quiz_id}",
                                   ssl=self.ctx, heartbeat=None,
                                   max_msg_size=64 * 1024 * 1024) as ws:
            await ws.send_json({"type": "auth", "token": token})
            async for frame in ws:
                if frame.type != aiohttp.WSMsgType.TEXT:
                    return
                message = json.loads(frame.data)
                kind, stream_id = message.get("type"), message.get("id")
                if kind == "quiz_status":
                    connected.set()
                    continue
                if not stream_id or stream_id in seen:
                    continue  # a replay after the join snapshot counts once
                seen.add(stream_id)
                latency = time.time() * 1000 - int(stream_id.split("-")[0])
                if kind == "student_waiting":
                    self.monitor_waiting_ms.append(latency)
                elif kind == "quiz_released":
                    self.monitor_released_ms.append(latency)
                    return

    async def run(self) -> dict:
        args = self.args
        connector = aiohttp.TCPConnector(limit=0, ssl=self.ctx)
        timeout = aiohttp.ClientTimeout(total=120)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
            limit = asyncio.Semaphore(16)
            teacher = await self.login(http, self.rig.teacher_email, limit)
            tokens = await asyncio.gather(*(self.login(http, f"STORM{n:05d}", limit)
                                            for n in range(args.students)))
            self.rig.note(f"{len(tokens)} students signed in")
            floor = []
            for _ in range(50):
                _, _, ms = await self.call(http, "GET", "/api/health", None)
                floor.append(ms)
            ready = [asyncio.Event() for _ in range(args.monitors)]
            monitors = [asyncio.ensure_future(self.monitor(http, teacher, event))
                        for event in ready]
            await asyncio.wait_for(asyncio.gather(*(e.wait() for e in ready)), 60)
            cpu_before = self.cpu()
            began = time.time()
            steady_from = began + args.arrive + args.poll
            self.steady_from = steady_from
            students = [asyncio.ensure_future(self.student(
                http, n, token, began + args.arrive * n / len(tokens), steady_from))
                for n, token in enumerate(tokens)]
            await asyncio.sleep(args.arrive + args.wait)
            self.rig.note(f"{self.waiting_answers} students waiting; releasing")
            self.release_sent_at = time.time()
            status, released, release_ms = await self.call(http, "POST",
                                                           f"{self.quiz_path}/release", teacher)
            if status != 200:
                raise RuntimeError(f"release: {status} {released}")
            self.released.set()
            await asyncio.gather(*students)
            self.rig.note(f"{len(self.started)} students started")
            cpu_after = self.cpu()
            await asyncio.wait_for(asyncio.gather(*monitors), 30)
        return {"floor": figures(floor), "release": released, "release_ms": release_ms,
                "cpu_seconds": {name: round(cpu_after[name] - cpu_before[name], 1)
                                for name in cpu_before}}

    def cpu(self) -> dict[str, float]:
        """CPU seconds so far of each server process, and of these clients (this process)."""
        cpu = {name: service.cpu_seconds() for name, service in self.rig.services.items()}
        cpu["clients (this process)"] = time.process_time()
        return cpu


def integrity(rig: Rig, room: Room, released_at: str) -> dict:
    import sqlalchemy as sa

    from quizcore import models
    from quizcore.db import make_engine

    engine = make_engine(rig.db_url, poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        rows = connection.execute(sa.select(models.QuizAttempt.student_id,
                                            models.QuizAttempt.deadline_at)
                                  .where(models.QuizAttempt.quiz_id == rig.quiz_id)).all()
    engine.dispose()
    release = dt.datetime.fromisoformat(released_at.rstrip("Z"))
    expected = release + dt.timedelta(minutes=rig.args.minutes)
    return {"attempts": len(rows), "students_with_attempts": len({r.student_id for r in rows}),
            "deadlines_off_the_release_clock": sum(1 for r in rows if r.deadline_at != expected),
            "answers_with_release_deadline": sum(
                1 for body in room.started.values()
                if dt.datetime.fromisoformat(body["deadline_at"].rstrip("Z")) == expected)}


OPTIONS = (  # name, type, default, help
    ("--students", int, 1000, "students in the waiting room"),
    ("--monitors", int, 5, "teacher monitor pages"),
    ("--poll", float, 2.0, "seconds between a waiting student's polls"),
    ("--arrive", float, 10.0, "seconds over which the students open the exam page"),
    ("--wait", float, 15.0, "seconds the whole room then waits before the release"),
    ("--minutes", int, 30, "the quiz's time limit"),
    ("--bcrypt-rounds", int, 4, "bcrypt cost of the seeded accounts (logins are set-up)"),
    ("--api-processes", int, 2, "waitress processes behind nginx"),
    ("--nginx-workers", str, "auto", "nginx worker processes"),
    ("--mariadb-port", int, 0, "the private MariaDB's port (default: a free one)"),
    ("--redis-port", int, 0, "the private Redis's port (default: a free one)"),
    ("--innodb-buffer-pool", str, "512M", "the private MariaDB's buffer pool"),
)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for name, kind, default, text in OPTIONS:
        parser.add_argument(name, type=kind, default=default, help=text)
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("--keep", action="store_true", help="keep the working directory")
    args = parser.parse_args(argv)
    args.mariadb_port = args.mariadb_port or services.free_port()
    args.redis_port = args.redis_port or services.free_port()
    load_before = os.getloadavg()
    rig = Rig(args)
    try:
        rig.setup()
        room = Room(rig, args)
        run = asyncio.run(room.run())
        checked = integrity(rig, room, run["release"]["released_at"])
    finally:
        rig.close()
    load_after = os.getloadavg()
    steady_seconds = max(0.0, room.release_sent_at - room.steady_from)
    result = {
        "command": " ".join(sys.argv), "load_average_before": load_before,
        "load_average_after": load_after, "floor_health": run["floor"],
        "release": {**run["release"], "request_ms": run["release_ms"]},
        "polls": {**figures(room.polls),
                  "per_second": len(room.polls) / steady_seconds if steady_seconds else None},
        "starts": figures(room.starts),
        "release_to_last_start_s": room.last_start_at - room.release_sent_at,
        "statuses": room.statuses,
        "monitor_quiz_released": figures(room.monitor_released_ms),
        "monitor_student_waiting": figures(room.monitor_waiting_ms),
        "integrity": checked, "cpu_seconds_waiting_and_starting": run["cpu_seconds"],
    }
    five_xx = sum(count for key, count in room.statuses.items() if key.split()[1][0] == "5")
    problems = []
    if checked["students_with_attempts"] != args.students or checked["attempts"] != args.students:
        problems.append(f"not every student started exactly once: {checked}")
    if checked["deadlines_off_the_release_clock"]:
        problems.append(f"deadlines not on the release clock: {checked}")
    if five_xx:
        problems.append(f"{five_xx} 5xx answers")
    if (result["starts"]["p99_ms"] or 0) >= TARGET_START_P99_MS:
        problems.append(f"start p99 {result['starts']['p99_ms']:.0f} ms >= "
                        f"{TARGET_START_P99_MS:.0f} ms")
    if len(room.monitor_released_ms) != args.monitors or \
            (result["monitor_quiz_released"]["p99_ms"] or 0) >= TARGET_MONITOR_P99_MS:
        problems.append(f"quiz_released on the monitors: {result['monitor_quiz_released']}")
    result["problems"] = problems
    print(f"\nRELEASED START: {args.students} students, {args.monitors} monitor pages, "
          f"{os.cpu_count()} cores; load average before {load_before[0]:.2f}, after "
          f"{load_after[0]:.2f}")
    print(f"  floor GET /api/health (idle, sequential): median "
          f"{result['floor_health']['p50_ms']:.1f} ms")
    polls = result["polls"]
    print(f"  waiting room, everyone polling ({steady_seconds:.0f} s before the release): "
          f"{polls['count']} polls ({polls['per_second']:.0f}/s), "
          f"p50 {polls['p50_ms']:.1f} ms, p99 {polls['p99_ms']:.1f} ms")
    starts = result["starts"]
    print(f"  starts after the release: {starts['count']}, p50 {starts['p50_ms']:.1f} ms, "
          f"p99 {starts['p99_ms']:.1f} ms, max {starts['max_ms']:.1f} ms; last start "
          f"{result['release_to_last_start_s']:.2f} s after the release")
    print(f"  answers: {json.dumps(room.statuses, sort_keys=True)}")
    released_fig, waiting_fig = result["monitor_quiz_released"], result["monitor_student_waiting"]
    print(f"  monitor: quiz_released on {released_fig['count']} pages, p99 "
          f"{released_fig['p99_ms'] or 0:.1f} ms; student_waiting x{waiting_fig['count']}, "
          f"p50 {waiting_fig['p50_ms'] or 0:.1f} ms, p99 {waiting_fig['p99_ms'] or 0:.1f} ms")
    print(f"  integrity: {json.dumps(checked)}")
    print("  CPU seconds (waiting room and starts): " + ", ".join(
        f"{name} {value}" for name, value in run["cpu_seconds"].items()))
    for problem in problems:
        print(f"  PROBLEM: {problem}")
    print(f"  targets (start p99 < {TARGET_START_P99_MS:.0f} ms, release on the monitors < "
          f"{TARGET_MONITOR_P99_MS:.0f} ms p99, all started, 0 5xx): "
          f"{'met' if not problems else 'NOT met'}")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(result, indent=1, default=str))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
