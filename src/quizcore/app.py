"""The quizcore WSGI application: the Pyramid configuration of the core and its plugins.

:func:`main` is the application factory (``paste.app_factory``, ``use = egg:quizcore``). It
configures the core in a fixed order, commits that configuration, then includes each plugin
named in ``quizcore.plugins``. :func:`make_config` does the same without making the app
(tests and benchmarks hand in shared objects through it).
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterable
from typing import Any

from pyramid.config import Configurator

from . import settings as quiz_settings
from .plugins import load_plugins
from .rest import cornice_renderer, json_renderer

log = logging.getLogger(__name__)


def add_settings_spec(config, specs: Iterable[quiz_settings.Setting]) -> dict[str, Any]:
    """Config directive for plugins: parse their keys into the registry settings.

    Returns the parsed values so an ``includeme`` can check them further.
    """
    specs = tuple(specs)
    parsed = quiz_settings.parse_settings(config.registry.settings, specs)
    config.registry.settings.update(parsed)
    config.registry.setdefault("quizcore.settings_specs", []).extend(specs)
    return parsed


def includeme(config):
    """The core, in the order it depends on itself."""
    # add_settings_spec directive for plugins; the specs of every key, for the docs
    config.add_directive("add_settings_spec", add_settings_spec)
    config.registry["quizcore.settings_specs"] = list(quiz_settings.CORE_SETTINGS)
    config.include(".request")  # unreadable bodies are 400s, JSON with a nesting limit
    config.include("cornice")  # REST services
    # Registered here rather than in a sub-include so it replaces Cornice's own renderer:
    # services return datetimes and decimals as they are.
    config.add_renderer("cornicejson", cornice_renderer())
    config.include("cornice_swagger")  # OpenAPI predicates used by services
    config.include(".db")  # engine, request.dbsession, pyramid_tm, pyramid_retry
    config.include(".redis_client")  # request.redis
    config.include(".security")  # JWT identity, roles, default permission
    config.include(".events")  # two-phase domain events
    config.include(".realtime")  # events -> Redis streams after commit
    config.include(".tweens")  # CORS and body size on every response
    config.include(".mailer")  # request.mailer: e-mail sent after commit
    config.include(".ratelimit")  # shared rate-limit counters in Redis, per-user tween
    # One JSON error body. Scanned here, not in a sub-include, so these views override the
    # exception views Cornice registers (an includer's actions win over its includes').
    config.scan(".errors")
    config.include(".extensions")  # add_response_extension: plugins add answer fields
    config.include(".services")  # core REST services
    config.include(".scripts")  # quizctl commands


def make_config(settings: dict, registry_overrides: dict | None = None) -> Configurator:
    """A Configurator with the core and the plugins included (not yet an app).

    ``registry_overrides`` lets tests hand in shared objects (an engine, a Redis client).
    """
    settings = quiz_settings.load(settings)
    config = Configurator(settings=settings)
    for key, value in (registry_overrides or {}).items():
        config.registry[key] = value
    config.add_renderer("json", json_renderer())
    config.include(includeme)
    config.commit()
    load_plugins(config, settings["quizcore.plugins"])
    return config


def main(global_config, **settings):
    """Build the quizcore WSGI application."""
    config = make_config(settings)
    if config.registry.settings["quizcore.env"] != "production" and \
            config.registry.settings["quizcore.jwt_secret"] == quiz_settings.DEVELOPMENT_JWT_SECRET:
        log.warning("Using the development JWT secret; set QUIZCORE_JWT_SECRET in production.")
    app = config.make_wsgi_app()
    # The configuration, the modules and the compiled statements live as long as the
    # process: moved out of the collector's generations, they are not scanned again on every
    # collection a request triggers.
    gc.collect()
    gc.freeze()
    return app
