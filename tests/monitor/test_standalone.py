"""The sidecar stands alone: started and serving, it has loaded no Pyramid, Cornice,
SQLAlchemy, quizcore models or services (a fresh interpreter, ``standalone_probe.py``)."""

from __future__ import annotations

import asyncio
import json
import os
import sys

from tornado.httpclient import AsyncHTTPClient

from tests.conftest import ROOT

from .client import Student, Watch

PROBE = os.path.join(os.path.dirname(__file__), "standalone_probe.py")
POLICY = 1008


class Probe:
    """``standalone_probe.py`` as a child process, talked to over its stdin and stdout."""

    def __init__(self, process: asyncio.subprocess.Process, port: int):
        self.process = process
        self.port = port

    @classmethod
    async def start(cls, api_url: str, redis_url: str, also_import: str = "") -> Probe:
        env = {k: v for k, v in os.environ.items() if not k.startswith("QUIZCORE_")}
        env.update({"QUIZCORE_ENV": "test", "QUIZCORE_REDIS_URL": redis_url,
                    "QUIZCORE_MONITOR_API_URL": api_url + "/api",
                    "QUIZCORE_PROBE_ALSO_IMPORT": also_import})
        process = await asyncio.create_subprocess_exec(
            sys.executable, PROBE, os.path.join(ROOT, "development.ini"), env=env,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE)
        first = await cls._line(process)
        return cls(process, first["port"])

    @staticmethod
    async def _line(process) -> dict:
        line = await asyncio.wait_for(process.stdout.readline(), 30)
        if not line:
            await process.wait()
            raise AssertionError("the probe exited: " + (await process.stderr.read()).decode())
        return json.loads(line)

    async def report(self) -> dict:
        self.process.stdin.write(b"report\n")
        await self.process.stdin.drain()
        report = await self._line(self.process)
        assert await asyncio.wait_for(self.process.wait(), 30) == 0
        return report

    def kill(self) -> None:
        if self.process.returncode is None:
            self.process.kill()


def forbidden_chains(report: dict) -> str:
    return "\n".join(report["forbidden"].values())


def test_a_serving_sidecar_has_loaded_no_pyramid_cornice_sqlalchemy_models_or_services(
        api_server, live_exam, redis, redis_url):
    api_url = api_server.application_url.rstrip("/")

    async def scenario():
        probe = await Probe.start(api_url, redis_url)
        try:
            base = f"http://127.0.0.1:{probe.port}"
            ws_url = f"ws://127.0.0.1:{probe.port}"
            http = AsyncHTTPClient()
            # Every handler once: health (Redis), page config, the static page, a refused
            # token (PyJWT), and a teacher admitted with the API's snapshot who then sees
            # a student's event arrive through Redis.
            health = json.loads((await http.fetch(base + "/health")).body)
            assert set(health) >= {"status", "redis", "watchers"}
            assert "api_url" in json.loads((await http.fetch(base + "/config.json")).body)
            assert b"<html" in (await http.fetch(base + "/")).body.lower()
            refused = await Watch.open(ws_url, live_exam.quiz_id, "not-a-token")
            assert await refused.closed() == POLICY
            watch = await Watch.open(ws_url, live_exam.quiz_id, live_exam.tokens["teacher"])
            await watch.next_of("quiz_status")
            ada = Student(api_url, live_exam.tokens["ada"])
            await ada.start(live_exam.quiz_id)
            started = await watch.next_of("attempt_started")
            assert started["data"]["student_id"] == live_exam.students["ada"]
            watch.close()
            return await probe.report()
        finally:
            probe.kill()

    report = asyncio.run(asyncio.wait_for(scenario(), 90))
    assert report["forbidden"] == {}, "the sidecar imported:\n" + forbidden_chains(report)
    # It did run quizcore's shared parts, and only those.
    quizcore = {name for name in report["loaded"] if name.split(".")[0] == "quizcore"}
    assert quizcore == {"quizcore", "quizcore.wire", "quizcore.settings",
                        "quizcore.redis_client"}


def test_the_probe_names_the_chain_of_a_forbidden_import(api_server, redis_url):
    """The check above can fail: importing the API's publisher drags SQLAlchemy in, and the
    report says through which modules."""
    api_url = api_server.application_url.rstrip("/")

    async def scenario():
        probe = await Probe.start(api_url, redis_url, also_import="quizcore.realtime")
        try:
            return await probe.report()
        finally:
            probe.kill()

    report = asyncio.run(asyncio.wait_for(scenario(), 60))
    chain = report["forbidden"]["sqlalchemy"].split(" <- ")
    assert chain[0] == "sqlalchemy" and "quizcore.realtime" in chain
    assert chain[-1] == "__main__"
    assert "quizcore.models" in report["forbidden"]
