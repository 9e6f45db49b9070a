from tests.plugins.fixtures import (  # noqa: F401 - fixtures
    app_variant,
    emitter_app,
    emitter_without_grader,
    exam,
    exam_grader,
    outbox,
    server_request,
)
