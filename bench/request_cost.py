"""Request cost: what each hot endpoint of an exam costs, against ``/api/health`` (the floor).

One run builds the exam storm's private production set-up (``bench/exam_storm.py``'s
:class:`Storm`: its own MariaDB and Redis on free ports, ``production.ini`` with environment
overrides, ``quizctl migrate``, two waitress processes, the monitor sidecar and nginx running
``deploy/nginx/quizcore.conf`` over TLS), seeds the storm's school (one teacher, one class of
``--students``, one published quiz of 10 questions), signs every student in and starts their
attempt through nginx (``POST /api/auth/login``, ``POST /api/quizzes/{id}/start``: 201), then
loads one endpoint at a time with wrk (``--connections`` 50, ``--threads`` 2, a fixed
``--duration`` each after an unmeasured ``--warmup``), each request taking the next student
in turn:

* ``GET /api/health``: one ``SELECT 1`` and one Redis ``PING`` -- the floor, measured first
  and again last (the ratio column divides by the mean of both, so a drift shows);
* ``GET /api/auth/me``;
* ``GET /api/attempts/{id}/status`` (the exam page's heartbeat);
* ``POST /api/attempts/{id}/answer``: autosave; each wrk thread owns its own attempts and
  rotates over (attempt, question) with an increasing ``client_seq`` and a changing value,
  so every request is a real upsert that replaces the stored answer (checked afterwards);
* ``POST /api/quizzes/{id}/start``: the *resume* of the attempt in progress (200, same
  attempt), which is what a reload of the exam page does;
* ``POST /api/attempts/{id}/violations``: last, since reports end attempts at the threshold.

Settings that differ from production on purpose (printed with the results):

* ``QUIZCORE_RATELIMIT_DEFAULT_PER_USER`` is raised so that no request is refused; the
  limiter still counts every authenticated request in Redis, so its cost is measured;
* ``QUIZCORE_ANTICHEAT_THRESHOLD`` = 1000 (the most the setting accepts) and
  ``QUIZCORE_ANTICHEAT_DEBOUNCE_SECONDS`` = 0, so every report is counted and none
  auto-submits its attempt (the run checks that no attempt ended);
* bcrypt cost ``--bcrypt-rounds`` (4) for the seeded accounts: logins are only the set-up.

Besides wrk's figures each endpoint's row records what the servers did for it: CPU
milliseconds per request of the API processes, MariaDB, Redis and nginx (psutil), SQL
statements per request (MariaDB's ``Com_*`` status counters) and Redis commands per request
(``INFO commandstats``). Load average before and after the run is printed.

``--profile DIR`` adds, after the measured runs, one more wrk run per endpoint while py-spy
samples both API processes (``--gil``: where the CPU goes) and writes collapsed stacks
(``DIR/<endpoint>.txt``, open them in speedscope or flamegraph.pl); those runs are slower
and are not in the table.

    make bench-cost
    .venv/bin/python bench/request_cost.py --duration 15 --json var/bench/request_cost.json
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import re
import resource
import shutil
import signal
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import cost_parts  # noqa: E402 - bench/ helper modules
import exam_storm  # noqa: E402
import storm_services as services  # noqa: E402

WRK = shutil.which("wrk") or "/usr/bin/wrk"
PY_SPY = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
VIOLATION_TYPES = ["tab_switch", "fullscreen_exit", "copy_attempt", "focus_lost",
                   "right_click", "paste_attempt"]
#: The order of the runs; violation last (reports can end attempts), health again at the end.
ENDPOINTS = ("health", "me", "status", "answer", "start", "violation")
LABELS = {
    "health": "GET /api/health",
    "me": "GET /api/auth/me",
    "status": "GET /api/attempts/{id}/status",
    "answer": "POST /api/attempts/{id}/answer",
    "start": "POST /api/quizzes/{id}/start (resume)",
    "violation": "POST /api/attempts/{id}/violations",
}
ANTICHEAT_THRESHOLD = 1000  # the largest value quizcore.anticheat.threshold accepts
PER_USER_LIMIT = "1000000/minute"


def bench_overrides() -> dict[str, str]:
    """Environment overrides of this benchmark on top of the storm's (see the docstring)."""
    return {
        "QUIZCORE_RATELIMIT_DEFAULT_PER_USER": PER_USER_LIMIT,
        "QUIZCORE_ANTICHEAT_THRESHOLD": str(ANTICHEAT_THRESHOLD),
        "QUIZCORE_ANTICHEAT_DEBOUNCE_SECONDS": "0",
    }


