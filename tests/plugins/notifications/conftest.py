from tests.plugins.fixtures import (  # noqa: F401 - fixtures
    app_variant,
    emitter_app,
    exam,
    exam_grader,
    outbox,
    server_request,
)
