"""Run the monitor sidecar in a fresh interpreter and report which modules it loaded.

Run as a script by ``test_standalone.py`` (``python standalone_probe.py INI``), with the
settings in the environment as ``quiz-monitor`` takes them. It records who imported each
module, builds and starts the sidecar from the ini file on an ephemeral port, prints
``{"port": N}``, serves until a line arrives on stdin, then prints
``{"forbidden": {module: import chain}, "loaded": [...]}`` for the modules the sidecar must
not need, stops the sidecar and exits.

``QUIZCORE_PROBE_ALSO_IMPORT`` (module names) imports more after the sidecar's own modules;
the tests use it to show that a forbidden import is caught and its chain named.
"""

from __future__ import annotations

import importlib.abc
import sys

#: Packages the sidecar runs without (matched with their submodules).
FORBIDDEN = ("pyramid", "cornice", "sqlalchemy", "quizcore.models", "quizcore.services")


class ImportRecorder(importlib.abc.MetaPathFinder):
    """Remembers, for each module, the module whose code first asked for it."""

    def __init__(self):
        self.importer: dict[str, str] = {}

    def find_spec(self, name, path, target=None):
        if name not in self.importer:
            self.importer[name] = _asking_module()
        return None  # never finds anything itself: the normal finders do the work

    def chain(self, name: str) -> list[str]:
        chain = [name]
        while chain[-1] in self.importer and len(chain) < 100:
            chain.append(self.importer[chain[-1]])
        return chain


def _asking_module() -> str:
    """The first module on the stack outside the import machinery and this finder."""
    frame = sys._getframe(2)
    while frame is not None:
        module = frame.f_globals.get("__name__", "?")
        if module != "importlib" and not module.startswith(("importlib.", "_frozen_importlib")):
            return module
        frame = frame.f_back
    return "?"


def forbidden(name: str) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in FORBIDDEN)


RECORDER = ImportRecorder()
sys.meta_path.insert(0, RECORDER)

# Everything below is imported with the recorder in place.
import asyncio  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402

from tornado.httpserver import HTTPServer  # noqa: E402
from tornado.netutil import bind_sockets  # noqa: E402

import monitor_server.__main__  # noqa: E402, F401 - the quiz-monitor command's module
from monitor_server.app import Monitor  # noqa: E402
from monitor_server.config import load_settings  # noqa: E402

for extra in os.environ.get("QUIZCORE_PROBE_ALSO_IMPORT", "").split():
    __import__(extra)


def say(document: dict) -> None:
    sys.stdout.write(json.dumps(document) + "\n")
    sys.stdout.flush()


async def main(ini_path: str) -> None:
    monitor = Monitor(load_settings(ini_path))
    await monitor.start()
    sockets = bind_sockets(0, "127.0.0.1")
    server = HTTPServer(monitor.app)
    server.add_sockets(sockets)
    say({"port": sockets[0].getsockname()[1]})
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    loaded = sorted(sys.modules)
    say({"forbidden": {name: " <- ".join(RECORDER.chain(name))
                       for name in loaded if forbidden(name)},
         "loaded": loaded})
    server.stop()
    await monitor.stop()
    await server.close_all_connections()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
