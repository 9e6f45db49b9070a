"""The exam storm's clients: a class of students and the teachers watching them.

Both run as child processes of ``bench/exam_storm.py`` (so their CPU shows separately) and
talk only to nginx over TLS, like browsers. They read a plan (JSON) and write what happened
(JSON) for the storm to check against the database.

Students retry the way the quizcore front end does: on a connection error, 502, 503 or 504
they back off (honouring ``Retry-After``) and resend the *same* request, the same
``client_seq`` included, until the attempt's deadline; on 429 they wait ``Retry-After``.

Students know their deadline only from the server: the ``deadline_at`` of the start answer,
then of every save's answer (a teacher's extension shows up there). Students who never
submit (``expire``) save faster from 15 s before that deadline and keep saving past it,
through the grace period, until the server answers 409. Every try of every save is kept
(sent, received, status, reason) for the storm's deadline check.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import random
import signal
import ssl
import time
from collections import defaultdict
from pathlib import Path

import aiohttp

RETRY_STATUSES = {0, 502, 503, 504}  # 0: no HTTP answer (connection refused, reset...)
VIOLATION_TYPES = ["tab_switch", "fullscreen_exit", "copy_attempt", "focus_lost",
                   "right_click", "paste_attempt"]


def tls_context(ca_file: str) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=ca_file)


def epoch(iso_value: str) -> float:
    """POSIX seconds of one of the API's ISO 8601 UTC timestamps."""
    value = dt.datetime.fromisoformat(iso_value.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.timestamp()


async def sleep_until(moment: float) -> None:
    delay = moment - time.time()
    if delay > 0:
        await asyncio.sleep(delay)


class Recorder:
    """Every request: (endpoint, status, milliseconds, wall-clock end)."""

    def __init__(self):
        self.rows: list[tuple[str, int, float, float]] = []
        self.counters: dict[str, int] = defaultdict(int)

    def add(self, name: str, status: int, ms: float) -> None:
        self.rows.append((name, status, round(ms, 2), round(time.time(), 3)))


# -- students --------------------------------------------------------------------------------


class Student:
    def __init__(self, plan: dict, me: dict, ctx: ssl.SSLContext, recorder: Recorder):
        self.plan = plan
        self.me = me
        self.base = plan["base_url"]
        self.recorder = recorder
        self.rng = random.Random(me["seed"])
        self.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(ssl=ctx, limit=2, keepalive_timeout=75),
            timeout=aiohttp.ClientTimeout(total=30))
        self.token: str | None = None
        self.attempt_id: str | None = None
        self.questions: list[dict] = []
        self.seq = 0
        self.acks: dict[str, list] = {}  # question id -> [client_seq, shown value]
        # Every answered try of a save: [question id, client_seq, sent, received, status,
        # 409 reason, deadline_at of the answer].
        self.save_tries: list[list] = []
        self.deadline = 0.0  # as the server last told it (epoch seconds)
        self.deadlines_told: list[list] = []  # [received, deadline_at] of 2xx answers
        self.outcome: dict = {"reg": me["reg"], "behaviour": me["behaviour"]}
        self.ended = False

    async def _once(self, method: str, path: str, body) -> tuple[int, dict | None, dict]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        async with self.session.request(method, self.base + path, json=body,
                                        headers=headers) as response:
            data = await response.read()
            try:
                parsed = json.loads(data) if data else None
            except ValueError:
                parsed = {"non_json": data[:200].decode("utf-8", "replace")}
            if response.status >= 400 and (parsed is None or "non_json" in parsed):
                self.recorder.counters[f"non-JSON error body {response.status}"] += 1
            return response.status, parsed, dict(response.headers)

    async def call(self, name: str, method: str, path: str, body=None, *,
                   give_up_at: float, abort_after: float | None = None,
                   tries: list | None = None):
        """One logical request with browser-like retries. ``abort_after`` simulates a
        client-side timeout on the first try (the request may or may not have reached the
        server); it is then re-sent unchanged. Each try that got an answer (or a connection
        error) is appended to ``tries`` as [sent, received, status, reason, deadline_at]."""
        backoff = 0.5
        first = True
        while True:
            sent = time.time()
            began = time.perf_counter()
            try:
                if first and abort_after is not None:
                    status, parsed, headers = await asyncio.wait_for(
                        self._once(method, path, body), abort_after)
                else:
                    status, parsed, headers = await self._once(method, path, body)
            except TimeoutError:
                self.recorder.counters[f"{name}: simulated timeout, re-sent"] += 1
                first = False
                continue
            except (aiohttp.ClientError, OSError):
                status, parsed, headers = 0, None, {}
            first = False
            self.recorder.add(name, status, 1000 * (time.perf_counter() - began))
            if tries is not None:
                reply = parsed if isinstance(parsed, dict) else {}
                tries.append([sent, time.time(), status, reply.get("reason"),
                              reply.get("deadline_at")])
            if status == 429 or status in RETRY_STATUSES:
                if time.time() > give_up_at:
                    self.recorder.counters[f"{name}: gave up after retries"] += 1
                    return status, parsed
                wait = backoff * (0.5 + self.rng.random())
                retry_after = headers.get("Retry-After")
                if retry_after and retry_after.isdigit():
                    wait = max(wait, float(retry_after))
                backoff = min(backoff * 2, 8.0)
                self.recorder.counters[f"{name}: retried after {status or 'connection error'}"] += 1
                await asyncio.sleep(wait)
                continue
            return status, parsed

    async def run(self) -> dict:
        try:
            await self._run()
        except Exception as exc:  # noqa: BLE001 - reported, never hidden
            self.outcome["crash"] = repr(exc)
        finally:
            await self.session.close()
        self.outcome.update(attempt_id=self.attempt_id, acks=self.acks, seq=self.seq,
                            save_tries=self.save_tries, deadlines_told=self.deadlines_told)
        return self.outcome

    def learn_deadline(self, reply: dict | None, received: float | None = None) -> None:
        """Take the attempt's deadline from a server answer that carries it."""
        if isinstance(reply, dict) and reply.get("deadline_at"):
            self.deadline = epoch(reply["deadline_at"])
            self.deadlines_told.append([received or time.time(), reply["deadline_at"]])

    async def _run(self) -> None:
        plan, me, rng = self.plan, self.me, self.rng
        exam_start = plan["exam_start"]
        await sleep_until(me["login_at"])
        status, body = await self.call("login", "POST", "/api/auth/login",
                                       {"email_or_reg_no": me["reg"],
                                        "password": plan["password"]},
                                       give_up_at=exam_start + 120)
        if status != 200:
            self.outcome["failed"] = f"login {status} {body}"
            return
        self.token = body["access_token"]
        await sleep_until(exam_start + me["start_offset"])
        give_up = exam_start + plan["time_limit_seconds"] + plan["grace_seconds"]
        status, body = await self.call("open", "GET",
                                       f"/api/quizzes/access/{plan['access_code']}",
                                       give_up_at=give_up)
        if status != 200:
            self.outcome["failed"] = f"open {status} {body}"
            return
        status, body = await self.call("start", "POST", f"/api/quizzes/{plan['quiz_id']}/start",
                                       {}, give_up_at=give_up)
        if status not in (200, 201):
            self.outcome["failed"] = f"start {status} {body}"
            return
        started = time.time()
        self.outcome["started_at"] = started
        self.attempt_id = body["attempt_id"]
        self.questions = body["questions"]
        self.learn_deadline(body, started)
        if not self.deadline:  # an older server: only the seconds remaining
            self.deadline = started + body["time_remaining_seconds"]
        limit = self.deadline - started
        grace = plan["grace_seconds"]
        behaviour = me["behaviour"]
        # Submitters finish at a share of their time; an extension they hear of moves it.
        share = rng.uniform(0.55, 0.95)
        violations = sorted(started + limit * rng.uniform(0.1, 0.8)
                            for _ in range(me["violations"]))
        path = f"/api/attempts/{self.attempt_id}"
        order = list(self.questions)
        rng.shuffle(order)
        save_number = 0
        next_save = time.time() + rng.uniform(8, 22)
        while not self.ended:
            if behaviour == "expire":
                # Never submits: saves right up to and past the deadline, until refused.
                stop_at = self.deadline + grace + 10
            else:
                stop_at = started + share * (self.deadline - started)
            upcoming = min([next_save, *violations[:1]])
            if upcoming >= stop_at:
                break
            await sleep_until(upcoming)
            if violations and violations[0] <= upcoming:
                kind = VIOLATION_TYPES[len(violations) % len(VIOLATION_TYPES)]
                violations.pop(0)
                status, body = await self.call("violation", "POST", f"{path}/violations",
                                               {"violation_type": kind, "question_index": 0},
                                               give_up_at=self.deadline + grace)
                if status == 200 and body.get("auto_submit"):
                    self.outcome["auto_submitted"] = True
                    self.ended = True
                elif status == 409:
                    # Already ended: by this very report if an earlier try of it was applied
                    # but its answer lost (the retry then finds the attempt submitted).
                    self.outcome["violation_refused"] = True
                    self.ended = True
                continue
            question = order[save_number % len(order)]
            save_number += 1
            await self.save(question)
            next_save = time.time() + rng.uniform(8, 22)  # about one save every 15 s
            if behaviour == "expire" and next_save > self.deadline - 15:
                next_save = time.time() + rng.uniform(2, 4)  # the last seconds: faster
        if self.ended and not self.outcome.get("auto_submitted"):
            self.outcome["ended_by_server"] = True
        if behaviour == "expire" or (self.ended and not self.outcome.get("auto_submitted")):
            return
        # A final save of the current question, then submit (the browser's "Finish").
        if not self.ended:
            await self.save(order[save_number % len(order)])
        status, body = await self.call("submit", "POST", f"{path}/submit", {},
                                       give_up_at=self.deadline + grace + 60)
        self.outcome["submit"] = [status, body and body.get("status"), body and body.get("score")]
        if behaviour == "double-submit" and status == 200:
            again, body2 = await self.call("submit", "POST", f"{path}/submit", {},
                                           give_up_at=self.deadline + grace + 60)
            self.outcome["submit_again"] = [again, body2 and body2.get("status"),
                                            body2 and body2.get("score")]

    async def save(self, question: dict) -> None:
        rng = self.rng
        self.seq += 1
        body = {"question_id": question["id"], "client_seq": self.seq}
        if question["type"] in ("mcq", "true_false"):
            value = rng.randrange(len(question["options"]))
            body["answer_option"] = value
        else:
            value = f"answer {self.seq} of {self.me['reg']}"
            body["answer_text"] = value
        abort = rng.uniform(0.001, 0.015) if rng.random() < self.plan["timeout_rate"] else None
        tries: list = []
        status, reply = await self.call("answer", "POST",
                                        f"/api/attempts/{self.attempt_id}/answer", body,
                                        give_up_at=self.deadline + self.plan["grace_seconds"],
                                        abort_after=abort, tries=tries)
        self.save_tries += [[question["id"], self.seq, *t] for t in tries]
        if status == 200:
            self.acks[question["id"]] = [self.seq, value]
            self.learn_deadline(reply, tries[-1][1] if tries else None)
        elif status == 409:
            self.outcome.setdefault("refused", []).append(reply and reply.get("reason"))
            self.ended = True
        else:
            self.outcome.setdefault("unexpected", []).append([status, reply])


