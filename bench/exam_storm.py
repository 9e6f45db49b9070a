"""Exam storm: a whole class sits an exam on a production-like quizcore, with faults.

The storm builds a private production set-up in a temporary directory and never touches
the machine's shared servers: its own MariaDB (``mariadb-install-db``, port 3407), its own
Redis (port 6390), ``production.ini`` with environment overrides, ``quizctl migrate``, two
waitress API processes (``pserve production.ini http_port=...``), the monitor sidecar
(``quiz-monitor -c production.ini``) and nginx running ``deploy/nginx/quizcore.conf``
(rendered by ``bench/storm_nginx.py`` with a self-signed certificate). The sweeper runs as
``quizctl -c production.ini sweep`` every ``--sweep-every`` seconds, like the systemd timer.

Seed: one teacher, one class of N students (one password, hashed once), one published quiz
of 10 questions (5 mcq, 2 true/false, 2 short answer, 1 descriptive; shuffled questions and
options).

The load (``bench/storm_clients.py``, in two child processes: students, teachers), all
through nginx over TLS:

* students log in spread over ``--login-ramp`` seconds (bcrypt cost ``--bcrypt-rounds``,
  default 10 instead of production's 12, printed in the output), then open the quiz by its
  access code and start it, all within ``--start-window`` seconds (10);
* each saves an answer about every 15 s (uniform 8-22 s think time) with an increasing
  ``client_seq``; ``--timeout-rate`` of saves are abandoned by the client after 1-15 ms
  (a simulated timeout) and re-sent unchanged;
* ``--violators`` of the students report anti-cheat violations, half of them reaching the
  threshold (3: the attempt is auto-submitted);
* most submit between 55 % and 95 % of the time limit (10 % submit twice), ``--expire-rate``
  never submit and leave it to the deadline and the sweeper;
* ``--monitors`` teacher pages watch through ``/ws/``, resuming with ``last_event_id``
  after any disconnect;
* ``--accommodated`` of the students (10 %) have a standing accommodation: their student
  profile's ``time_multiplier`` is ``--accommodation-multiplier`` (1.5), so their own limit is
  ``ceil(minutes × 1.5)`` whole minutes (3 -> 5);
* ``--extend-at`` seconds after the exam opens (90) the teacher gives the whole quiz
  ``--extend-minutes`` more (1; 0 switches it off): ``POST /api/quizzes/{id}/extend`` through
  nginx. Students learn their deadline from the server only (``deadline_at`` of the start
  answer and of every save's answer); the ``--expire-rate`` students save faster in their
  last 15 s and keep saving past their own deadline, through the grace period, until refused.

Clients retry like the front end: on connection errors, 502, 503, 504 (and 429) they back
off and re-send the same request until the attempt's deadline.

Printed: logins/s, starts/s, autosave req/s, p50/p95/p99 per endpoint, errors by status,
monitor event latency (receive time minus the millisecond part of the Redis stream id),
CPU seconds of every process, and the integrity check against the database:

* every acknowledged save is stored with the latest acknowledged ``client_seq`` and value;
* every attempt was submitted exactly once and graded exactly once (its ``audit_logs`` rows
  ``attempt.submitted``/``attempt.auto_submitted`` and ``attempt.graded``, which commit in
  the same transaction as the grading itself);
* no attempt is ``in_progress`` after the deadline and the final sweep; every student got
  exactly one attempt; double submits returned the same result;
* every monitor ends with a snapshot that agrees with the database (resync);
* deadlines (rules restated in ``bench/storm_deadlines.py``): every attempt's stored
  ``deadline_at`` is ``started_at`` + the student's own limit, + the extension for attempts
  in progress when it ran; every acknowledged save was sent before the deadline that applied
  to it + ``quizcore.answer_grace_seconds`` (30), every 409 ``time_over`` was answered after
  it; every deadline a student was told after the extension is the stored one.

``--fault`` repeats the storm with one failure ``--fault-at`` seconds after the exam
starts: ``api-kill`` (kill -9 the first API process, restarted 2 s later like systemd's
``Restart=always``), ``db-restart`` (MariaDB shut down, started again after
``--db-down-seconds``, 10), ``redis-down`` (Redis stopped for 20 s), ``monitor-restart``
(sidecar stopped and started).

Targets, exit status 1 when one is missed: integrity always; without a fault also zero
5xx, autosave p99 < 150 ms and monitor p99 < 50 ms.

    .venv/bin/python bench/exam_storm.py --students 1000
    .venv/bin/python bench/exam_storm.py --students 400 --fault db-restart --json out.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import shutil
import signal
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

import storm_deadlines as rules  # noqa: E402 - bench/ helper modules
import storm_nginx  # noqa: E402
import storm_services as services  # noqa: E402

BIN = Path(sys.executable).parent
INI = ROOT / "production.ini"
FAULTS = ("none", "api-kill", "db-restart", "redis-down", "monitor-restart")
TARGET_AUTOSAVE_P99_MS = 150.0
TARGET_MONITOR_P99_MS = 50.0
PASSWORD = "storm-password-1"  # noqa: S105 - the seeded students' password, private DB
ACCESS_CODE = "STRMQZ"
ENDPOINTS = ("login", "open", "start", "answer", "violation", "submit")
#: quizcore.answer_grace_seconds: production.ini keeps the default.
GRACE_SECONDS = 30


def percentile(values, fraction):
    ordered = sorted(values)
    if not ordered:
        return None
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def stamp(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# -- set-up ----------------------------------------------------------------------------------


class Storm:
    def __init__(self, args):
        self.args = args
        self.dir = Path(tempfile.mkdtemp(prefix="quizcore-storm-"))
        self.services: dict[str, services.Service] = {}
        self.timeline: list[tuple[float, str]] = []
        self.t0 = time.time()
        self.https_port = services.free_port()
        self.http_port = services.free_port()
        self.internal_port = services.free_port()
        self.monitor_port = services.free_port()
        self.api_ports = [services.free_port() for _ in range(args.api_processes)]
        self.db_url = (f"mysql+mysqldb://quiz:storm@127.0.0.1:{args.mariadb_port}/"
                       "quizcore_storm?charset=utf8mb4")
        self.redis_url = f"redis://127.0.0.1:{args.redis_port}/0"

    def note(self, what: str) -> None:
        self.timeline.append((round(time.time() - self.t0, 1), what))
        stamp(what)

    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("QUIZCORE_")}
        env.update({
            "QUIZCORE_DATABASE_URL": self.db_url,
            "QUIZCORE_REDIS_URL": self.redis_url,
            "QUIZCORE_JWT_SECRET": self.jwt_secret,
            "QUIZCORE_MAILER": "null",
            "QUIZCORE_MAIL_DIR": str(self.dir / "mail"),
            "QUIZCORE_BCRYPT_ROUNDS": str(self.args.bcrypt_rounds),
            # The whole class comes through one address (nginx on loopback), like a school
            # behind NAT: the per-address login limit must allow a class-sized burst.
            "QUIZCORE_RATELIMIT_LOGIN_PER_IP": f"{max(600, 2 * self.args.students)}/minute",
            "QUIZCORE_CORS_ORIGINS": f"https://127.0.0.1:{self.https_port}",
            "QUIZCORE_MONITOR_HOST": "127.0.0.1",
            "QUIZCORE_MONITOR_PORT": str(self.monitor_port),
            "QUIZCORE_MONITOR_API_URL": f"http://127.0.0.1:{self.internal_port}/api",
            "QUIZCORE_MONITOR_PUBLIC_API_URL": f"https://127.0.0.1:{self.https_port}/api",
        })
        return env

    def add(self, service: services.Service, timeout: float = 60) -> services.Service:
        self.services[service.name] = service
        service.start(timeout)
        return service

    def setup(self) -> None:
        args = self.args
        self.jwt_secret = secrets.token_hex(48)
        for port in (args.mariadb_port, args.redis_port):
            if services.port_open(port):
                raise SystemExit(f"Port {port} is taken (another storm running?): choose "
                                 "others with --mariadb-port / --redis-port.")
        self.note(f"working directory {self.dir}")
        mariadb, self.db_socket = services.mariadb(self.dir, args.mariadb_port,
                                                   buffer_pool=args.innodb_buffer_pool)
        self.add(mariadb, 120)
        services.mariadb_sql(self.db_socket, """
            CREATE DATABASE quizcore_storm CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
            CREATE USER 'quiz'@'127.0.0.1' IDENTIFIED BY 'storm';
            GRANT ALL ON quizcore_storm.* TO 'quiz'@'127.0.0.1';""")
        self.add(services.redis(self.dir, args.redis_port))
        self.note(f"private MariaDB on 127.0.0.1:{args.mariadb_port}, Redis on "
                  f"127.0.0.1:{args.redis_port}")
        env = self.env()
        subprocess.run([str(BIN / "quizctl"), "-c", str(INI), "migrate"], env=env, cwd=ROOT,
                       check=True, capture_output=True)
        self.seed()
        for number, port in enumerate(self.api_ports):
            self.add(services.Service(
                f"api-{number}", [str(BIN / "pserve"), str(INI), f"http_port={port}"],
                env=env, cwd=ROOT, log=self.dir / f"api-{number}.log",
                ready=lambda port=port: _http_ok(f"http://127.0.0.1:{port}/api/health")))
        # Started with the niceness deploy/systemd/quiz-monitor.service gives it.
        nice = ["nice", "-n", str(unit_nice("quiz-monitor.service"))]
        self.add(services.Service(
            "monitor", [*nice, str(BIN / "quiz-monitor"), "-c", str(INI)], env=env, cwd=ROOT,
            log=self.dir / "monitor.log",
            ready=lambda: services.port_open(self.monitor_port)))
        layout = storm_nginx.Layout(self.dir / "nginx", https_port=self.https_port,
                                    http_port=self.http_port,
                                    internal_port=self.internal_port,
                                    api_ports=self.api_ports, monitor_port=self.monitor_port)
        layout.directory.mkdir()
        conf = storm_nginx.prepare(layout, workers=args.nginx_workers)
        checked = storm_nginx.check(conf)
        if checked.returncode != 0:
            raise SystemExit(f"nginx -t failed:\n{checked.stderr}")
        self.ca_file = str(layout.cert)
        self.add(services.Service("nginx", storm_nginx.command(conf, "-g", "daemon off;"),
                                  log=self.dir / "nginx.out",
                                  ready=lambda: services.port_open(self.https_port)))
        self.base_url = f"https://127.0.0.1:{self.https_port}"
        self.note(f"{len(self.api_ports)} API processes {self.api_ports}, monitor "
                  f":{self.monitor_port}, nginx https :{self.https_port} "
                  "(deploy/nginx/quizcore.conf)")

    def seed(self) -> None:
        import sqlalchemy as sa

        from quizcore import models
        from quizcore.db import get_session_factory, make_engine
        from quizcore.domain.passwords import hash_password

        args = self.args
        engine = make_engine(self.db_url, poolclass=sa.pool.NullPool)
        session = get_session_factory(engine)()
        began = time.perf_counter()
        password_hash = hash_password(PASSWORD, args.bcrypt_rounds)
        teacher = models.User(id=str(uuid.uuid4()), email="teacher@storm.example",
                              name="Storm Teacher", role=models.Role.TEACHER,
                              password_hash=password_hash)
        school_class = models.SchoolClass(id=str(uuid.uuid4()), name="Storm class",
                                          section="A", academic_year="2026")
        session.add_all([teacher, school_class])
        session.flush()
        session.add(models.Teacher(id=teacher.id, subject="Storms"))
        session.add(models.TeacherClass(teacher_id=teacher.id, class_id=school_class.id))
        session.flush()
        T = models.QuestionType  # noqa: N806
        specs = ([(T.MCQ, {"options": ["a", "b", "c", "d"], "correct_answer": 0})] * 5
                 + [(T.TRUE_FALSE, {"correct_answer": 0})] * 2
                 + [(T.SHORT_ANSWER, {"accepted_answers": ["answer"]})] * 2
                 + [(T.DESCRIPTIVE, {"sample_answer": "An essay.",
                                     "marking_rubric": "Anything sensible."})])
        questions = [models.Question(id=str(uuid.uuid4()), text=f"Storm question {n}",
                                     type=kind, marks=1 if kind != T.DESCRIPTIVE else 4,
                                     created_by=teacher.id, **fields)
                     for n, (kind, fields) in enumerate(specs)]
        session.add_all(questions)
        now = models.utcnow()
        quiz = models.Quiz(id=str(uuid.uuid4()), title="Storm exam", subject="Storms",
                           access_code=ACCESS_CODE, time_limit_minutes=args.minutes,
                           status=models.QuizStatus.PUBLISHED, created_by=teacher.id,
                           start_date=now - dt.timedelta(hours=1),
                           end_date=now + dt.timedelta(hours=3), max_attempts=1,
                           randomize_questions=True, randomize_options=True)
        session.add(quiz)
        session.flush()
        session.add_all([models.QuizQuestion(quiz_id=quiz.id, question_id=q.id, order_index=n)
                         for n, q in enumerate(questions)])
        session.add(models.QuizClass(quiz_id=quiz.id, class_id=school_class.id))
        users = [models.User(id=str(uuid.uuid4()), email=f"student{n}@storm.example",
                             name=f"Student {n:04d}", role=models.Role.STUDENT,
                             password_hash=password_hash) for n in range(args.students)]
        session.add_all(users)
        session.flush()
        # Subclasses (bench/released_start.py, bench/teacher_action.py) may have none.
        share = getattr(args, "accommodated", 0.0)
        factor = getattr(args, "accommodation_multiplier", 1.0)
        picker = __import__("random").Random(getattr(args, "seed", 2026) + 1)
        accommodated = set(picker.sample(range(args.students), round(share * args.students)))
        multiplier = Decimal(str(factor))
        self.multipliers = {f"STORM{n:05d}": factor if n in accommodated else 1.0
                            for n in range(args.students)}
        session.add_all([models.Student(id=user.id, registration_number=f"STORM{n:05d}",
                                        class_id=school_class.id, is_account_claimed=True,
                                        time_multiplier=multiplier if n in accommodated
                                        else Decimal("1.00"))
                         for n, user in enumerate(users)])
        session.commit()
        self.quiz_id = quiz.id
        self.teacher_email = teacher.email
        session.close()
        engine.dispose()
        with_multiplier = (f" ({len(accommodated)} with time_multiplier {multiplier})"
                           if accommodated else "")
        self.note(f"seeded 1 teacher, {args.students} students{with_multiplier}, 1 quiz of "
                  f"{len(questions)} "
                  f"questions in {time.perf_counter() - began:.1f} s (bcrypt cost "
                  f"{args.bcrypt_rounds}, one hash shared)")

    # -- the run ---------------------------------------------------------------------------

    def plan(self) -> tuple[Path, Path]:
        args = self.args
        rng = __import__("random").Random(args.seed)
        teacher_token = self.login_teacher()
        self.teacher_token = teacher_token
        now = time.time()
        login_start = now + 3
        exam_start = login_start + args.login_ramp + 5
        self.exam_start = exam_start
        longest = max(rules.own_limit_minutes(args.minutes, m)
                      for m in self.multipliers.values())
        # An extension adds its minutes to the deadline, or to its own instant for an
        # attempt already past its deadline (not swept yet).
        self.deadline_latest = (exam_start + max(args.start_window + 60 * longest,
                                                 args.extend_at + GRACE_SECONDS)
                                + 60 * max(0, args.extend_minutes) + 5)
        students = []
        violators = set(rng.sample(range(args.students), round(args.violators * args.students)))
        for n in range(args.students):
            roll = rng.random()
            behaviour = ("expire" if roll < args.expire_rate else
                         "double-submit" if roll < args.expire_rate + args.double_submit else
                         "submit")
            violations = 0
            if n in violators:
                violations = 3 if rng.random() < 0.5 else rng.choice([1, 2])
            students.append({"reg": f"STORM{n:05d}", "seed": rng.getrandbits(32),
                             "behaviour": behaviour, "violations": violations,
                             "login_at": login_start + args.login_ramp * n / args.students,
                             "start_offset": rng.uniform(0, args.start_window)})
        common = {"base_url": self.base_url, "ca_file": self.ca_file,
                  "quiz_id": self.quiz_id, "access_code": ACCESS_CODE}
        student_plan = self.dir / "students.json"
        student_plan.write_text(json.dumps({
            **common, "password": PASSWORD, "exam_start": exam_start,
            "time_limit_seconds": 60 * args.minutes, "grace_seconds": GRACE_SECONDS,
            "timeout_rate": args.timeout_rate, "students": students}))
        teacher_plan = self.dir / "teachers.json"
        teacher_plan.write_text(json.dumps({
            **common, "teacher_token": teacher_token, "monitors": args.monitors,
            "ws_url": f"wss://127.0.0.1:{self.https_port}/ws/quiz-monitor/{self.quiz_id}"}))
        self.behaviours = Counter(s["behaviour"] for s in students)
        self.note(f"logins from +3 s over {args.login_ramp:g} s; exam starts at "
                  f"+{exam_start - now:.0f} s, start window {args.start_window:g} s, "
                  f"time limit {args.minutes} min; behaviours {dict(self.behaviours)}, "
                  f"{len(violators)} violators")
        return student_plan, teacher_plan

    def login_teacher(self) -> str:
        body = json.dumps({"email_or_reg_no": self.teacher_email, "password": PASSWORD})
        request = urllib.request.Request(  # noqa: S310 - our own https URL
            self.base_url + "/api/auth/login", data=body.encode(),
            headers={"Content-Type": "application/json"})
        ctx = ssl.create_default_context(cafile=self.ca_file)
        with urllib.request.urlopen(request, context=ctx, timeout=30) as response:  # noqa: S310
            return json.loads(response.read())["access_token"]

    def client(self, role: str, plan: Path, out: Path) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, str(BENCH / "exam_storm.py"), role,
                                 "--plan", str(plan), "--out", str(out)], cwd=ROOT,
                                stderr=open(self.dir / f"{role}.err", "w"))

    def sweep(self) -> int:
        result = subprocess.run([str(BIN / "quizctl"), "-c", str(INI), "sweep"],
                                env=self.env(), cwd=ROOT, capture_output=True, text=True)
        if result.returncode != 0:
            self.note(f"sweep failed ({result.returncode}): {result.stderr.strip()[-300:]}")
            return -1
        first = result.stdout.strip().splitlines()[0] if result.stdout.strip() else ""
        count = int(first.split()[1]) if first.startswith("Auto-submitted") else 0
        if count:
            self.note(f"quizctl sweep: {first}")
        return count

    def sweeper(self, stop: threading.Event) -> None:
        while not stop.wait(self.args.sweep_every):
            self.sweep()

    def extend(self) -> None:
        """The teacher gives every attempt in progress ``--extend-minutes`` more, through
        nginx, ``--extend-at`` seconds after the exam opened (one try, as a teacher's click)."""
        args = self.args
        time.sleep(max(0.0, self.exam_start + args.extend_at - time.time()))
        request = urllib.request.Request(  # noqa: S310 - our own https URL
            f"{self.base_url}/api/quizzes/{self.quiz_id}/extend",
            data=json.dumps({"minutes": args.extend_minutes}).encode(),
            headers={"Content-Type": "application/json",
                     "Authorization": f"Bearer {self.teacher_token}"})
        ctx = ssl.create_default_context(cafile=self.ca_file)
        sent = time.time()
        try:
            with urllib.request.urlopen(request, context=ctx, timeout=60) as response:  # noqa: S310
                status, body = response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read()[:300].decode("utf-8", "replace")
        received = time.time()
        self.extension = {"minutes": args.extend_minutes, "sent": sent, "received": received,
                          "status": status, "body": body,
                          "ms": round(1000 * (received - sent), 1)}
        self.note(f"teacher: POST /quizzes/{{id}}/extend {{\"minutes\": {args.extend_minutes}}}"
                  f" -> {status} {body} in {1000 * (received - sent):.0f} ms")

    def fault(self) -> None:
        kind = self.args.fault
        time.sleep(max(0.0, self.exam_start + self.args.fault_at - time.time()))
        service_name, how, down, label = {
            "api-kill": ("api-0", "kill", 2.0, "kill -9 of api-0, started again after 2 s "
                         "(as systemd's Restart=always, RestartSec=2)"),
            "db-restart": ("mariadb", "stop", self.args.db_down_seconds,
                           f"MariaDB shut down for {self.args.db_down_seconds:g} s"),
            "redis-down": ("redis", "stop", 20.0,
                           "Redis stopped for 20 s (it comes back empty: nothing on disk)"),
            "monitor-restart": ("monitor", "stop", 2.0,
                                "monitor sidecar stopped, started again after 2 s"),
        }[kind]
        service = self.services[service_name]
        self.note(f"FAULT: {label} (pid {service.pid})")
        getattr(service, how)()
        self.note(f"{service_name} is down")
        time.sleep(down)
        service.restart(120)
        self.note(f"{service_name} is back")

    def run(self) -> dict:
        args = self.args
        student_plan, teacher_plan = self.plan()
        teachers = self.client("_teachers", teacher_plan, self.dir / "teachers-out.json")
        students = self.client("_students", student_plan, self.dir / "students-out.json")
        stop = threading.Event()
        threads = [threading.Thread(target=self.sweeper, args=(stop,), daemon=True)]
        self.extension = None
        if args.fault != "none":
            threads.append(threading.Thread(target=self.fault, daemon=True))
        if args.extend_minutes > 0:
            threads.append(threading.Thread(target=self.extend, daemon=True))
        for thread in threads:
            thread.start()
        students.wait()
        self.note(f"students finished (exit {students.returncode})")
        stop.set()
        for thread in threads[1:]:
            thread.join()
        # The last deadline plus the grace period, then the sweep the timer would run.
        time.sleep(max(0.0, self.deadline_latest + 31 - time.time()))
        self.note("final sweep after the last deadline + grace")
        swept = self.sweep()
        while swept > 0:
            swept = self.sweep()
        # Monitors get a periodic snapshot every few seconds; wait for one after the sweep.
        time.sleep(args.settle)
        cpu = {name: round(service.cpu_seconds(), 1) for name, service in self.services.items()}
        self.sizes = self.measure_sizes()
        teachers.send_signal(signal.SIGTERM)
        teachers.wait(60)
        students_out = json.loads((self.dir / "students-out.json").read_text())
        teachers_out = json.loads((self.dir / "teachers-out.json").read_text())
        cpu["students (client)"] = round(students_out["cpu_seconds"], 1)
        cpu["teachers (client)"] = round(teachers_out["cpu_seconds"], 1)
        own = os.times()
        cpu["storm (seed, sweeps)"] = round(own.user + own.system + own.children_user
                                            + own.children_system
                                            - students_out["cpu_seconds"]
                                            - teachers_out["cpu_seconds"], 1)
        return {"students": students_out, "teachers": teachers_out["watchers"], "cpu": cpu,
                "sizes": self.sizes}

    def measure_sizes(self) -> dict:
        """Database size on disk and Redis memory at the end (for sizing advice)."""
        import redis
        import sqlalchemy as sa

        from quizcore.db import make_engine
        from quizcore.wire import stream_key

        engine = make_engine(self.db_url, poolclass=sa.pool.NullPool)
        with engine.connect() as connection:
            tables = {r.table_name: r.size for r in connection.execute(sa.text(
                "SELECT table_name, data_length + index_length AS size "
                "FROM information_schema.tables WHERE table_schema = 'quizcore_storm'"))}
        engine.dispose()
        client = redis.Redis.from_url(self.redis_url)
        try:
            memory = client.info("memory")["used_memory"]
            stream = client.xlen(stream_key(self.quiz_id))
        finally:
            client.close()
        top = sorted(tables.items(), key=lambda item: -item[1])[:4]
        return {"database_mb": round(sum(tables.values()) / 2**20, 1),
                "largest_tables_mb": {name: round(size / 2**20, 2) for name, size in top},
                "redis_used_memory_mb": round(memory / 2**20, 1),
                "quiz_stream_entries": stream}

    def close(self) -> None:
        for name in ("nginx", "monitor", *[f"api-{n}" for n in range(len(self.api_ports))],
                     "redis", "mariadb"):
            if name in self.services:
                self.services[name].stop()
        if self.args.keep:
            stamp(f"kept {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)


def unit_nice(name: str) -> int:
    """The ``Nice=`` of a shipped systemd unit (0 when it sets none)."""
    for line in (ROOT / "deploy" / "systemd" / name).read_text().splitlines():
        if line.startswith("Nice="):
            return int(line.split("=", 1)[1])
    return 0


def _http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
            return response.status == 200
    except OSError:
        return False


# -- figures and the integrity check ---------------------------------------------------------


def request_figures(rows, exam_start: float) -> dict:
    by_endpoint = defaultdict(list)
    statuses = defaultdict(Counter)
    for name, status, ms, _ in rows:
        statuses[name][status] += 1
        if status:
            by_endpoint[name].append(ms)
    figures = {}
    for name in ENDPOINTS:
        values = by_endpoint.get(name, [])
        figures[name] = {"requests": sum(statuses[name].values()),
                         "p50_ms": percentile(values, .50), "p95_ms": percentile(values, .95),
                         "p99_ms": percentile(values, .99),
                         "max_ms": max(values) if values else None,
                         "statuses": dict(sorted(statuses[name].items()))}

    def rate(name, ok=(200, 201)):
        ends = sorted(t for n, s, _, t in rows if n == name and s in ok)
        if len(ends) < 2:
            return None, len(ends)
        return len(ends) / max(ends[-1] - ends[0], 1e-3), len(ends)

    logins_per_s, _ = rate("login")
    starts_per_s, started = rate("start")
    saves = sorted(t for n, s, _, t in rows if n == "answer" and s == 200)
    per_second = Counter(int(t) for t in saves)
    start_ends = sorted(t for n, s, _, t in rows if n == "start" and s in (200, 201))
    figures["rates"] = {
        "logins_per_s": logins_per_s,
        "starts_per_s": starts_per_s, "starts": started,
        "start_spread_s": (start_ends[-1] - exam_start) if start_ends else None,
        "autosave_mean_per_s": len(saves) / max(saves[-1] - saves[0], 1e-3) if saves else 0,
        "autosave_peak_per_s": max(per_second.values()) if per_second else 0,
        "autosaves_acknowledged": len(saves),
    }
    figures["server_errors"] = sum(c for counts in statuses.values()
                                   for s, c in counts.items() if s >= 500)
    figures["connection_errors"] = sum(counts.get(0, 0) for counts in statuses.values())
    return figures


def monitor_figures(watchers: list[dict]) -> dict:
    latencies = [ms for w in watchers for ms in w["latencies_ms"]]
    return {"watchers": len(watchers), "live_events": len(latencies),
            "p50_ms": percentile(latencies, .50), "p95_ms": percentile(latencies, .95),
            "p99_ms": percentile(latencies, .99), "max_ms": max(latencies, default=None),
            "mean_ms": statistics.fmean(latencies) if latencies else None,
            "replayed_after_reconnect": sum(w["replayed"] for w in watchers),
            "duplicates_dropped": sum(w["duplicates"] for w in watchers),
            "reconnects": sum(len(w["reconnects"]) for w in watchers),
            # Submissions each socket saw as events; the rest reached it through snapshots
            # (events published while Redis was down are not in the stream).
            "submitted_events_seen_min": min((w["submitted_seen"] for w in watchers),
                                             default=0)}


def integrity(storm: Storm, outcomes: list[dict], watchers: list[dict]) -> dict:
    import sqlalchemy as sa

    from quiz_plugins.audit.models import AuditLog  # the audit plugin's table
    from quizcore.db import make_engine
    from quizcore.domain import shuffle
    from quizcore.models import Question, QuizAttempt, StudentAnswer

    engine = make_engine(storm.db_url, poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        answers = {(r.attempt_id, r.question_id): r for r in connection.execute(sa.select(
            StudentAnswer.attempt_id, StudentAnswer.question_id, StudentAnswer.answer_option,
            StudentAnswer.answer_text, StudentAnswer.client_seq))}
        attempts = {r.id: r for r in connection.execute(sa.select(
            QuizAttempt.id, QuizAttempt.student_id, QuizAttempt.status, QuizAttempt.score,
            QuizAttempt.auto_submitted_due_to_violations))}
        questions = {r.id: r for r in connection.execute(sa.select(Question.id, Question.type,
                                                                   Question.options))}
        audit = Counter((r.entity_id, r.action) for r in connection.execute(sa.select(
            AuditLog.entity_id, AuditLog.action).where(AuditLog.action.in_(
                ["attempt.submitted", "attempt.auto_submitted", "attempt.graded"]))))
    engine.dispose()

    problems: list[str] = []
    checked = newer_unacknowledged = 0
    for outcome in outcomes:
        attempt_id = outcome.get("attempt_id")
        for question_id, (seq, value) in (outcome.get("acks") or {}).items():
            checked += 1
            row = answers.get((attempt_id, question_id))
            if row is None:
                problems.append(f"LOST: attempt {attempt_id} question {question_id} seq {seq}")
                continue
            if row.client_seq is not None and row.client_seq > seq:
                newer_unacknowledged += 1  # applied, but its answer never reached the client
                continue
            question = questions[question_id]
            if str(question.type) in ("mcq", "true_false"):
                count = len(question.options or ()) or 2
                perm = shuffle.option_order(attempt_id, question_id, count, str(question.type),
                                            True)
                expected = (shuffle.to_original(perm, value), None)
            else:
                expected = (None, value)
            if row.client_seq != seq or (row.answer_option, row.answer_text) != expected:
                problems.append(f"STALE: attempt {attempt_id} question {question_id}: stored "
                                f"seq {row.client_seq} {row.answer_option, row.answer_text}, "
                                f"acknowledged seq {seq} {expected}")

    per_student = Counter(r.student_id for r in attempts.values())
    statuses = Counter(str(r.status) for r in attempts.values())
    submitted_once = graded_once = 0
    for attempt_id, row in attempts.items():
        submits = audit[(attempt_id, "attempt.submitted")] + \
            audit[(attempt_id, "attempt.auto_submitted")]
        grades = audit[(attempt_id, "attempt.graded")]
        submitted_once += submits == 1
        graded_once += grades == 1
        if submits != 1 or grades != 1:
            problems.append(f"attempt {attempt_id}: submitted {submits}x, graded {grades}x")
        if str(row.status) == "in_progress":
            problems.append(f"attempt {attempt_id} still in_progress after the final sweep")
    if any(count != 1 for count in per_student.values()):
        problems.append("a student has more than one attempt")
    failed = [o for o in outcomes if o.get("failed") or o.get("crash")]
    for outcome in failed[:5]:
        problems.append(f"student {outcome['reg']} could not sit the exam: "
                        f"{outcome.get('failed') or outcome.get('crash')}")
    if len(failed) > 5:
        problems.append(f"... {len(failed) - 5} more students could not sit the exam")
    mismatched = [o["reg"] for o in outcomes if "submit_again" in o
                  and o["submit_again"][1:] != o["submit"][1:]]
    if mismatched:
        problems.append(f"a second submit changed the result for {mismatched[:5]}")
    told = {o["attempt_id"] for o in outcomes if o.get("auto_submitted")}
    refused = {o["attempt_id"] for o in outcomes if o.get("violation_refused")}
    flagged_ids = {i for i, r in attempts.items() if r.auto_submitted_due_to_violations}
    flagged = len(flagged_ids)
    if told - flagged_ids or flagged_ids - told - refused:
        problems.append(f"{len(told)} students were told 'auto-submitted', {flagged} attempts "
                        f"carry the flag ({len(flagged_ids - told)} of them after a refused "
                        "violation report)")

    ended = sum(1 for r in attempts.values() if str(r.status) != "in_progress")
    resync = []
    for w in watchers:
        status = w["last_status"]
        ok = status["active_attempts"] == 0 and status["completed_attempts"] == ended
        resync.append(ok)
        if not ok:
            problems.append(f"monitor {w['number']} ends with {status}, database has {ended} "
                            "ended attempts")
    return {
        "acknowledged_pairs_checked": checked,
        "acknowledged_saves_lost": sum(p.startswith(("LOST", "STALE")) for p in problems),
        "applied_newer_than_acknowledged": newer_unacknowledged,
        "attempts": len(attempts), "attempt_statuses": dict(statuses),
        "submitted_exactly_once": submitted_once, "graded_exactly_once": graded_once,
        "auto_submitted_for_violations": flagged,
        "students_without_exam": len(failed),
        "double_submits_same_result": sum(1 for o in outcomes if "submit_again" in o)
        - len(mismatched),
        "monitors_resynced": f"{sum(resync)}/{len(resync)}",
        "problems": problems,
    }


def _epoch(value: dt.datetime | None) -> float | None:
    """POSIX seconds of a naive UTC datetime read from the database."""
    return None if value is None else value.replace(tzinfo=dt.UTC).timestamp()


def _iso_epoch(value: str) -> float:
    """POSIX seconds of one of the API's ISO 8601 UTC timestamps."""
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def deadline_check(storm: Storm, outcomes: list[dict]) -> dict:
    """Deadlines and saves against the rules of ``bench/storm_deadlines.py``: the stored
    deadline of every attempt, the answer of every save try (2xx before deadline + grace,
    409 ``time_over`` after), the deadlines the students were told after the extension."""
    import sqlalchemy as sa

    from quizcore.db import make_engine
    from quizcore.models import QuizAttempt

    args = storm.args
    engine = make_engine(storm.db_url, poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        rows = {r.id: r for r in connection.execute(sa.select(
            QuizAttempt.id, QuizAttempt.started_at, QuizAttempt.deadline_at,
            QuizAttempt.submitted_at, QuizAttempt.status))}
    engine.dispose()
    ext = storm.extension
    extension = None
    problems: list[str] = []
    if ext is not None:
        if ext["status"] == 200:
            extension = rules.Extension(ext["minutes"], ext["sent"], ext["received"])
        else:
            problems.append(f"the teacher's extension failed: {ext['status']} {ext['body']}")
    counts: Counter = Counter()
    around_extension: list[float] = []
    for outcome in outcomes:
        row = rows.get(outcome.get("attempt_id"))
        if row is None:
            continue
        limit = rules.own_limit_minutes(args.minutes, storm.multipliers[outcome["reg"]])
        counts[f"attempts with a {limit}-minute limit"] += 1
        started, stored = _epoch(row.started_at), _epoch(row.deadline_at)
        extended = rules.in_progress_at(extension, _epoch(row.submitted_at))
        counts[{True: "extended", False: "ended before the extension",
                None: "ended while it ran"}[extended]] += 1
        if not rules.within(stored, rules.deadline_windows(started, limit, extension,
                                                          extended)):
            problems.append(f"DEADLINE: attempt {row.id} ({outcome['reg']}, limit {limit} min, "
                            f"extended {extended}): stored {row.deadline_at}, started "
                            f"{row.started_at}")
        for _, seq, sent, received, status, reason, _told in outcome.get("save_tries", []):
            if status == 0:
                continue
            bounds = rules.save_deadline_bounds(sent, received, started, limit, extension,
                                                extended)
            problem = rules.save_problem(status, reason, sent, received, bounds,
                                         GRACE_SECONDS)
            if problem:
                problems.append(f"SAVE: attempt {row.id} seq {seq} -> {status} {reason}: "
                                f"{problem}")
            if 200 <= status < 300:
                counts["saves acknowledged"] += 1
                if sent > bounds[1]:
                    counts["acknowledged after the deadline, within the grace"] += 1
                if extension and sent > extension.received and extended:
                    counts["acknowledged after the extension"] += 1
                    if sent > started + 60 * limit + GRACE_SECONDS:
                        counts["acknowledged only thanks to the extension"] += 1
            elif status == 409:
                counts[f"refused 409 {reason}"] += 1
                if reason == "submitted" and outcome.get("behaviour") == "expire" \
                        and not outcome.get("auto_submitted") \
                        and not outcome.get("violation_refused") \
                        and received < bounds[0] + GRACE_SECONDS:
                    problems.append(f"SAVE: attempt {row.id} seq {seq} refused as submitted "
                                    "before its deadline + grace")
            if extension and received >= extension.sent - 1 and \
                    sent <= extension.received + 2:
                around_extension.append(1000 * (received - sent))
        if extension is not None and extended:
            for received, told in outcome.get("deadlines_told", []):
                if received > extension.received + rules.TOLERANCE_S:
                    counts["deadlines told after the extension"] += 1
                    if abs(_iso_epoch(told) - stored) > rules.TOLERANCE_S:
                        problems.append(f"TOLD: attempt {row.id} was told {told} after the "
                                        f"extension, stored {row.deadline_at}")
    if extension is not None:
        extended_count = counts["extended"]
        reported = ext["body"].get("extended") if isinstance(ext["body"], dict) else None
        if reported is None or not (extended_count <= reported
                                    <= extended_count + counts["ended while it ran"]):
            problems.append(f"the extension reported {reported} attempts extended, the "
                            f"database {extended_count} (+{counts['ended while it ran']} "
                            "that ended while it ran)")
    return {"extension": ext, "counts": dict(counts),
            "saves_around_extension": {
                "requests": len(around_extension),
                "p50_ms": percentile(around_extension, .50),
                "p99_ms": percentile(around_extension, .99),
                "max_ms": max(around_extension, default=None)},
            "problems": problems}


def proxy_evidence(storm: Storm) -> dict:
    """What nginx saw of the faults: its error log lines about the upstreams, by kind."""
    log = storm.dir / "nginx" / "logs" / "quizcore.error.log"
    kinds: Counter = Counter()
    if log.exists():
        for line in log.read_text(errors="replace").splitlines():
            for marker in ("connect() failed", "prematurely closed", "timed out",
                           "reset by peer", "no live upstreams"):
                if marker in line:
                    kinds[marker] += 1
    return dict(kinds)


def report(storm: Storm, result: dict) -> dict:
    args = storm.args
    nginx_errors = proxy_evidence(storm)
    requests = request_figures(result["students"]["requests"], storm.exam_start)
    monitors = monitor_figures(result["teachers"])
    check = integrity(storm, result["students"]["outcomes"], result["teachers"])
    deadlines = deadline_check(storm, result["students"]["outcomes"])
    rates = requests["rates"]
    print()
    print(f"EXAM STORM  students {args.students}, monitors {args.monitors}, API processes "
          f"{args.api_processes} (waitress threads from production.ini), fault {args.fault}")
    print(f"  bcrypt cost {args.bcrypt_rounds} for the storm's accounts (production default "
          f"12); logins spread over {args.login_ramp:g} s")
    print(f"  logins/s {rates['logins_per_s'] or 0:.1f} (paced by the ramp: {args.students} "
          f"over {args.login_ramp:g} s; p99 below is the cost per login)")
    print(f"  starts {rates['starts']} at "
          f"{rates['starts_per_s'] or 0:.1f}/s (last start answered "
          f"{rates['start_spread_s'] or 0:.1f} s after the exam opened)")
    print(f"  autosave {rates['autosaves_acknowledged']} acknowledged, mean "
          f"{rates['autosave_mean_per_s']:.1f} req/s, peak {rates['autosave_peak_per_s']} "
          "in one second")
    print(f"  {'endpoint':<10}{'requests':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
          f"{'max ms':>9}  statuses")
    for name in ENDPOINTS:
        f = requests[name]
        fmt = lambda v: f"{v:9.1f}" if v is not None else f"{'-':>9}"  # noqa: E731
        print(f"  {name:<10}{f['requests']:>9}{fmt(f['p50_ms'])}{fmt(f['p95_ms'])}"
              f"{fmt(f['p99_ms'])}{fmt(f['max_ms'])}  {f['statuses']}")
    counters = result["students"]["counters"]
    if counters:
        print("  client retries: " + ", ".join(f"{k} {v}" for k, v in sorted(counters.items())))
    print(f"  monitor: {monitors['live_events']} live events over {monitors['watchers']} "
          f"sockets, p50 {monitors['p50_ms'] or 0:.1f} p95 {monitors['p95_ms'] or 0:.1f} "
          f"p99 {monitors['p99_ms'] or 0:.1f} max {monitors['max_ms'] or 0:.1f} ms; "
          f"{monitors['reconnects']} reconnects, {monitors['replayed_after_reconnect']} "
          f"events replayed after them, {monitors['duplicates_dropped']} duplicates dropped; "
          f"at least {monitors['submitted_events_seen_min']} submissions seen as events "
          "per socket")
    for w in result["teachers"]:
        if w["reconnects"]:
            kinds = Counter("resumed" if r.get("resumed_from") and r.get("first") != "quiz_status"
                            else f"snapshot ({r.get('first')})" for r in w["reconnects"])
            print(f"    monitor {w['number']}: {len(w['reconnects'])} reconnects {dict(kinds)}; "
                  f"final snapshot {w['last_status']}")
    print(f"  nginx upstream errors (its error log): {nginx_errors or 'none'}")
    print("  sizes at the end: " + ", ".join(f"{k} {v}" for k, v in result["sizes"].items()))
    print("  CPU seconds: " + ", ".join(f"{k} {v}" for k, v in result["cpu"].items()))
    print("  integrity: " + ", ".join(f"{k} {v}" for k, v in check.items() if k != "problems"))
    for problem in check["problems"][:15]:
        print(f"    {problem}")
    multiplied = sum(1 for m in storm.multipliers.values() if m != 1.0)
    ext = deadlines["extension"]
    print(f"  accommodations: {multiplied} students with time_multiplier "
          f"{args.accommodation_multiplier:g} (own limit "
          f"{rules.own_limit_minutes(args.minutes, args.accommodation_multiplier)} min)")
    if ext:
        around = deadlines["saves_around_extension"]
        print(f"  extension at +{args.extend_at:g} s: {ext['status']} {ext['body']} in "
              f"{ext['ms']:.0f} ms; saves in flight around it: {around['requests']}, p50 "
              f"{around['p50_ms'] or 0:.1f} p99 {around['p99_ms'] or 0:.1f} max "
              f"{around['max_ms'] or 0:.1f} ms")
    print("  deadlines: " + ", ".join(f"{k} {v}" for k, v in
                                      sorted(deadlines["counts"].items())))
    for problem in deadlines["problems"][:15]:
        print(f"    {problem}")
    verdicts = [("zero lost acknowledged saves", check["acknowledged_saves_lost"] == 0),
                ("every attempt submitted and graded exactly once, none in progress",
                 not [p for p in check["problems"] if not p.startswith(("LOST", "STALE"))]),
                ("monitors resynced", check["monitors_resynced"].split("/")[0]
                 == check["monitors_resynced"].split("/")[1]),
                ("every error response has a JSON body",
                 not any(k.startswith("non-JSON") for k in counters)),
                ("deadlines as the rules say; saves acknowledged only before deadline + grace, "
                 "refused only after", not deadlines["problems"])]
    if args.fault not in ("redis-down", "api-kill"):
        # Without Redis (or in the instant between a killed process's commit and its
        # publish) an event can be lost by design and the snapshot heals the page; in every
        # other run each page must have seen each submission live or replayed.
        verdicts.append(("every monitor saw every submission as an event",
                         monitors["submitted_events_seen_min"] == check["attempts"]))
    if args.fault == "none":
        verdicts += [
            ("zero 5xx", requests["server_errors"] == 0),
            (f"autosave p99 < {TARGET_AUTOSAVE_P99_MS:.0f} ms",
             (requests["answer"]["p99_ms"] or 1e9) < TARGET_AUTOSAVE_P99_MS),
            (f"monitor p99 < {TARGET_MONITOR_P99_MS:.0f} ms",
             (monitors["p99_ms"] or 1e9) < TARGET_MONITOR_P99_MS),
        ]
    for label, ok in verdicts:
        print(f"  [{'PASS' if ok else 'FAIL'}] {label}")
    return {"command": " ".join(sys.argv), "args": vars(args), "timeline": storm.timeline,
            "requests": requests, "monitor": monitors, "cpu_seconds": result["cpu"],
            "sizes": result["sizes"],
            "integrity": check, "deadlines": deadlines,
            "behaviours": dict(storm.behaviours),
            "client_retries": counters, "nginx_upstream_errors": nginx_errors,
            "reconnects": [{"monitor": w["number"], "reconnects": w["reconnects"],
                            "final": w["last_status"]} for w in result["teachers"]],
            "verdicts": {label: ok for label, ok in verdicts},
            "passed": all(ok for _, ok in verdicts)}


# -- entry points ----------------------------------------------------------------------------


OPTIONS = (  # name, type, default, help
    ("--students", int, 1000, "students in the class"),
    ("--monitors", int, 5, "teacher monitor pages (the quiz owner's login)"),
    ("--fault-at", float, 45.0, "seconds after the exam opens"),
    ("--db-down-seconds", float, 10.0, "db-restart: time between MariaDB's shutdown and start"),
    ("--minutes", int, 3, "the quiz's time limit"),
    ("--login-ramp", float, 60.0, "seconds over which the class logs in, before the exam"),
    ("--start-window", float, 10.0, "seconds within which every student starts"),
    ("--bcrypt-rounds", int, 10, "bcrypt cost of the seeded accounts (production: 12)"),
    ("--violators", float, 0.03, "share of students reporting violations"),
    ("--expire-rate", float, 0.05, "students who never submit (deadline + sweeper)"),
    ("--double-submit", float, 0.10, "students who submit twice"),
    ("--timeout-rate", float, 0.03, "saves abandoned by the client after 1-15 ms and re-sent"),
    ("--api-processes", int, 2, "waitress processes behind nginx"),
    ("--nginx-workers", str, "auto", "nginx worker processes (Debian's default: auto)"),
    ("--sweep-every", float, 30.0, "seconds between quizctl sweep runs"),
    ("--settle", float, 8.0, "seconds for monitors to receive their final snapshot"),
    ("--mariadb-port", int, 3407, "the private MariaDB's port"),
    ("--redis-port", int, 6390, "the private Redis's port"),
    ("--innodb-buffer-pool", str, "512M", "the private MariaDB's buffer pool"),
    ("--seed", int, 2026, "random seed of the students' behaviour"),
    ("--accommodated", float, 0.10, "share of students with a standing accommodation"),
    ("--accommodation-multiplier", float, 1.5, "their student profile's time_multiplier"),
    ("--extend-at", float, 90.0, "seconds after the exam opens: the teacher extends the quiz"),
    ("--extend-minutes", int, 1, "minutes the teacher gives every attempt in progress "
     "(POST /quizzes/{id}/extend; 0: no extension)"),
)


def client_main(role: str, plan: str, out: str) -> int:
    import asyncio

    import storm_clients

    if role == "_students":
        asyncio.run(storm_clients.run_students(plan, out))
    else:
        asyncio.run(storm_clients.run_teachers(plan, out))
    data = json.loads(Path(out).read_text())
    times = os.times()
    cpu = times.user + times.system
    data = {"watchers": data} if role == "_teachers" else data
    data["cpu_seconds"] = cpu
    Path(out).write_text(json.dumps(data))
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("role", nargs="?", default="storm",
                        choices=["storm", "_students", "_teachers"], help=argparse.SUPPRESS)
    parser.add_argument("--plan", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--fault", choices=FAULTS, default="none")
    for name, kind, default, text in OPTIONS:
        parser.add_argument(name, type=kind, default=default, help=text)
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("--keep", action="store_true", help="keep the working directory")
    args = parser.parse_args(argv)
    if args.role != "storm":
        return client_main(args.role, args.plan, args.out)

    load = os.getloadavg()
    stamp(f"load average before the storm: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    storm = Storm(args)
    try:
        storm.setup()
        result = storm.run()
        figures = report(storm, result)
    finally:
        storm.close()
    figures["load_average_before"] = load
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(figures, indent=1, default=str))
        stamp(f"figures written to {args.json}")
    return 0 if figures["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
