"""The OpenAPI document the test app serves, and from one of its operations (path template
and method) to its row in the authorisation matrix: who may call it, and the world's ids
for its path parameters."""

from __future__ import annotations

import functools
import os

from quizcore.app import make_config
from quizcore.services.docs import build_spec
from tests.conftest import DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL, base_settings

from .test_authorization_matrix import CASES, Case

#: Personas tried, in order of preference, among those the matrix allows on an operation.
CALLERS = ("admin", "teacher", "student")


def segments(path: str) -> list[str]:
    return path.split("?")[0].strip("/").split("/")


def shape(path: str) -> tuple:
    return tuple("{}" if s.startswith("{") else s for s in segments(path))


#: (path shape, method) -> the matrix row of that operation.
ROWS = {(shape(c.path), c.method): c for c in CASES}


def row_for(operation_path: str, method: str) -> Case:
    """The matrix row of the operation; for a method the operation does not have (negative
    examples send them), a row of the same path."""
    key = shape(operation_path)
    row = ROWS.get((key, method.upper())) or next(
        (row for (s, _), row in ROWS.items() if s == key), None)
    assert row is not None, f"{method} {operation_path} has no row in the authorisation matrix"
    return row


def allowed_callers(row: Case) -> list[str]:
    return [p for p in CALLERS if row.expected[p] < 400] or ["admin"]


def real_path_parameters(operation_path: str, row: Case, ids: dict) -> dict:
    """The world's ids for the path parameters, by position in the matrix row's path."""
    values = {}
    for spec_part, row_part in zip(segments(operation_path), segments(row.path), strict=True):
        if spec_part.startswith("{"):
            values[spec_part.strip("{}")] = ids[row_part.strip("{}")]
    return values


@functools.cache
def served_document() -> dict:
    """The OpenAPI document the ``app`` fixture serves (same settings and plugins), built
    at import time so that tests can be generated from it. Configuring the application
    touches neither the database nor Redis."""
    app = make_config(base_settings(
        os.environ.get("QUIZCORE_TEST_DATABASE_URL", DEFAULT_DATABASE_URL),
        os.environ.get("QUIZCORE_TEST_REDIS_URL", DEFAULT_REDIS_URL))).make_wsgi_app()
    return build_spec(app.registry)