async def run_students(plan_path: str, out_path: str) -> None:
    plan = json.loads(Path(plan_path).read_text())
    ctx = tls_context(plan["ca_file"])
    recorder = Recorder()
    students = [Student(plan, me, ctx, recorder) for me in plan["students"]]
    outcomes = await asyncio.gather(*(student.run() for student in students))
    Path(out_path).write_text(json.dumps({"outcomes": outcomes, "requests": recorder.rows,
                                          "counters": recorder.counters}))


# -- teachers --------------------------------------------------------------------------------


class Watcher:
    """One monitor page: connects through nginx ``/ws/``, resumes with ``last_event_id``
    after any disconnect, and keeps the latency of every live event."""

    def __init__(self, number: int, plan: dict, ctx: ssl.SSLContext):
        self.number = number
        self.plan = plan
        self.ctx = ctx
        self.last_id: str | None = None
        self.seen: set[str] = set()
        self.latencies: list[float] = []
        self.replayed = 0
        self.duplicates = 0
        self.connections = 0
        self.reconnects: list[dict] = []
        self.last_status: dict | None = None
        self.last_status_at = 0.0
        self.events_by_type: dict[str, int] = defaultdict(int)
        self.submitted: set[str] = set()

    async def run(self, stop: asyncio.Event) -> None:
        url = self.plan["ws_url"]
        async with aiohttp.ClientSession() as session:
            backoff = 0.5
            while not stop.is_set():
                connected_ms = time.time() * 1000
                record = {"at": time.time(), "resumed_from": self.last_id, "first": None}
                try:
                    async with session.ws_connect(url, ssl=self.ctx, heartbeat=None,
                                                  max_msg_size=64 * 1024 * 1024) as ws:
                        auth = {"type": "auth", "token": self.plan["teacher_token"]}
                        if self.last_id:
                            auth["last_event_id"] = self.last_id
                        await ws.send_json(auth)
                        self.connections += 1
                        backoff = 0.5
                        if self.connections > 1:
                            self.reconnects.append(record)
                        reader = asyncio.ensure_future(self._read(ws, connected_ms, record))
                        stopper = asyncio.ensure_future(stop.wait())
                        await asyncio.wait({reader, stopper},
                                           return_when=asyncio.FIRST_COMPLETED)
                        stopper.cancel()
                        if not reader.done():
                            reader.cancel()
                            return
                        record["close_code"] = ws.close_code
                except (TimeoutError, aiohttp.ClientError, OSError) as exc:
                    record["error"] = type(exc).__name__
                if stop.is_set():
                    return
                await asyncio.sleep(backoff * (0.5 + random.random()))
                backoff = min(backoff * 2, 5.0)

    async def _read(self, ws, connected_ms: float, record: dict) -> None:
        async for frame in ws:
            if frame.type != aiohttp.WSMsgType.TEXT:
                break
            now_ms = time.time() * 1000
            message = json.loads(frame.data)
            kind, stream_id = message.get("type"), message.get("id")
            if record["first"] is None:
                record["first"] = kind
            if kind == "quiz_status":
                self.last_status = message.get("data")
                self.last_status_at = time.time()
                if stream_id and (self.last_id is None or _newer(stream_id, self.last_id)):
                    self.last_id = stream_id
                continue
            if not stream_id:
                continue
            if stream_id in self.seen:
                self.duplicates += 1
                continue
            self.seen.add(stream_id)
            if self.last_id is None or _newer(stream_id, self.last_id):
                self.last_id = stream_id
            self.events_by_type[kind] += 1
            if kind == "attempt_submitted":
                self.submitted.add(message["data"]["attempt_id"])
            committed_ms = int(stream_id.split("-")[0])
            if committed_ms >= connected_ms:
                self.latencies.append(now_ms - committed_ms)
            else:
                self.replayed += 1

    def result(self) -> dict:
        status = self.last_status or {}
        return {"number": self.number, "connections": self.connections,
                "reconnects": self.reconnects, "latencies_ms": self.latencies,
                "replayed": self.replayed, "duplicates": self.duplicates,
                "events_by_type": self.events_by_type, "submitted_seen": len(self.submitted),
                "last_status_at": self.last_status_at,
                "last_status": {"active_attempts": status.get("active_attempts"),
                                "completed_attempts": status.get("completed_attempts"),
                                "statuses": _count(s.get("status")
                                                   for s in status.get("students", []))}}


def _newer(a: str, b: str) -> bool:
    return tuple(map(int, a.split("-"))) > tuple(map(int, b.split("-")))


def _count(values) -> dict:
    counts: dict = defaultdict(int)
    for value in values:
        counts[str(value)] += 1
    return counts


async def run_teachers(plan_path: str, out_path: str) -> None:
    plan = json.loads(Path(plan_path).read_text())
    ctx = tls_context(plan["ca_file"])
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    watchers = [Watcher(n, plan, ctx) for n in range(plan["monitors"])]
    await asyncio.gather(*(watcher.run(stop) for watcher in watchers))
    Path(out_path).write_text(json.dumps([watcher.result() for watcher in watchers]))
