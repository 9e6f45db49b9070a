"""The request class of the application: ``request.json_body`` with a nesting limit.

Python's JSON parser raises ``RecursionError`` (not ``ValueError``) for input nested a few
thousand levels deep, and documents nested a few hundred levels deep still exhaust the stack
later (colander deep-copies preserved mappings; MariaDB's JSON functions stop at 32 levels).
No request of this API needs more than a handful of levels, so a body nested deeper than
:data:`MAX_JSON_DEPTH` is refused as invalid JSON: Cornice reports a ``ValueError`` from
``json_body`` as a 400 in the API's error format.
"""

from __future__ import annotations

import json

from pyramid.request import Request

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
    def _json_body__get(self):
        try:
            value = json.loads(self.body.decode(self.charset))
        except RecursionError:
            value = None
            too_deep = True
        else:
            too_deep = json_depth_exceeds(value, MAX_JSON_DEPTH)
        if too_deep:
            raise ValueError(f"the JSON is nested deeper than {MAX_JSON_DEPTH} levels")
        return value

    json = json_body = property(_json_body__get, Request._json_body__set,
                                Request._json_body__del)


def includeme(config):
    config.set_request_factory(QuizRequest)
