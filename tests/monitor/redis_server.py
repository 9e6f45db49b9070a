"""A private redis-server process for tests that stop and restart Redis.

The machine's shared Redis is never touched: this one listens on a free loopback port with
its files in a temporary directory, and is stopped by its own process id.
"""

from __future__ import annotations

import shutil
import subprocess
import time

import redis as redis_lib
from tornado.testing import bind_unused_port


class PrivateRedis:
    def __init__(self, directory):
        if shutil.which("redis-server") is None:
            raise RuntimeError("redis-server is not installed (.ci/services.sh installs it)")
        self.directory = str(directory)
        sock, self.port = bind_unused_port()
        sock.close()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", self.directory, "--loglevel", "warning"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis_lib.Redis.from_url(self.url, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis_lib.exceptions.ConnectionError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError("the private redis-server did not start") from None
                time.sleep(0.02)  # polling for start-up with a deadline
            finally:
                client.close()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None
