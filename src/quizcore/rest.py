"""The one place quizcore imports Cornice: the Service class and shared REST helpers.

Services (core and plugins) use :class:`Service` from here, so every endpoint answers
validation failures with the quizcore JSON error body. CORS is handled for every response
(errors included) by :mod:`quizcore.cors`, not per service.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

import colander
from cornice import Service as CorniceService
from cornice.renderer import CorniceRenderer
from cornice.validators import colander_body_validator, colander_validator
from pyramid.renderers import JSON
from pyramid.security import NO_PERMISSION_REQUIRED

from .errors import cornice_error_handler
from .events import DomainEvent, emit
from .wire import iso

__all__ = [
    "NO_PERMISSION_REQUIRED",
    "PaginationQuery",
    "Service",
    "body_validator",
    "emit_for",
    "iso",
    "json_renderer",
    "page_params",
    "paginate",
    "validator",
]

body_validator = colander_body_validator
validator = colander_validator

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
#: Far beyond any real list; bounds the OFFSET the database is asked for.
MAX_PAGE = 1_000_000


def emit_for(request, event: DomainEvent) -> DomainEvent:
    """Emit ``event`` on the request's session; the signed-in user is its actor unless the
    event names one."""
    if event.actor_id is None:
        event.actor_id = request.authenticated_userid
    return emit(request.dbsession, event)


class Service(CorniceService):
    """A Cornice service with the quizcore error body."""

    def default_error_handler(self, request):
        return cornice_error_handler(request)


def _add_adapters(renderer: JSON) -> JSON:
    renderer.add_adapter(dt.datetime, lambda value, request: iso(value))
    renderer.add_adapter(dt.date, lambda value, request: value.isoformat())
    renderer.add_adapter(Decimal, lambda value, request: float(value))
    return renderer


def json_renderer() -> JSON:
    """Pyramid's ``json`` renderer, knowing datetimes (UTC, ``Z``), dates and decimals."""
    return _add_adapters(JSON())


def cornice_renderer() -> CorniceRenderer:
    """Cornice's ``cornicejson`` renderer (every Service uses it) with the same adapters."""
    return _add_adapters(CorniceRenderer())


# -- pagination ------------------------------------------------------------------------------


class PaginationQuery(colander.MappingSchema):
    """Query parameters every list endpoint accepts. Subclass it to add filters."""

    page = colander.SchemaNode(colander.Integer(), missing=1,
                               validator=colander.Range(min=1, max=MAX_PAGE))
    limit = colander.SchemaNode(colander.Integer(), missing=colander.drop,
                                validator=colander.Range(min=1))
    # Alias of ``limit`` sent by older clients.
    per_page = colander.SchemaNode(colander.Integer(), missing=colander.drop,
                                   validator=colander.Range(min=1))


def page_params(validated: dict[str, Any]) -> tuple[int, int]:
    """(page, limit) from validated query parameters; limit is capped at 100."""
    query = validated.get("querystring", validated)
    limit = query.get("limit", query.get("per_page", DEFAULT_PAGE_SIZE))
    return query.get("page", 1), min(limit, MAX_PAGE_SIZE)


def paginate(dbsession, statement, page: int, limit: int,
             serialize: Callable[[Any], Any] = lambda row: row,
             scalars: bool = True) -> dict[str, Any]:
    """Run ``statement`` for one page and return the list envelope of the API.

    ``statement`` is a ``select()``; the total is counted with the same filters.
    """
    import sqlalchemy as sa

    total = dbsession.execute(
        sa.select(sa.func.count()).select_from(statement.order_by(None).subquery())
    ).scalar_one()
    result = dbsession.execute(statement.limit(limit).offset((page - 1) * limit))
    rows: Iterable[Any] = result.scalars() if scalars else result
    items = [serialize(row) for row in rows]
    return {
        "items": items,
        "total": total,
        "page": page,
        "current_page": page,
        "limit": limit,
        "pages": math.ceil(total / limit) if total else 0,
    }