class Rig(exam_storm.Storm):
    """The storm's set-up with this benchmark's overrides, and every student in an attempt."""

    def env(self) -> dict:
        env = super().env()
        env.update(bench_overrides())
        return env

    def _call(self, method: str, path: str, body=None, token: str | None = None):
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310 - our own https URL
            self.base_url + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, context=self.tls,  # noqa: S310 - our own URL
                                        timeout=60) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, error.read()[:300]

    def sign_in_and_start(self) -> None:
        """Log every student in and start their attempt through nginx (201 each)."""
        self.tls = ssl.create_default_context(cafile=self.ca_file)
        began = time.perf_counter()

        def one(n: int) -> dict:
            status, body = self._call("POST", "/api/auth/login",
                                      {"email_or_reg_no": f"STORM{n:05d}",
                                       "password": exam_storm.PASSWORD})
            if status != 200:
                raise RuntimeError(f"login of student {n}: {status} {body}")
            token = body["access_token"]
            status, body = self._call("POST", f"/api/quizzes/{self.quiz_id}/start", {}, token)
            if status != 201:
                raise RuntimeError(f"start of student {n}: {status} {body}")
            return {"token": token, "attempt_id": body["attempt_id"],
                    "questions": [(q["id"], q["type"]) for q in body["questions"]]}

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            self.students = list(pool.map(one, range(self.args.students)))
        self.note(f"{len(self.students)} students signed in and started their attempt "
                  f"through nginx in {time.perf_counter() - began:.1f} s")

    def api_pids(self) -> list[int]:
        return [self.services[f"api-{n}"].pid for n in range(len(self.api_ports))]


# -- wrk scripts -----------------------------------------------------------------------------


def _lua_list(values) -> str:
    # Tokens, UUIDs and type names are plain ASCII without quotes or backslashes.
    values = list(values)
    for value in values:
        if not re.fullmatch(r"[A-Za-z0-9_.\-]+", value):
            raise ValueError(f"unexpected characters in {value!r}")
    return "{" + ",".join(f'"{v}"' for v in values) + "}"


LUA_COMMON = """
local tokens = %(tokens)s
local attempts = %(attempts)s
local n = #tokens
local next_thread = 0

function setup(thread)
  thread:set("tid", next_thread)
  next_thread = next_thread + 1
end

function init(args)
  threads = tonumber(args[1])
  seq_base = tonumber(args[2])
  it = 0
end

local function auth(i)
  return {["Authorization"] = "Bearer " .. tokens[i],
          ["Content-Type"] = "application/json"}
end

function done(summary, latency, requests)
  io.write(string.format(
    "WRK-JSON {\\"requests\\": %%d, \\"duration_us\\": %%d, \\"non_2xx_3xx\\": %%d, " ..
    "\\"connect_errors\\": %%d, \\"read_errors\\": %%d, \\"write_errors\\": %%d, " ..
    "\\"timeouts\\": %%d, \\"p50_us\\": %%d, \\"p90_us\\": %%d, \\"p99_us\\": %%d, " ..
    "\\"max_us\\": %%d, \\"mean_us\\": %%.1f}\\n",
    summary.requests, summary.duration, summary.errors.status, summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean))
end
"""

