"""Where a hot request's time goes, in one process: counts, timings and cProfile.

The set-up is ``bench/request_cost.py``'s (the storm's private MariaDB and Redis, the
seeded school, every student signed in with an attempt started through nginx); then the
WSGI application is built *in this process* from ``production.ini`` with the same
environment overrides and driven with WebTest, one endpoint at a time, in three passes of
``--requests`` requests each (after ``--warmup``):

1. **counts** per request: SQL statements (SQLAlchemy ``before_cursor_execute``) by kind,
   MySQL round trips that are no statement (pool pre-ping ``COM_PING``, the reset-on-return
   ``ROLLBACK``, ``COMMIT``), new database connections, ORM executions (``do_orm_execute``,
   lazy loads included), Redis round trips (one per command sent alone, one per pipeline)
   and the commands in them, JWT decodes (``PyJWT.decode_complete``), identity loads;
2. **time**: milliseconds per request inside the WSGI application (WebTest's own work is
   outside the clock), without any instrumentation;
3. **cProfile** around the WSGI call only: the inclusive time of the parts a request is made
   of (tweens, JWT, identity, rate limit, pool, SQL, Redis, pyramid_tm commit, validation,
   rendering), scaled to the uninstrumented time of pass 2, and the top functions by
   cumulative time written to ``DIR/<endpoint>.pstats.txt``.

One process, one request at a time: no queueing, no GIL contention and no TLS or nginx,
so these are the application's own costs; ``request_cost.py`` measures the deployment.

    .venv/bin/python bench/request_profile.py --requests 300 --out docs/profiles/inprocess \\
        --json docs/profiles/inprocess/profile.json
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time
from collections import Counter
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import cost_parts  # noqa: E402 - bench/ helper modules
import request_cost  # noqa: E402
import storm_services as services  # noqa: E402

ENDPOINTS = ("health", "me", "status", "answer", "start", "violation")

# -- the application in this process ---------------------------------------------------------


def build_app(rig: request_cost.Rig):
    """production.ini with the rig's environment, as pserve builds it."""
    from plaster import get_settings

    from quizcore.app import main

    os.environ.update(rig.env())
    settings = dict(get_settings(str(request_cost.exam_storm.INI), "app:main"))
    return main({}, **settings)


class Timed:
    """WSGI wrapper: the clock (and the profiler, when set) around the application only."""

    def __init__(self, app):
        self.app = app
        self.seconds = self.cpu_seconds = 0.0
        self.profiler: cProfile.Profile | None = None

    def __call__(self, environ, start_response):
        profiler = self.profiler
        began, began_cpu = time.perf_counter(), time.thread_time()
        if profiler is not None:
            profiler.enable()
        try:
            body = list(self.app(environ, start_response))
        finally:
            if profiler is not None:
                profiler.disable()
            self.seconds += time.perf_counter() - began
            self.cpu_seconds += time.thread_time() - began_cpu
        return body


