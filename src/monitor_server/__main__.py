"""``quiz-monitor -c INI``: run the monitor sidecar until SIGINT/SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal

from .app import Monitor
from .config import load_settings

log = logging.getLogger("monitor_server")

#: How long open connections get to finish their closing handshake on shutdown.
SHUTDOWN_GRACE_SECONDS = 5.0


async def serve(settings: dict) -> None:
    monitor = Monitor(settings)
    await monitor.start()
    server = monitor.app.listen(settings["quizcore.monitor.port"],
                                address=settings["quizcore.monitor.host"])
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    log.info("quiz-monitor listening on %s:%s (API %s)", settings["quizcore.monitor.host"],
             settings["quizcore.monitor.port"], settings["quizcore.monitor.api_url"])
    await stop.wait()
    log.info("Shutting down: closing monitor sockets with 1001")
    server.stop()
    await monitor.stop()
    try:
        await asyncio.wait_for(server.close_all_connections(), SHUTDOWN_GRACE_SECONDS)
    except TimeoutError:
        log.warning("Some connections did not close within %.0f s", SHUTDOWN_GRACE_SECONDS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="quiz-monitor",
                                     description="quizcore live monitor (websocket sidecar)")
    parser.add_argument("-c", "--config", default="development.ini", help="ini file")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)-5.5s [%(name)s] %(message)s")
    asyncio.run(serve(load_settings(args.config)))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