LUA_REQUEST = {
    # Each request takes the next student of this thread's share (thread t: t, t+T, ...).
    "health": """
function request()
  return wrk.format("GET", "/api/health")
end
""",
    "me": """
function request()
  local i = (tid + threads * it) %% n + 1
  it = it + 1
  return wrk.format("GET", "/api/auth/me", auth(i))
end
""",
    "status": """
function request()
  local i = (tid + threads * it) %% n + 1
  it = it + 1
  return wrk.format("GET", "/api/attempts/" .. attempts[i] .. "/status", auth(i))
end
""",
    "start": """
function request()
  local i = (tid + threads * it) %% n + 1
  it = it + 1
  return wrk.format("POST", "/api/quizzes/%(quiz_id)s/start", auth(i), "{}")
end
""",
    "violation": """
local kinds = %(kinds)s
function request()
  local i = (tid + threads * it) %% n + 1
  it = it + 1
  local body = string.format('{"violation_type": "%%s", "question_index": %%d}',
                             kinds[it %% #kinds + 1], it %% 10)
  return wrk.format("POST", "/api/attempts/" .. attempts[i] .. "/violations", auth(i), body)
end
""",
    # Thread t owns the attempts t, t+T, ...; it walks (attempt, question) pairs in turn with
    # an increasing client_seq, so the same pair comes back only after owned*10 requests (no
    # two saves of one pair are in flight together) and each save is newer than the stored
    # one: every request replaces the answer (its value changes too). client_seq starts at
    # the run's seq_base (microseconds since the epoch), above any earlier run's numbers.
    "answer": """
local questions = %(questions)s
local types = %(types)s
local q = #questions
function request()
  local owned = math.floor((n - 1 - tid) / threads) + 1
  local pair = it %% (owned * q)
  local i = tid + threads * (pair %% owned) + 1
  local j = math.floor(pair / owned) + 1
  it = it + 1
  local seq = seq_base + it
  local body
  if types[j] == "mcq" or types[j] == "true_false" then
    body = string.format('{"question_id": "%%s", "answer_option": %%d, "client_seq": %%d}',
                         questions[j], it %% 2, seq)
  else
    body = string.format('{"question_id": "%%s", "answer_text": "answer %%d", ' ..
                         '"client_seq": %%d}', questions[j], seq, seq)
  end
  return wrk.format("POST", "/api/attempts/" .. attempts[i] .. "/answer", auth(i), body)
end
""",
}


def write_scripts(rig: Rig, directory: Path) -> dict[str, Path]:
    students = rig.students
    questions = students[0]["questions"]
    # Every attempt shows the same questions (in its own order); the ids are what counts.
    values = {"tokens": _lua_list(s["token"] for s in students),
              "attempts": _lua_list(s["attempt_id"] for s in students),
              "questions": _lua_list(q for q, _ in questions),
              "types": _lua_list(t for _, t in questions),
              "kinds": _lua_list(VIOLATION_TYPES), "quiz_id": rig.quiz_id}
    scripts = {}
    for name in ENDPOINTS:
        path = directory / f"{name}.lua"
        path.write_text(LUA_COMMON % values + LUA_REQUEST[name] % values)
        scripts[name] = path
    return scripts