class Requests:
    """The next request of an endpoint, rotating over the students (as the wrk scripts)."""

    def __init__(self, rig: request_cost.Rig):
        self.rig = rig
        self.n = 0
        self.seq = time.time_ns() // 1000

    def __call__(self, testapp, name: str):
        students = self.rig.students
        student = students[self.n % len(students)]
        self.n += 1
        headers = {"Authorization": f"Bearer {student['token']}"}
        attempt = student["attempt_id"]
        if name == "health":
            return testapp.get("/api/health")
        if name == "me":
            return testapp.get("/api/auth/me", headers=headers)
        if name == "status":
            return testapp.get(f"/api/attempts/{attempt}/status", headers=headers)
        if name == "start":
            return testapp.post_json(f"/api/quizzes/{self.rig.quiz_id}/start", {},
                                     headers=headers)
        if name == "violation":
            kind = request_cost.VIOLATION_TYPES[self.n % len(request_cost.VIOLATION_TYPES)]
            return testapp.post_json(f"/api/attempts/{attempt}/violations",
                                     {"violation_type": kind, "question_index": self.n % 10},
                                     headers=headers)
        self.seq += 1
        question, kind = student["questions"][(self.n // len(students)) % 10]
        body = {"question_id": question, "client_seq": self.seq}
        if kind in ("mcq", "true_false"):
            body["answer_option"] = self.n % 2
        else:
            body["answer_text"] = f"answer {self.seq}"
        return testapp.post_json(f"/api/attempts/{attempt}/answer", body, headers=headers)


# -- counting --------------------------------------------------------------------------------


class Counters:
    """Patches that count what one request does; installed for the counting pass only."""

    def __init__(self, app):
        self.app = app
        self.counts: Counter = Counter()
        self.undo: list = []

    def _wrap(self, owner, name: str, label: str, count=lambda *a, **k: 1):
        original = getattr(owner, name)
        counts = self.counts

        def wrapper(*args, **kwargs):
            counts[label] += count(*args, **kwargs)
            return original(*args, **kwargs)

        setattr(owner, name, wrapper)
        self.undo.append(lambda: setattr(owner, name, original))

    def install(self) -> None:
        import jwt.api_jwt
        import redis.client
        import sqlalchemy as sa
        from sqlalchemy.orm import Session

        from quizcore.security import SecurityPolicy

        engine = self.app.registry["dbengine"]
        counts = self.counts

        def on_execute(conn, cursor, statement, parameters, context, executemany):
            verb = statement.lstrip().split(None, 1)[0].upper()
            if verb == "SELECT" and statement.rstrip().upper().endswith("FOR UPDATE"):
                verb = "SELECT ... FOR UPDATE"
            counts[f"sql {verb}"] += 1
            counts["sql statements"] += 1

        def on_orm(state):
            counts["orm executions (do_orm_execute)"] += 1
            if state.is_relationship_load:
                counts["orm lazy/relationship loads"] += 1

        def on_connect(dbapi_connection, record):
            counts["db connections opened"] += 1

        listeners = [(engine, "before_cursor_execute", on_execute),
                     (Session, "do_orm_execute", on_orm),
                     (engine.pool, "connect", on_connect)]
        for target, event, fn in listeners:
            sa.event.listen(target, event, fn)
            self.undo.append(lambda t=target, e=event, f=fn: sa.event.remove(t, e, f))
        dialect = engine.dialect
        self._wrap(dialect, "do_ping", "mysql COM_PING (pool pre-ping)")
        self._wrap(dialect, "do_rollback", "mysql ROLLBACK (round trip)")
        self._wrap(dialect, "do_commit", "mysql COMMIT (round trip)")
        self._wrap(jwt.api_jwt.PyJWT, "decode_complete", "JWT decodes")
        self._wrap(SecurityPolicy, "_load_identity", "identity loads (_load_identity)")
        self._wrap(redis.Redis, "execute_command", "redis round trips")
        self._wrap(redis.Redis, "execute_command", "redis commands")
        self._wrap(redis.client.Pipeline, "execute", "redis round trips")
        self._wrap(redis.client.Pipeline, "execute", "redis commands",
                   count=lambda pipe, *a, **k: len(pipe.command_stack))
        self._wrap(redis.Redis, "execute_command", "redis single commands by name",
                   count=self._redis_name)

    def _redis_name(self, client, *args, **kwargs) -> int:
        self.counts[f"redis {str(args[0]).upper()}"] += 1
        return 0

    def remove(self) -> None:
        for undo in reversed(self.undo):
            undo()
        self.undo.clear()


# -- the passes ------------------------------------------------------------------------------


def run_endpoint(name: str, testapp, timed: Timed, app, nxt: Requests, args,
                 out: Path | None) -> dict:
    for _ in range(args.warmup):
        nxt(testapp, name)
    # 1. counts
    counters = Counters(app)
    counters.install()
    try:
        for _ in range(args.requests):
            nxt(testapp, name)
    finally:
        counters.remove()
    counts = {k: round(v / args.requests, 2) for k, v in sorted(counters.counts.items())
              if v and k != "redis single commands by name"}
    # 2. time, nothing installed: wall clock and this thread's CPU
    timed.seconds = timed.cpu_seconds = 0.0
    for _ in range(args.requests):
        nxt(testapp, name)
    ms = 1000 * timed.seconds / args.requests
    cpu_ms = 1000 * timed.cpu_seconds / args.requests
    # 3. cProfile, on the thread's CPU clock: what limits req/s is CPU, not waiting
    profiler = cProfile.Profile(time.thread_time)
    timed.profiler, timed.seconds = profiler, 0.0
    try:
        for _ in range(args.requests):
            nxt(testapp, name)
    finally:
        timed.profiler = None
    profiled_ms = 1000 * timed.seconds / args.requests
    stats = pstats.Stats(profiler)
    summary = cost_parts.summarise_pstats(stats)
    whole = cost_parts.PARTS[0].label
    total = summary["parts"].get(whole, [sum(summary["layers"].values())])[0] or 1e-9
    # Shares of the profiled time, applied to the CPU time measured without the profiler.
    parts = [{"part": label, "share": round(seconds / total, 4),
              "cpu_ms_per_request": round(seconds / total * cpu_ms, 3),
              "calls_per_request": round(calls / args.requests, 2)}
             for label, (seconds, calls) in summary["parts"].items()]
    layer_total = sum(summary["layers"].values()) or 1e-9
    layers = [{"layer": label, "share": round(seconds / layer_total, 4),
               "cpu_ms_per_request": round(seconds / layer_total * cpu_ms, 3)}
              for label, seconds in sorted(summary["layers"].items(), key=lambda i: -i[1])]
    if out is not None:
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(60)
        (out / f"{name}.pstats.txt").write_text(
            f"# {request_cost.LABELS[name]}: {args.requests} requests in process, cProfile "
            f"around the WSGI call on the thread CPU clock; {profiled_ms:.2f} ms/request "
            f"profiled, {ms:.2f} ms wall and {cpu_ms:.2f} ms CPU without the profiler\n"
            + text.getvalue())
    return {"endpoint": name, "label": request_cost.LABELS[name], "ms_per_request": ms,
            "cpu_ms_per_request": cpu_ms, "ms_per_request_profiled": profiled_ms,
            "counts_per_request": counts, "parts": parts, "layers": layers}


def print_results(results: list[dict]) -> None:
    floor = next(r for r in results if r["endpoint"] == "health")
    print()
    print("IN-PROCESS COST (one process, one request at a time, production.ini, WebTest)")
    print(f"  {'endpoint':<42}{'wall ms':>8}{'CPU ms':>8}{'x floor CPU':>12}")
    for r in results:
        print(f"  {r['label']:<42}{r['ms_per_request']:>8.2f}{r['cpu_ms_per_request']:>8.2f}"
              f"{r['cpu_ms_per_request'] / floor['cpu_ms_per_request']:>12.2f}")
    for r in results:
        print(f"\n  {r['label']}: {r['ms_per_request']:.2f} ms wall, "
              f"{r['cpu_ms_per_request']:.2f} ms CPU per request")
        print("    per request: " + ", ".join(f"{k} {v:g}"
                                             for k, v in r["counts_per_request"].items()))
        print(f"    {'part (inclusive, CPU)':<72}{'ms':>7}{'share':>7}  calls")
        for part in r["parts"]:
            print(f"    {part['part']:<72}{part['cpu_ms_per_request']:>7.2f}"
                  f"{part['share']:>7.1%}  {part['calls_per_request']:g}")
        print(f"    {'layer (exclusive, CPU)':<72}{'ms':>7}{'share':>7}")
        for layer in r["layers"]:
            print(f"    {layer['layer']:<72}{layer['cpu_ms_per_request']:>7.2f}"
                  f"{layer['share']:>7.1%}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300, help="requests per pass")
    parser.add_argument("--warmup", type=int, default=50, help="unmeasured requests first")
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--out", help="directory for the pstats text of each endpoint")
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("--keep", action="store_true", help="keep the working directory")
    args = parser.parse_args(argv)
    request_cost.stop_on_sigterm()
    import webtest

    rig_args = argparse.Namespace(
        students=args.students, minutes=120, bcrypt_rounds=4, api_processes=2,
        nginx_workers="auto", mariadb_port=services.free_port(),
        redis_port=services.free_port(), innodb_buffer_pool="512M", keep=args.keep)
    out = Path(args.out) if args.out else None
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    rig = request_cost.Rig(rig_args)
    try:
        rig.setup()
        rig.sign_in_and_start()
        # The API processes served the sign-in; from here on only this process works.
        for number in range(rig_args.api_processes):
            rig.services[f"api-{number}"].stop()
        app = build_app(rig)
        timed = Timed(app)
        testapp = webtest.TestApp(timed, extra_environ={"REMOTE_ADDR": "127.0.0.1"})
        nxt = Requests(rig)
        results = []
        for name in ENDPOINTS:
            results.append(run_endpoint(name, testapp, timed, app, nxt, args, out))
            rig.note(f"{request_cost.LABELS[name]}: {results[-1]['ms_per_request']:.2f} "
                     "ms/request in process")
        app.registry["dbengine"].dispose()
    finally:
        rig.close()
    print_results(results)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(
            {"command": " ".join(sys.argv), "args": vars(args), "commit": request_cost._commit(),
             "overrides": request_cost.bench_overrides(), "endpoints": results}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
