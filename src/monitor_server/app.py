"""Tornado application of the monitor sidecar."""

from __future__ import annotations

import tornado.web


class HealthHandler(tornado.web.RequestHandler):
    def get(self):
        self.write({"status": "ok"})


def make_app(settings: dict) -> tornado.web.Application:
    return tornado.web.Application([(r"/health", HealthHandler)])
