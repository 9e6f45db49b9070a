"""quizcore: the backend of a school quiz platform.

:func:`main` is the WSGI application factory (``paste.app_factory``). It configures the core
in a fixed order, commits that configuration, then includes each plugin named in
``quizcore.plugins``.
"""

from __future__ import annotations

import logging
import warnings

# pyramid, cornice and cornice_swagger still import pkg_resources (setuptools is pinned
# below 81 for them); its deprecation notice says nothing a school can act on.
warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)

# The filter above must run before pyramid is imported, hence the late imports.
from pyramid.config import Configurator  # noqa: E402

from . import settings as quiz_settings  # noqa: E402
from .plugins import load_plugins  # noqa: E402
from .rest import cornice_renderer, json_renderer  # noqa: E402

log = logging.getLogger(__name__)


def includeme(config):
    """The core, in the order it depends on itself."""
    config.include(".settings")  # add_settings_spec directive for plugins
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
    return config.make_wsgi_app()
