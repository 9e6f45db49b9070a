"""Teacher action -> the student's next ``/status``: how soon a student sees an extension or
a force-submit.

One run builds the exam storm's private production set-up (``bench/exam_storm.py``'s
:class:`Storm`: its own MariaDB and Redis, ``production.ini``, two waitress processes, the
monitor sidecar, nginx with ``deploy/nginx/quizcore.conf`` over TLS). Then, through nginx:

1. ``--students`` students sign in (not timed) and start the quiz over ``--arrive`` seconds;
2. each polls ``GET /api/attempts/{id}/status`` every ``--poll`` seconds (first poll at a
   random offset), as the exam page does, until the end of the run: a steady load;
3. after ``--settle`` seconds the teacher acts on ``--actions`` distinct students, one
   action every ``--action-every`` seconds, alternately ``POST /api/attempts/{id}/extend
   {"minutes": 5}`` and ``POST /api/attempts/{id}/force-submit {"reason": ...}``, each sent
   when the previous one was answered.

All clients are asyncio in one process, so the teacher's and the students' moments are on
one clock and in one order. For each action, from the moment its 2xx answer arrived
(``ack``; the change had committed):

* **seen**: until the student's first ``/status`` answer that shows it (the new
  ``deadline_at``, or ``status: force_submitted``): what a student experiences, dominated by
  the poll interval;
* of which **poll wait**: from ``ack`` until the student's first ``/status`` request *sent
  after* it (the poll interval's part, nothing the server can change);
* and **fresh read**: that request's own answer time. A ``/status`` sent after the ack must
  show the action: every such answer that does not (the old deadline, ``in_progress``) is
  counted **stale**, a failure, the first one and every later one alike.

Target (issue 15 item 9): fresh read p99 < 100 ms, 0 stale, 0 5xx; ``seen`` p50/p99 are
printed beside it with the poll wait. Integrity against the database: every extended
attempt has the deadline its extension answered, every force-submitted one that status.
Exit status 1 when a target is missed.

    .venv/bin/python bench/teacher_action.py                 # 300 students, 200 actions
    .venv/bin/python bench/teacher_action.py --students 1000 --poll 2
"""

from __future__ import annotations

import argparse
import asyncio
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

TARGET_FRESH_P99_MS = 100.0
EXTEND_MINUTES = 5


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def figures(values: list[float]) -> dict:
    return {"count": len(values), "p50_ms": percentile(values, 0.50),
            "p99_ms": percentile(values, 0.99), "max_ms": max(values) if values else None}


def shows(action: dict, answer: dict) -> bool:
    """Whether a ``/status`` answer reflects the teacher's action."""
    if action["kind"] == "extend":
        return answer.get("deadline_at") == action["deadline_at"]
    return answer.get("status") == "force_submitted"


def follow(action: dict, polls: list[tuple[float, float, int, dict]]) -> dict:
    """What one student's polls say about one action (all moments in seconds):
    ``seen`` (ack -> first answer showing it), ``wait`` (ack -> first request sent after it),
    ``fresh`` (that request's answer time), ``stale`` (answers to requests sent after the ack
    that did not show it), ``in_flight_stale`` (answered after the ack, sent before: allowed)."""
    ack = action["ack"]
    result = {"seen": None, "wait": None, "fresh": None, "stale": 0, "in_flight_stale": 0,
              "fresh_showed": None}
    for sent, received, status, body in polls:
        if received <= ack or status != 200:
            continue
        showed = shows(action, body)
        if showed and result["seen"] is None:
            result["seen"] = received - ack
        if sent > ack:
            if result["wait"] is None:
                result["wait"], result["fresh"] = sent - ack, received - sent
                result["fresh_showed"] = showed
            if not showed:
                result["stale"] += 1
        elif not showed:
            result["in_flight_stale"] += 1
    return result


