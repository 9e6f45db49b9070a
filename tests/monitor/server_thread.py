"""The monitor sidecar on its own event loop in a background thread, for tests whose
driver is synchronous (the browser test)."""

from __future__ import annotations

import asyncio
import threading

from tornado.httpserver import HTTPServer
from tornado.testing import bind_unused_port

from monitor_server.app import Monitor


class MonitorThread:
    def __init__(self, settings: dict):
        self.settings = settings
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.port: int | None = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="quiz-monitor", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> MonitorThread:
        self.thread.start()
        if not self.ready.wait(15) or self.error is not None:
            raise RuntimeError(f"the monitor did not start: {self.error}")
        return self

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(self._start())
        except BaseException as exc:  # noqa: BLE001 - reported to the starting thread
            self.error = exc
            self.ready.set()
            return
        self.ready.set()
        self.loop.run_forever()

    async def _start(self) -> None:
        sock, self.port = bind_unused_port()
        self.monitor = Monitor(self.settings)
        await self.monitor.start()
        self.server = HTTPServer(self.monitor.app)
        self.server.add_sockets([sock])

    def stop(self) -> None:
        async def shutdown():
            self.server.stop()
            await self.monitor.stop()
            await self.server.close_all_connections()

        asyncio.run_coroutine_threadsafe(shutdown(), self.loop).result(20)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(20)
