"""The request class of the application: request bodies that cannot be read are 400s.

* ``request.POST``: a form WebOb cannot parse (``multipart/form-data`` without a boundary, a
  broken part) raises ``ValueError`` wherever it is first read, inside a Cornice validator
  for instance: a 500. It is a 400 in the API's error format instead. (Endpoints that accept
  JSON only refuse other media types with 415 before reading the body at all.)
* ``request.json_body`` has a nesting limit. Python's JSON parser raises ``RecursionError``
  (not ``ValueError``) for input nested a few thousand levels deep, and documents nested a
  few hundred levels deep still exhaust the stack later (colander deep-copies preserved
  mappings; MariaDB's JSON functions stop at 32 levels). No request of this API needs more
  than a handful of levels, so a body nested deeper than :data:`MAX_JSON_DEPTH` is refused
  as invalid JSON: Cornice reports a ``ValueError`` from ``json_body`` as a 400.
"""

from __future__ import annotations

import json

from pyramid import httpexceptions as exc
from pyramid.request import Request

from .errors import http_error

#: Deepest nesting of arrays and objects accepted in a JSON body (MariaDB's own limit).
MAX_JSON_DEPTH = 32


def json_depth_exceeds(value, limit: int) -> bool:
    """True when ``value`` nests arrays/objects more than ``limit`` levels deep.

    Iterative on purpose: the point is to look at documents too deep for recursion.
    """
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children
                     if isinstance(child, dict | list))
    return False


class QuizRequest(Request):
    @property
    def POST(self):  # noqa: N802 - WebOb's name
        try:
            return Request.POST.fget(self)
        except ValueError as error:
            raise http_error(exc.HTTPBadRequest,
                             f"The {self.content_type} body cannot be read: {error}",
                             "Invalid request") from None

    def _json_body__get(self):
        too_deep = ValueError(f"the JSON is nested deeper than {MAX_JSON_DEPTH} levels")
        try:
            value = json.loads(self.body.decode(self.charset))
        except RecursionError:
            raise too_deep from None
        if json_depth_exceeds(value, MAX_JSON_DEPTH):
            raise too_deep
        return value

    json = json_body = property(_json_body__get, Request._json_body__set,
                                Request._json_body__del)


def includeme(config):
    config.set_request_factory(QuizRequest)
