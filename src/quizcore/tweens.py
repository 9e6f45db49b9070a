"""Request-wide concerns that must also cover error responses: CORS, the body size limit and
trailing slashes.

Both are tweens rather than Cornice options so that every response, a 401 from the security
policy or a 404 for an unknown path included, carries the CORS headers the SPA needs to
read the JSON error.
"""

from __future__ import annotations

from pyramid import httpexceptions as exc
from pyramid.response import Response
from pyramid.tweens import EXCVIEW, INGRESS

from .errors import http_error

ALLOWED_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
ALLOWED_HEADERS = "Content-Type, Authorization, Idempotency-Key"
EXPOSED_HEADERS = "Content-Disposition, Retry-After"
PREFLIGHT_MAX_AGE = "600"


def cors_tween_factory(handler, registry):
    origins = frozenset(registry.settings["quizcore.cors_origins"])
    any_origin = "*" in origins

    def allowed(origin: str | None) -> bool:
        return bool(origin) and (any_origin or origin in origins)

    def cors_tween(request):
        origin = request.headers.get("Origin")
        preflight = (request.method == "OPTIONS" and origin is not None
                     and "Access-Control-Request-Method" in request.headers)
        if preflight:
            if not allowed(origin):
                response = http_error(exc.HTTPForbidden, f"Origin {origin} is not allowed.",
                                      "Forbidden")
            else:
                response = Response(status=204)
                response.headers.update({
                    "Access-Control-Allow-Methods": ALLOWED_METHODS,
                    "Access-Control-Allow-Headers": ALLOWED_HEADERS,
                    "Access-Control-Max-Age": PREFLIGHT_MAX_AGE,
                })
        else:
            response = handler(request)
        if allowed(origin):
            # Echo the origin (never "*") so credentialed requests are accepted too.
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Allow-Credentials"] = "true"
            response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        response.vary = tuple(set(response.vary or ()) | {"Origin"})
        return response

    return cors_tween


def body_limit_tween_factory(handler, registry):
    limit = registry.settings["quizcore.max_body_bytes"]

    def body_limit_tween(request):
        length = request.content_length
        if length is not None and length > limit:
            return http_error(exc.HTTPRequestEntityTooLarge,
                              f"The request body is {length} bytes; the limit is {limit}.",
                              "Request too large", limit=limit)
        return handler(request)

    return body_limit_tween


def trailing_slash_tween_factory(handler, registry):
    """``/api/quizzes/`` is ``/api/quizzes``, for every route (core and plugins alike).

    The path is rewritten before routing instead of redirecting: no extra round trip, no
    redirect loop, and a POST keeps its method and body (browsers turn a 301/302 POST into a
    GET). The query string is not part of ``path_info`` and stays as it is. No route of
    quizcore ends with a slash, so the rewrite never hides one.
    """

    def trailing_slash_tween(request):
        path = request.path_info
        if len(path) > 1 and path.endswith("/"):
            request.path_info = path.rstrip("/") or "/"
        return handler(request)

    return trailing_slash_tween


def includeme(config):
    config.add_tween("quizcore.tweens.trailing_slash_tween_factory", under=INGRESS)
    config.add_tween("quizcore.tweens.cors_tween_factory",
                     under="quizcore.tweens.trailing_slash_tween_factory")
    config.add_tween("quizcore.tweens.body_limit_tween_factory",
                     under="quizcore.tweens.cors_tween_factory", over=EXCVIEW)