class Room:
    """The students and the teacher of one run, over aiohttp."""

    def __init__(self, rig: exam_storm.Storm, args):
        self.rig, self.args = rig, args
        self.base = rig.base_url
        self.ctx = ssl.create_default_context(cafile=rig.ca_file)
        self.stop = asyncio.Event()
        self.polls: dict[int, list] = {}
        self.poll_ms: list[float] = []
        self.statuses: dict[str, int] = {}
        self.attempts: dict[int, str] = {}
        self.actions: list[dict] = []

    def count(self, what: str, status: int) -> None:
        key = f"{what} {status}"
        self.statuses[key] = self.statuses.get(key, 0) + 1

    async def call(self, http, method: str, path: str, token: str | None, body=None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with http.request(method, self.base + path, json=body, headers=headers,
                                ssl=self.ctx) as response:
            data = await response.json(content_type=None)
            return response.status, data

    async def login(self, http, account: str, limit: asyncio.Semaphore) -> str:
        async with limit:
            status, body = await self.call(http, "POST", "/api/auth/login", None, {
                "email_or_reg_no": account, "password": exam_storm.PASSWORD})
        if status != 200:
            raise RuntimeError(f"login of {account}: {status} {body}")
        return body["access_token"]

    async def student(self, http, n: int, token: str, starts_at: float) -> None:
        await asyncio.sleep(max(0.0, starts_at - time.time()))
        status, body = await self.call(http, "POST", f"/api/quizzes/{self.rig.quiz_id}/start",
                                       token, {})
        self.count("start", status)
        if status not in (200, 201):
            raise RuntimeError(f"start of student {n}: {status} {body}")
        attempt = body["attempt_id"]
        self.attempts[n] = attempt
        polls = self.polls.setdefault(n, [])
        await asyncio.sleep(random.random() * self.args.poll)
        while not self.stop.is_set():
            sent = time.time()
            status, body = await self.call(http, "GET", f"/api/attempts/{attempt}/status",
                                           token)
            received = time.time()
            self.count("status", status)
            polls.append((sent, received, status, body if status == 200 else {}))
            self.poll_ms.append(1000 * (received - sent))
            # The next poll an interval after this one was sent, as a timer-driven page.
            await asyncio.sleep(max(0.0, sent + self.args.poll - time.time()))

    async def teacher(self, http, token: str) -> None:
        targets = random.sample(sorted(self.attempts), self.args.actions)
        for number, n in enumerate(targets):
            slot = time.time() + self.args.action_every
            attempt = self.attempts[n]
            kind = "extend" if number % 2 == 0 else "force-submit"
            body = ({"minutes": EXTEND_MINUTES} if kind == "extend"
                    else {"reason": "teacher_action benchmark"})
            sent = time.time()
            status, answer = await self.call(http, "POST", f"/api/attempts/{attempt}/{kind}",
                                             token, body)
            ack = time.time()
            self.count(kind, status)
            self.actions.append({"kind": kind, "student": n, "attempt_id": attempt,
                                 "sent": sent, "ack": ack, "status": status,
                                 "request_ms": 1000 * (ack - sent),
                                 "deadline_at": answer.get("deadline_at")})
            await asyncio.sleep(max(0.0, slot - time.time()))

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
            began = time.time()
            students = [asyncio.ensure_future(self.student(
                http, n, token, began + args.arrive * n / len(tokens)))
                for n, token in enumerate(tokens)]
            await asyncio.sleep(args.arrive + args.settle)
            self.rig.note(f"{len(self.attempts)} attempts polling; the teacher acts")
            cpu_before = self.cpu()
            acting = time.time()
            await self.teacher(http, teacher)
            await asyncio.sleep(args.after)  # the last students' next polls
            self.rig.note(f"{len(self.actions)} teacher actions done")
            cpu_after = self.cpu()
            window = (acting, time.time())
            self.stop.set()
            await asyncio.gather(*students)
        return {"window": window,
                "cpu_seconds": {name: round(cpu_after[name] - cpu_before[name], 1)
                                for name in cpu_before}}

    def cpu(self) -> dict[str, float]:
        cpu = {name: service.cpu_seconds() for name, service in self.rig.services.items()}
        cpu["clients (this process)"] = time.process_time()
        return cpu


def integrity(rig: exam_storm.Storm, actions: list[dict]) -> dict:
    import sqlalchemy as sa

    from quizcore import models
    from quizcore.db import make_engine
    from quizcore.wire import iso

    engine = make_engine(rig.db_url, poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        rows = {r.id: r for r in connection.execute(sa.select(
            models.QuizAttempt.id, models.QuizAttempt.status, models.QuizAttempt.deadline_at))}
    engine.dispose()
    wrong = []
    for action in actions:
        row = rows[action["attempt_id"]]
        if action["kind"] == "extend" and iso(row.deadline_at) != action["deadline_at"]:
            wrong.append(f"{row.id}: extended to {action['deadline_at']}, stored "
                         f"{iso(row.deadline_at)}")
        if action["kind"] == "force-submit" and str(row.status) != "force_submitted":
            wrong.append(f"{row.id}: force-submitted, stored status {row.status}")
    return {"attempts": len(rows), "actions_checked": len(actions), "wrong": wrong}


OPTIONS = (  # name, type, default, help
    ("--students", int, 300, "students in the exam, each polling /status"),
    ("--poll", float, 2.0, "seconds between a student's /status polls"),
    ("--arrive", float, 10.0, "seconds over which the students start"),
    ("--settle", float, 5.0, "seconds of everyone polling before the teacher acts"),
    ("--actions", int, 200, "teacher actions (alternately extend and force-submit), "
     "each on its own student"),
    ("--action-every", float, 0.2, "seconds between the teacher's actions"),
    ("--after", float, 5.0, "seconds of polling after the last action"),
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
    if args.actions > args.students:
        parser.error("--actions needs as many --students (one action per student)")
    args.mariadb_port = args.mariadb_port or services.free_port()
    args.redis_port = args.redis_port or services.free_port()
    load_before = os.getloadavg()
    rig = exam_storm.Storm(args)
    try:
        rig.setup()
        room = Room(rig, args)
        run = asyncio.run(room.run())
        checked = integrity(rig, room.actions)
    finally:
        rig.close()
    load_after = os.getloadavg()

    followed = [{**action, **follow(action, room.polls.get(action["student"], []))}
                for action in room.actions if 200 <= action["status"] < 300]
    ms = lambda key, kind=None: [1000 * f[key] for f in followed  # noqa: E731
                                 if f[key] is not None and kind in (None, f["kind"])]
    window = run["window"]
    polls_in_window = [1000 * (r - s) for polls in room.polls.values()
                       for s, r, _, _ in polls if window[0] <= s <= window[1]]
    result = {
        "command": " ".join(sys.argv), "load_average_before": load_before,
        "load_average_after": load_after, "students": args.students, "poll_s": args.poll,
        "actions": {kind: figures([a["request_ms"] for a in room.actions
                                   if a["kind"] == kind])
                    for kind in ("extend", "force-submit")},
        "seen": figures(ms("seen")), "poll_wait": figures(ms("wait")),
        "fresh_read": figures(ms("fresh")),
        "by_kind": {kind: {"seen": figures(ms("seen", kind)),
                           "poll_wait": figures(ms("wait", kind)),
                           "fresh_read": figures(ms("fresh", kind))}
                    for kind in ("extend", "force-submit")},
        "stale_answers": sum(f["stale"] for f in followed),
        "in_flight_answers_before_the_change": sum(f["in_flight_stale"] for f in followed),
        "never_seen": sum(1 for f in followed if f["seen"] is None),
        "status_polls_while_acting": {**figures(polls_in_window),
                                      "per_second": len(polls_in_window)
                                      / max(window[1] - window[0], 1e-3)},
        "statuses": room.statuses, "integrity": checked,
        "cpu_seconds_while_acting": run["cpu_seconds"],
    }
    five_xx = sum(count for key, count in room.statuses.items() if key.split()[-1][0] == "5")
    problems = []
    if len(followed) != args.actions:
        problems.append(f"{args.actions - len(followed)} teacher actions were refused")
    if result["stale_answers"]:
        problems.append(f"{result['stale_answers']} /status answers sent after the action's "
                        "acknowledgement did not show it (stale)")
    if result["never_seen"]:
        problems.append(f"{result['never_seen']} actions never seen by their student")
    if checked["wrong"]:
        problems.append(f"database disagrees: {checked['wrong'][:5]}")
    if five_xx:
        problems.append(f"{five_xx} 5xx answers")
    fresh_p99 = result["fresh_read"]["p99_ms"]
    if fresh_p99 is None or fresh_p99 >= TARGET_FRESH_P99_MS:
        problems.append(f"fresh read p99 {fresh_p99} ms >= {TARGET_FRESH_P99_MS:.0f} ms")
    result["problems"] = problems

    def line(label: str, fig: dict) -> str:
        if not fig["count"]:
            return f"  {label}: none"
        return (f"  {label}: {fig['count']}, p50 {fig['p50_ms']:.1f} ms, p99 "
                f"{fig['p99_ms']:.1f} ms, max {fig['max_ms']:.1f} ms")

    print(f"\nTEACHER ACTION -> NEXT /status: {args.students} students polling every "
          f"{args.poll:g} s, {args.actions} actions every {args.action_every:g} s, "
          f"{os.cpu_count()} cores; load average before {load_before[0]:.2f}, after "
          f"{load_after[0]:.2f}")
    for kind, fig in result["actions"].items():
        print(line(f"teacher {kind} requests", fig))
    print(line("/status polls while the teacher acted", result["status_polls_while_acting"])
          + f" ({result['status_polls_while_acting']['per_second']:.0f}/s)")
    print(line("seen: ack -> first /status answer showing it", result["seen"]))
    print(line("  of which poll wait: ack -> next /status sent", result["poll_wait"]))
    print(line("  fresh read: that /status's answer (must show it)", result["fresh_read"]))
    for kind, figs in result["by_kind"].items():
        print(f"  {kind}: seen p50 {figs['seen']['p50_ms'] or 0:.0f} / p99 "
              f"{figs['seen']['p99_ms'] or 0:.0f} ms, poll wait p99 "
              f"{figs['poll_wait']['p99_ms'] or 0:.0f} ms, fresh read p99 "
              f"{figs['fresh_read']['p99_ms'] or 0:.1f} ms")
    print(f"  stale answers (sent after the ack, not showing it): {result['stale_answers']}; "
          f"answers in flight at the ack not showing it (allowed): "
          f"{result['in_flight_answers_before_the_change']}; never seen: "
          f"{result['never_seen']}")
    print(f"  answers: {json.dumps(room.statuses, sort_keys=True)}")
    print(f"  integrity: {checked['actions_checked']} actions checked against the database, "
          f"{len(checked['wrong'])} wrong")
    print("  CPU seconds while acting: " + ", ".join(
        f"{name} {value}" for name, value in run["cpu_seconds"].items()))
    for problem in problems:
        print(f"  PROBLEM: {problem}")
    print(f"  targets (fresh read p99 < {TARGET_FRESH_P99_MS:.0f} ms, 0 stale, 0 5xx, all "
          f"seen): {'met' if not problems else 'NOT met'}")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(result, indent=1, default=str))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
