from tests.plugins.fixtures import app_variant, emitter_app, outbox  # noqa: F401 - fixtures
