"""Response extensions: a plugin adds fields to a canonical answer, never changes one.

``config.add_response_extension(service, method, extend, items=None)`` registers
``extend(request, answer) -> Mapping`` for one operation (a Cornice service name, or a route
name, and an HTTP method). The mapping it returns is merged into the JSON object the view
answers; with ``items="items"`` it is called once per element of that list instead (``answer``
is then the element). Fields the canonical answer already has always win: an extension can
only add, so the canonical meaning of every existing field is unchanged (a clash is logged
and the extension's value dropped). Error answers (responses, not dicts) are left alone.

Extensions run after the view, inside the request's transaction, so they may read through
``request.dbsession``; they must not repeat business rules (call :mod:`quizcore.domain`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

REGISTRY_KEY = "quizcore.response_extensions"

Extend = Callable[[Any, dict], Mapping[str, Any] | None]


@dataclass(frozen=True)
class ResponseExtension:
    extend: Extend
    items: str | None = None


def add_response_extension(config, service, method: str, extend: Extend,
                           items: str | None = None) -> None:
    """Config directive (see the module docstring). ``service`` is a Cornice service or
    its name."""
    name = service if isinstance(service, str) else service.name
    key = (name, method.upper())
    extensions = config.registry.setdefault(REGISTRY_KEY, {})

    def register():
        extensions.setdefault(key, []).append(ResponseExtension(extend, items))

    config.action(None, register)


def _merge(request, answer: dict, extension: ResponseExtension) -> None:
    added = extension.extend(request, answer) or {}
    for field, value in added.items():
        if field in answer:
            log.warning("Response extension %r tried to replace field %r; kept the canonical "
                        "value.", extension.extend, field)
            continue
        answer[field] = value


def apply_extensions(request, answer):
    """Merge the extensions of the matched operation into ``answer`` (a dict)."""
    route = request.matched_route
    if route is None or not isinstance(answer, dict):
        return answer
    extensions = request.registry.get(REGISTRY_KEY, {}).get((route.name, request.method))
    for extension in extensions or ():
        if extension.items is None:
            _merge(request, answer, extension)
            continue
        for item in answer.get(extension.items) or ():
            if isinstance(item, dict):
                _merge(request, item, extension)
    return answer


def response_extension_deriver(view, info):
    """Between the view and its renderer: the view's dict, before it becomes JSON."""

    def extended_view(context, request):
        return apply_extensions(request, view(context, request))

    return extended_view


def includeme(config):
    """Registers the ``add_response_extension`` directive and its view deriver."""
    config.registry.setdefault(REGISTRY_KEY, {})
    config.add_directive("add_response_extension", add_response_extension)
    config.add_view_deriver(response_extension_deriver, under="rendered_view",
                            over="mapped_view")