def run_wrk(rig: Rig, script: Path, seconds: float, args) -> dict:
    """One wrk run; each script's request() builds its own path (wrk takes the host from the
    URL). Its done() prints the summary as one JSON line."""
    seq_base = str(time.time_ns() // 1000)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    command = [WRK, "--threads", str(args.threads), "--connections", str(args.connections),
               "--duration", f"{seconds:g}s", "--timeout", "10s", "--latency",
               "--script", str(script), rig.base_url + "/", "--", str(args.threads), seq_base]
    result = subprocess.run(command, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise RuntimeError(f"wrk failed ({result.returncode}): {result.stderr or result.stdout}")
    line = next((x for x in result.stdout.splitlines() if x.startswith("WRK-JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary:\n{result.stdout}\n{result.stderr}")
    figures = json.loads(line[len("WRK-JSON "):])
    figures["output"] = result.stdout
    figures["cpu_seconds"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return figures


# -- what the servers did --------------------------------------------------------------------


def mariadb_counters(rig: Rig) -> dict[str, int]:
    out = subprocess.run([services.MARIADB_CLIENT, f"--socket={rig.db_socket}", "-u", "root",
                          "-N", "-B", "-e", "SHOW GLOBAL STATUS"], capture_output=True,
                         text=True, check=True).stdout
    counters = {}
    for row in out.splitlines():
        name, _, value = row.partition("\t")
        if (name.startswith("Com_") or name in ("Questions", "Queries", "Connections")) \
                and value.isdigit():
            counters[name] = int(value)
    return counters


def redis_counters(rig: Rig) -> dict[str, int]:
    import redis

    client = redis.Redis.from_url(rig.redis_url)
    try:
        stats = client.info("commandstats")
        connections = client.info("stats")["total_connections_received"]
    finally:
        client.close()
    counters = {name.removeprefix("cmdstat_"): int(value["calls"])
                for name, value in stats.items()}
    # New client connections (the counter read itself opens one): not a command.
    counters["(connections)"] = int(connections) - 1
    return counters


def cpu_of(rig: Rig) -> dict[str, float]:
    return {name: service.cpu_seconds() for name, service in rig.services.items()}


def snapshot(rig: Rig) -> dict:
    return {"cpu": cpu_of(rig), "sql": mariadb_counters(rig), "redis": redis_counters(rig)}


OTHER_SERVERS = ("mariadb", "redis", "monitor", "nginx")


def per_request(before: dict, after: dict, requests: int) -> dict:
    requests = max(requests, 1)

    def delta(kind, exclude=()):
        diff = {k: after[kind].get(k, 0) - before[kind].get(k, 0) for k in after[kind]}
        return {k: round(v / requests, 2) for k, v in sorted(diff.items())
                if v > 0 and k not in exclude}

    cpu = {k: round(1000 * (after["cpu"][k] - before["cpu"][k]) / requests, 3)
           for k in after["cpu"]}
    cpu["api (both)"] = round(sum(v for k, v in cpu.items() if k.startswith("api-")), 3)
    cpu["servers (all)"] = round(sum(v for k, v in cpu.items()
                                     if k.startswith("api-") or k in OTHER_SERVERS), 3)
    # The counters' own reads (SHOW STATUS, INFO) are a handful among thousands.
    sql = delta("sql", exclude=("Com_show_status",))
    return {"cpu_ms": cpu, "sql": sql, "redis": delta("redis", exclude=("info",))}


def redis_commands(redis_calls: dict) -> float:
    return sum(v for k, v in redis_calls.items() if not k.startswith("("))


def sql_statements(sql: dict) -> float:
    """Statements a client sent per request (Questions counts each, COM_PING not)."""
    return sql.get("Questions", 0.0)


# -- checks ----------------------------------------------------------------------------------


def check_answers(rig: Rig) -> dict:
    """Every (attempt, question) pair holds an answer written during the autosave run."""
    import sqlalchemy as sa

    from quizcore.db import make_engine

    engine = make_engine(rig.db_url, poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        rows, seq_min = connection.execute(sa.text(
            "SELECT COUNT(*), MIN(client_seq) FROM student_answers")).one()
    engine.dispose()
    return {"answer_rows": rows, "min_client_seq": seq_min,
            "expected_rows": len(rig.students) * len(rig.students[0]["questions"])}


def check_attempts(rig: Rig) -> dict:
    import sqlalchemy as sa

    from quizcore.db import make_engine

    engine = make_engine(rig.db_url, poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        statuses = dict(connection.execute(sa.text(
            "SELECT status, COUNT(*) FROM quiz_attempts GROUP BY status")).all())
        most = connection.execute(sa.text(
            "SELECT MAX(total_violations) FROM quiz_attempts")).scalar()
    engine.dispose()
    return {"attempt_statuses": {str(k): v for k, v in statuses.items()},
            "max_total_violations": most}


# -- the run ---------------------------------------------------------------------------------


def measure(rig: Rig, scripts: dict[str, Path], args) -> list[dict]:
    rows = []
    order = [*ENDPOINTS, "health"]
    for number, name in enumerate(order):
        label = LABELS[name] + (" (again)" if number == len(order) - 1 else "")
        if args.warmup > 0:
            run_wrk(rig, scripts[name], args.warmup, args)
        before = snapshot(rig)
        load = os.getloadavg()[0]
        figures = run_wrk(rig, scripts[name], args.duration, args)
        after = snapshot(rig)
        seconds = figures["duration_us"] / 1e6
        row = {"endpoint": name, "label": label, "req_per_s": figures["requests"] / seconds,
               "p50_ms": figures["p50_us"] / 1000, "p90_ms": figures["p90_us"] / 1000,
               "p99_ms": figures["p99_us"] / 1000, "max_ms": figures["max_us"] / 1000,
               "mean_ms": figures["mean_us"] / 1000, "requests": figures["requests"],
               "non_2xx": figures["non_2xx_3xx"],
               "socket_errors": sum(figures[k] for k in ("connect_errors", "read_errors",
                                                        "write_errors", "timeouts")),
               "load_1min_before": load, "wrk": figures,
               **per_request(before, after, figures["requests"])}
        row["cpu_ms"]["wrk (client)"] = round(1000 * figures["cpu_seconds"]
                                              / max(figures["requests"], 1), 3)
        rows.append(row)
        rig.note(f"{label}: {row['req_per_s']:.0f} req/s, p50 {row['p50_ms']:.1f} ms, p99 "
                 f"{row['p99_ms']:.1f} ms, non-2xx {row['non_2xx']}, API CPU "
                 f"{row['cpu_ms']['api (both)']:.2f} ms/request")
        if name == "answer":
            row["check"] = check_answers(rig)
        if name == "violation":
            row["check"] = check_attempts(rig)
    return rows


def profile(rig: Rig, scripts: dict[str, Path], args, directory: Path) -> dict:
    """py-spy on both API processes during one more wrk run per endpoint."""
    if PY_SPY is None:
        raise SystemExit("--profile needs py-spy (pip install py-spy into the venv)")
    directory.mkdir(parents=True, exist_ok=True)
    files = {}
    for name in ENDPOINTS:
        recorders = []
        for number, pid in enumerate(rig.api_pids()):
            out = directory / f"{name}.api-{number}.txt"
            recorders.append((out, subprocess.Popen(
                [PY_SPY, "record", "--pid", str(pid), "--rate", str(args.profile_rate),
                 "--duration", f"{args.profile_seconds + 1:g}", "--format", "raw", "--gil",
                 "--nonblocking", "--output", str(out)],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)))
        time.sleep(0.5)  # py-spy attaches before the load starts
        figures = run_wrk(rig, scripts[name], args.profile_seconds, args)
        merged = directory / f"{name}.txt"
        stacks: dict[str, int] = {}
        for out, process in recorders:
            _, err = process.communicate(timeout=120)
            if process.returncode != 0 or not out.exists():
                raise RuntimeError(f"py-spy failed for {name}: {err.decode()[-500:]}")
            for line in out.read_text().splitlines():
                stack, _, count = line.rpartition(" ")
                if stack:
                    stacks[stack] = stacks.get(stack, 0) + int(count)
            out.unlink()
        merged.write_text("".join(f"{stack} {count}\n" for stack, count in
                                  sorted(stacks.items(), key=lambda item: -item[1])))
        summary = cost_parts.summarise_stacks(cost_parts.read_stacks(merged),
                                              requests=figures["requests"],
                                              rate=args.profile_rate)
        files[name] = {"file": str(merged), "samples": sum(stacks.values()),
                       "rate": args.profile_rate, "requests": figures["requests"],
                       "req_per_s_while_sampled": figures["requests"]
                       / (figures["duration_us"] / 1e6), **summary}
        rig.note(f"profiled {LABELS[name]}: {files[name]['samples']} samples -> {merged}")
    (directory / "summary.json").write_text(json.dumps(files, indent=1))
    return files


def ratio_rows(rows: list[dict]) -> float:
    floors = [r["req_per_s"] for r in rows if r["endpoint"] == "health"]
    floor = sum(floors) / len(floors)
    for row in rows:
        row["ratio_to_floor"] = row["req_per_s"] / floor
    return floor


def print_table(rows: list[dict], floor: float, load_before, load_after, args) -> None:
    print()
    print(f"REQUEST COST  wrk {args.connections} connections, {args.threads} threads, "
          f"{args.duration:g} s per endpoint (after {args.warmup:g} s unmeasured), through "
          f"nginx (TLS) to {args.api_processes} waitress processes ({args.ini.name})")
    print(f"  load average before {load_before[0]:.2f} {load_before[1]:.2f} "
          f"{load_before[2]:.2f}; after {load_after[0]:.2f} {load_after[1]:.2f} "
          f"{load_after[2]:.2f}")
    print("  overrides: " + ", ".join(f"{k}={v}" for k, v in bench_overrides().items())
          + f" (limits still counted in Redis; no report reaches the threshold); bcrypt "
          f"cost {args.bcrypt_rounds} for the seeded accounts; {args.students} students, "
          "each request takes the next one")
    print("  start = resume of the attempt in progress (what reloading the exam page does)")
    header = (f"  {'endpoint':<42}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}{'non-2xx':>8}"
              f"{'ratio':>7}{'API cpu ms':>11}{'all cpu ms':>11}{'SQL/req':>8}{'Redis/req':>10}")
    print(header)
    for row in rows:
        print(f"  {row['label']:<42}{row['req_per_s']:>8.0f}{row['p50_ms']:>8.1f}"
              f"{row['p99_ms']:>8.1f}{row['non_2xx']:>8}"
              f"{row['ratio_to_floor']:>6.0%} {row['cpu_ms']['api (both)']:>10.2f}"
              f"{row['cpu_ms']['servers (all)']:>11.2f}"
              f"{sql_statements(row['sql']):>8.1f}{redis_commands(row['redis']):>10.1f}")
    print(f"  ratio: req/s over the floor, the mean of both /api/health runs ({floor:.0f} "
          "req/s); API cpu ms: CPU of both waitress processes per request; all cpu ms: API, "
          "MariaDB, Redis, nginx and the monitor together; SQL/req: "
          "statements MariaDB received (Questions; admin_commands are COM_PINGs, Connections new "
          "connections); Redis/req: commands")
    for row in rows:
        if row["endpoint"] != "health" or row is rows[0]:
            sql = ", ".join(f"{k.removeprefix('Com_')} {v:g}" for k, v in row["sql"].items()
                            if k.startswith("Com_") or k == "Connections")
            redis_calls = ", ".join(f"{k} {v:g}" for k, v in row["redis"].items())
            other = ", ".join(f"{k} {v:.2f}" for k, v in row["cpu_ms"].items()
                              if not k.startswith(("api", "servers")))
            print(f"    {row['endpoint']:<10} SQL: {sql or '-'} | Redis: {redis_calls or '-'}"
                  f" | other CPU ms/req: {other}")
    for row in rows:
        if "check" in row:
            print(f"  check after {row['endpoint']}: {row['check']}")


OPTIONS = (  # name, type, default, help
    ("--duration", int, 15, "seconds of measured load per endpoint (wrk: whole seconds)"),
    ("--warmup", int, 3, "seconds of unmeasured load before each endpoint (0: none)"),
    ("--connections", int, 50, "wrk connections"),
    ("--threads", int, 2, "wrk threads"),
    ("--students", int, 200, "students (each with an attempt in progress)"),
    ("--minutes", int, 120, "the quiz's time limit (longer than the run)"),
    ("--bcrypt-rounds", int, 4, "bcrypt cost of the seeded accounts"),
    ("--api-processes", int, 2, "waitress processes behind nginx"),
    ("--nginx-workers", str, "auto", "nginx worker processes (Debian's default: auto)"),
    ("--mariadb-port", int, 0, "the private MariaDB's port (0: a free one)"),
    ("--redis-port", int, 0, "the private Redis's port (0: a free one)"),
    ("--innodb-buffer-pool", str, "512M", "the private MariaDB's buffer pool"),
    ("--profile-seconds", int, 10, "--profile: seconds of sampled load per endpoint"),
    ("--profile-rate", int, 200, "--profile: py-spy samples per second"),
)


def stop_on_sigterm() -> None:
    """SIGTERM ends the run through ``finally`` blocks, so the private servers are stopped."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for name, kind, default, text in OPTIONS:
        parser.add_argument(name, type=kind, default=default, help=text)
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("--profile", metavar="DIR",
                        help="also sample the API processes with py-spy, one collapsed-stack "
                             "file per endpoint in DIR")
    parser.add_argument("--ini", type=Path, default=exam_storm.INI,
                        help="the ini the API processes serve (default production.ini); a "
                             "changed copy measures a deployment setting such as threads")
    parser.add_argument("--keep", action="store_true", help="keep the working directory")
    args = parser.parse_args(argv)
    stop_on_sigterm()
    # The storm's set-up serves (and migrates with) exam_storm.INI.
    exam_storm.INI = args.ini.resolve()
    args.mariadb_port = args.mariadb_port or services.free_port()
    args.redis_port = args.redis_port or services.free_port()
    if not Path(WRK).exists():
        raise SystemExit("wrk is not installed: bash .ci/services.sh storm (Debian package wrk)")

    load_before = os.getloadavg()
    exam_storm.stamp(f"load average before: {load_before[0]:.2f} {load_before[1]:.2f} "
                     f"{load_before[2]:.2f}")
    rig = Rig(args)
    try:
        rig.setup()
        rig.sign_in_and_start()
        scripts = write_scripts(rig, rig.dir)
        rows = measure(rig, scripts, args)
        load_after = os.getloadavg()
        profiles = profile(rig, scripts, args, Path(args.profile)) if args.profile else None
    finally:
        rig.close()
    floor = ratio_rows(rows)
    print_table(rows, floor, load_before, load_after, args)
    problems = []
    answer_row = next(r for r in rows if r["endpoint"] == "answer")
    answer_check = answer_row["check"]
    # Each save goes to a pair not yet saved until all 2,000 are (the rotation), so at least
    # min(pairs, measured saves) rows exist, each with a client_seq of this run.
    if answer_check["answer_rows"] < min(answer_check["expected_rows"],
                                         answer_row["requests"]) or \
            not answer_check["min_client_seq"]:
        problems.append(f"autosave did not reach every (attempt, question): {answer_check}")
    attempt_check = next(r["check"] for r in rows if r["endpoint"] == "violation")
    if set(attempt_check["attempt_statuses"]) != {"in_progress"}:
        problems.append(f"an attempt ended during the run: {attempt_check}")
    for row in rows:
        if row["non_2xx"] or row["socket_errors"]:
            problems.append(f"{row['label']}: {row['non_2xx']} non-2xx answers, "
                            f"{row['socket_errors']} socket errors")
    for problem in problems:
        print(f"  PROBLEM: {problem}")
    if profiles:
        print("\nPY-SPY (--gil: the thread holding the GIL, both API processes; ms/req: "
              "sampled GIL time per request)")
        for name, summary in profiles.items():
            cost_parts.print_summary(f"{LABELS[name]} ({summary['requests']} requests, "
                                     f"{summary['req_per_s_while_sampled']:.0f} req/s while "
                                     f"sampled)", summary)
    figures = {"command": " ".join(sys.argv), "args": vars(args),
               "overrides": bench_overrides(), "load_average_before": load_before,
               "load_average_after": load_after, "floor_req_per_s": floor,
               "endpoints": rows, "profiles": profiles, "problems": problems,
               "commit": _commit()}
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(figures, indent=1, default=str))
        exam_storm.stamp(f"figures written to {args.json}")
    return 1 if problems else 0


def _commit() -> str | None:
    result = subprocess.run(["git", "-C", str(BENCH.parent), "rev-parse", "HEAD"],
                            capture_output=True, text=True)
    return result.stdout.strip() or None


if __name__ == "__main__":
    sys.exit(main())
