"""The API against its own OpenAPI document, fuzzed by schemathesis in-process (WSGI).

For every operation of ``/api/openapi.json``, schemathesis generates valid and invalid
requests; each response must not be a server error, must have a status the document lists
for that operation, a documented content type, and match the documented schema (every
error response has the JSON error body's schema).

Requests are signed in as a persona the authorisation matrix allows on the operation (so
they get past 401/403), and every other example uses the ids of real rows of the world
(:mod:`tests.security.world`) for path parameters, so the operations run their real code
rather than answering 404. The fast profile (``make test``) sends a few derandomized
examples per operation; ``make test-security`` sends many more and rotates personas.
"""

from __future__ import annotations

import copy
import itertools
import json

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.helpers import auth_headers

from .operations import allowed_callers, real_path_parameters, row_for, served_document
from .profile import FULL
from .world import build_world

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
MAX_EXAMPLES = 500 if FULL else 6


schema = schemathesis.openapi.from_dict(copy.deepcopy(served_document()))
# Deterministic: the same examples on every run, so a failure reproduces.
schema.config.generation.update(max_examples=MAX_EXAMPLES, deterministic=True,
                                database="none")


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_openapi_document(case, app, dbsession, redis):
    world = _world(dbsession)
    row = row_for(case.operation.path, case.method)
    allowed = allowed_callers(row)
    number = next(dbsession.info.setdefault("security_examples", itertools.count()))
    persona = allowed[number % len(allowed)] if FULL else allowed[0]
    if number % 2 == 0 and case.path_parameters is not None:
        case.path_parameters = {**case.path_parameters,
                                **real_path_parameters(case.operation.path, row, world.ids)}
    # In-process (WSGI), through the session's app: bound to this test's transaction. Set on
    # the schema too, for the requests some checks send again.
    schema.app = case.operation.app = app
    case.call_and_validate(headers=auth_headers(app.registry, world.users[persona]),
                           checks=CHECKS)


def _world(dbsession):
    """One world per test (operation): Hypothesis runs every example in the same test."""
    cached = dbsession.info.get("security_world")
    if cached is None:
        cached = dbsession.info["security_world"] = build_world()
    return cached


def test_the_fuzzed_document_is_the_one_the_app_serves(testapp):
    served = testapp.get("/api/openapi.json").json
    assert served == json.loads(json.dumps(schema.raw_schema))


def test_every_operation_lists_its_statuses_instead_of_a_default(testapp):
    for path, item in testapp.get("/api/openapi.json").json["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            assert "default" not in operation["responses"], (method, path)
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    assert response["schema"] == {"$ref": "#/definitions/Error"}
