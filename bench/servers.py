"""What the HTTP benchmarks share: their own database per benchmark, and the application
under waitress in a subprocess on 127.0.0.1.

Used by ``bench/import.py``, ``bench/export.py`` and ``bench/interchange.py``.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator

import requests
import sqlalchemy as sa

# The other benchmarks' helpers (bench/ is on sys.path when a script in it runs).
from login import wait_until_up

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_DATABASE_URL = "mysql+mysqldb://quiz:quiz@127.0.0.1:3306/quizcore_test?charset=utf8mb4"

SERVER_CODE = """
import logging, sys, json
import waitress
from quizcore.app import make_config
logging.basicConfig(level=logging.WARNING)
logging.getLogger("waitress.queue").setLevel(logging.ERROR)
settings, port = json.loads(sys.argv[1]), int(sys.argv[2])
waitress.serve(make_config(settings).make_wsgi_app(), listen=f"127.0.0.1:{port}", threads=4,
               channel_timeout=300, _quiet=True)
"""


def bench_database_url(explicit: str | None, suffix: str) -> str:
    """``explicit``, else ``QUIZCORE_TEST_DATABASE_URL`` (or the local test database) with
    ``_<suffix>`` added to the database name."""
    if explicit:
        return explicit
    url = sa.make_url(os.environ.get("QUIZCORE_TEST_DATABASE_URL", DEFAULT_DATABASE_URL))
    return url.set(database=f"{url.database}_{suffix}").render_as_string(hide_password=False)


def count_rows(database_url: str, table: str) -> int:
    from quizcore.db import make_engine

    engine = make_engine(database_url)
    with engine.connect() as connection:
        count = connection.execute(sa.select(sa.func.count()).select_from(
            sa.table(table))).scalar_one()
    engine.dispose()
    return count


@contextlib.contextmanager
def serve(settings: dict, port: int) -> Iterator[subprocess.Popen]:
    """The application with ``settings`` under waitress on ``127.0.0.1:port`` until the
    block ends."""
    process = subprocess.Popen([sys.executable, "-c", SERVER_CODE, json.dumps(settings),
                                str(port)], cwd=ROOT)
    try:
        wait_until_up(port, process)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


def signed_in(base: str, email: str, password: str) -> requests.Session:
    """An HTTP session of the server at ``base`` carrying ``email``'s access token."""
    http = requests.Session()
    login = http.post(f"{base}/api/auth/login", json={
        "email_or_reg_no": email, "password": password}, timeout=30)
    login.raise_for_status()
    http.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
    return http
