"""The exam storm's private servers: MariaDB, Redis and the quizcore processes.

Everything runs from one temporary directory on its own ports, so the machine's shared
MariaDB (3306) and Redis (6379) are never touched. Each server is a :class:`Service`: a
command line that can be started, killed (``kill -9``), stopped (SIGTERM) and started again
with the same arguments, which is what the fault runs need. CPU time is accumulated across
restarts (children included, so nginx's workers count for nginx).
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import psutil

MARIADB_INSTALL = shutil.which("mariadb-install-db") or "/usr/bin/mariadb-install-db"
MARIADBD = shutil.which("mariadbd") or "/usr/sbin/mariadbd"
MARIADB_CLIENT = shutil.which("mariadb") or "/usr/bin/mariadb"
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def wait_until(check, timeout: float, what: str, process: subprocess.Popen | None = None):
    """Poll ``check()`` until it returns true; the polling interval bounds the wait."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what}: the process exited with status {process.returncode}")
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not come up within {timeout:.0f} s")


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Service:
    """One server process: start, kill, stop, restart; CPU seconds across all its runs."""

    def __init__(self, name: str, argv: list[str], *, env: dict | None = None,
                 log: Path, ready=None, cwd: Path | None = None, user: str | None = None):
        self.name = name
        self.argv = argv
        self.env = env
        self.log = log
        self.ready = ready
        self.cwd = cwd
        self.user = user
        self.process: subprocess.Popen | None = None
        self.cpu_before = 0.0  # CPU seconds of earlier runs
        self.restarts = 0
        self._last_cpu = 0.0

    def start(self, timeout: float = 60) -> Service:
        handle = open(self.log, "ab")
        self.process = subprocess.Popen(self.argv, env=self.env, cwd=self.cwd, stdout=handle,
                                        stderr=subprocess.STDOUT, user=self.user,
                                        start_new_session=True)
        handle.close()
        if self.ready is not None:
            wait_until(self.ready, timeout, self.name, self.process)
        return self

    def cpu_seconds(self) -> float:
        return self.cpu_before + self._current_cpu()

    def _current_cpu(self) -> float:
        if self.process is None or self.process.poll() is not None:
            return 0.0
        try:
            parent = psutil.Process(self.process.pid)
            total = 0.0
            for proc in [parent, *parent.children(recursive=True)]:
                times = proc.cpu_times()
                total += times.user + times.system
            return total
        except psutil.Error:
            return 0.0

    def _ended(self) -> None:
        self.cpu_before += self._last_cpu

    def signal(self, sig: int, timeout: float = 60) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self._last_cpu = self._current_cpu()
        try:
            os.killpg(self.process.pid, sig)
        except ProcessLookupError:
            pass
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        self._ended()

    def kill(self) -> None:
        """``kill -9``: no chance to finish anything."""
        self.signal(signal.SIGKILL)

    def stop(self, timeout: float = 60) -> None:
        self.signal(signal.SIGTERM, timeout)

    def restart(self, timeout: float = 60) -> None:
        self.restarts += 1
        self.start(timeout)

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None


# -- MariaDB ---------------------------------------------------------------------------------


def mariadb(directory: Path, port: int, *, buffer_pool: str = "512M",
            max_connections: int = 400) -> tuple[Service, Path]:
    """Install a fresh datadir and return the (not yet started) server and its socket.

    As root the server runs as the ``mysql`` user (it refuses to run as root), so the data
    and socket directories belong to it and the working directory is made traversable.
    """
    datadir, rundir = directory / "mariadb", directory / "mariadb-run"
    datadir.mkdir()
    rundir.mkdir()
    user = None
    if os.geteuid() == 0:
        user = "mysql"
        entry = pwd.getpwnam("mysql")
        for path in (datadir, rundir):
            os.chown(path, entry.pw_uid, entry.pw_gid)
        os.chmod(directory, 0o711)  # noqa: S103 - traverse only, for the mysql user
    install = [MARIADB_INSTALL, f"--datadir={datadir}", "--auth-root-authentication-method=socket",
               "--skip-test-db"]
    if user:
        install.append(f"--user={user}")
    subprocess.run(install, check=True, capture_output=True)
    sock = rundir / "mysqld.sock"
    argv = [MARIADBD, "--no-defaults", f"--datadir={datadir}", f"--socket={sock}",
            f"--port={port}", "--bind-address=127.0.0.1", f"--pid-file={rundir}/mysqld.pid",
            f"--innodb-buffer-pool-size={buffer_pool}", f"--max-connections={max_connections}",
            "--innodb-log-file-size=256M", "--character-set-server=utf8mb4",
            "--collation-server=utf8mb4_unicode_ci", "--skip-name-resolve",
            f"--log-error={directory}/mariadb.err"]
    if user:
        argv.append(f"--user={user}")

    def ready():
        return subprocess.run([MARIADB_CLIENT, f"--socket={sock}", "-u", "root", "-e",
                               "SELECT 1"], capture_output=True).returncode == 0

    return Service("mariadb", argv, log=directory / "mariadb.out", ready=ready), sock


def mariadb_sql(sock: Path, sql: str) -> None:
    subprocess.run([MARIADB_CLIENT, f"--socket={sock}", "-u", "root"], input=sql.encode(),
                   check=True, capture_output=True)


def redis(directory: Path, port: int) -> Service:
    data = directory / "redis"
    data.mkdir(exist_ok=True)
    argv = [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--dir", str(data), "--daemonize", "no"]
    return Service("redis", argv, log=directory / "redis.log", ready=lambda: port_open(port))
