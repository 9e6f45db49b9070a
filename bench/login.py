"""Logins per second at the configured bcrypt cost.

Starts the real application under waitress in a subprocess (a free port on 127.0.0.1),
against its own MariaDB database (created and migrated here, ``<test database>_bench``), and
fires ``POST /api/auth/login`` from client threads over HTTP for a fixed time. Every login is
a full request: rate limits are switched off (the point is to measure bcrypt and the request
path, not to be throttled), everything else is as configured in the ini file.

    .venv/bin/python bench/login.py                       # cost from development.ini
    .venv/bin/python bench/login.py --rounds 10 --seconds 20 --clients 4

The database URL comes from ``--database-url``, else ``QUIZCORE_TEST_DATABASE_URL`` (with
``_bench`` added to the database name), else the local ``quizcore_test_bench``. Redis from
``QUIZCORE_TEST_REDIS_URL`` (default db 15; only touched by the health check).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_DATABASE_URL = "mysql+mysqldb://quiz:quiz@127.0.0.1:3306/quizcore_test?charset=utf8mb4"
PASSWORD = "bench password 123"
USERS = 50


def bench_database_url(explicit: str | None) -> str:
    import sqlalchemy as sa

    if explicit:
        return explicit
    url = sa.make_url(os.environ.get("QUIZCORE_TEST_DATABASE_URL", DEFAULT_DATABASE_URL))
    return url.set(database=f"{url.database}_bench").render_as_string(hide_password=False)


def app_settings(ini: str, database_url: str, redis_url: str, rounds: int | None) -> dict:
    from plaster import get_settings

    settings = dict(get_settings(ini, "app:main"))
    settings.update({"sqlalchemy.url": database_url, "quizcore.redis_url": redis_url,
                     "quizcore.ratelimit_enabled": "false", "quizcore.mailer": "null",
                     "quizcore.plugins": ""})
    if rounds is not None:
        settings["quizcore.bcrypt_rounds"] = str(rounds)
    return settings


def prepare_database(database_url: str, rounds: int) -> list[str]:
    """Re-create the bench database, migrate it, add USERS teachers; returns their emails."""
    import sqlalchemy as sa
    from alembic import command

    from quizcore.db import make_engine
    from quizcore.domain.passwords import hash_password
    from quizcore.migrations import alembic_config
    from quizcore.models import Role, Teacher, User

    url = sa.make_url(database_url)
    server = make_engine(url.set(database="").render_as_string(hide_password=False),
                         poolclass=sa.pool.NullPool)
    with server.connect() as connection:
        connection.execute(sa.text(f"DROP DATABASE IF EXISTS `{url.database}`"))
        connection.execute(sa.text(f"CREATE DATABASE `{url.database}` CHARACTER SET utf8mb4 "
                                   "COLLATE utf8mb4_unicode_ci"))
    server.dispose()
    command.upgrade(alembic_config(database_url), "head")
    # One hash for every user: the cost of checking it is what is measured, not of making it.
    password_hash = hash_password(PASSWORD, rounds)
    engine = make_engine(database_url)
    emails = [f"bench{n}@school.example" for n in range(USERS)]
    with sa.orm.Session(engine) as session, session.begin():
        for email in emails:
            user = User(email=email, name=email, role=Role.TEACHER, password_hash=password_hash)
            user.teacher = Teacher()
            session.add(user)
    engine.dispose()
    return emails


def serve(args) -> None:
    """Child process: the application under waitress."""
    import logging

    import waitress

    from quizcore.app import make_config

    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    settings = app_settings(args.ini, args.database_url, args.redis_url, args.rounds)
    app = make_config(settings).make_wsgi_app()
    waitress.serve(app, listen=f"127.0.0.1:{args.port}", threads=args.threads, _quiet=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(port: int, process, deadline_seconds: float = 60) -> None:
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/api/health")
            if connection.getresponse().status in (200, 503):
                return
        except OSError:
            time.sleep(0.1)  # polling for the subprocess to listen, not synchronising tests
    raise SystemExit("the server did not start in time")


def client(port: int, emails: list[str], stop_at: float, latencies: list[float],
           failures: list[int], offset: int) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    n = offset
    while time.monotonic() < stop_at:
        payload = json.dumps({"email_or_reg_no": emails[n % len(emails)],
                              "password": PASSWORD})
        started = time.perf_counter()
        connection.request("POST", "/api/auth/login", payload,
                           {"Content-Type": "application/json"})
        response = connection.getresponse()
        body = response.read()
        latencies.append(time.perf_counter() - started)
        if response.status != 200:
            failures.append(response.status)
            print("failed:", response.status, body, file=sys.stderr)
        n += 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ini", default=os.path.join(ROOT, "development.ini"))
    parser.add_argument("--rounds", type=int, help="bcrypt cost (default: the ini's setting)")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=8, help="concurrent client threads")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads")
    parser.add_argument("--database-url")
    parser.add_argument("--redis-url",
                        default=os.environ.get("QUIZCORE_TEST_REDIS_URL",
                                               "redis://127.0.0.1:6379/15"))
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.database_url = bench_database_url(args.database_url)
    if args.serve:
        serve(args)
        return 0

    from quizcore.settings import load

    rounds = load(app_settings(args.ini, args.database_url, args.redis_url,
                               args.rounds))["quizcore.bcrypt_rounds"]
    emails = prepare_database(args.database_url, rounds)
    port = free_port()
    command = [sys.executable, os.path.abspath(__file__), "--serve", "--port", str(port),
               "--ini", args.ini, "--database-url", args.database_url, "--redis-url",
               args.redis_url, "--threads", str(args.threads), "--rounds", str(rounds)]
    process = subprocess.Popen(command, cwd=ROOT)
    try:
        wait_until_up(port, process)
        latencies: list[float] = []
        failures: list[int] = []
        started = time.monotonic()
        stop_at = started + args.seconds
        threads = [threading.Thread(target=client, args=(port, emails, stop_at, latencies,
                                                         failures, i))
                   for i in range(args.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    finally:
        process.terminate()
        process.wait(timeout=30)

    latencies.sort()
    count = len(latencies)
    print(f"POST /api/auth/login over HTTP to waitress ({args.threads} threads, one process) "
          f"on 127.0.0.1, {args.clients} client threads, {elapsed:.1f} s, "
          f"{os.cpu_count()} CPU cores shared by app, MariaDB and clients")
    print(f"bcrypt cost (quizcore.bcrypt_rounds): {rounds}; rate limits off; "
          f"{USERS} accounts in rotation")
    print(f"logins: {count}, failed: {len(failures)}")
    print(f"logins/s: {count / elapsed:.1f}")
    if count:
        print(f"latency ms: p50 {statistics.median(latencies) * 1000:.0f}, "
              f"p95 {latencies[int(count * 0.95) - 1] * 1000:.0f}, "
              f"max {latencies[-1] * 1000:.0f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
