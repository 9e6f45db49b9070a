"""What the running application exposes: every (route name, method) with the module of the
view that serves it, read from Pyramid's introspector (Cornice services and plain views
alike, plugin routes included when the plugin is enabled)."""

from __future__ import annotations

from collections import defaultdict

from pyramid.interfaces import IRoutesMapper

#: Methods Pyramid answers by itself: HEAD runs the GET view, OPTIONS is the CORS tween's.
IMPLICIT_METHODS = {"HEAD", "OPTIONS"}


def exposed_operations(registry) -> dict[tuple[str, str], str]:
    """``{(route_name, method): view module}``. A route whose views accept any method (the
    docs page, static files) is listed as GET, the only method a client uses on it."""
    routes = {route.name for route in registry.getUtility(IRoutesMapper).get_routes()}
    by_route: dict[str, dict[str | None, str]] = defaultdict(dict)
    for item in registry.introspector.get_category("views"):
        view = item["introspectable"]
        name = view["route_name"]
        if name not in routes:
            continue
        module = getattr(view["callable"], "__module__", "") or ""
        methods = view["request_methods"]
        if methods is None:
            if not module.startswith("cornice."):  # Cornice's 405 fallback is not an operation
                by_route[name].setdefault(None, module)
            continue
        for method in [methods] if isinstance(methods, str) else methods:
            if method not in IMPLICIT_METHODS:
                by_route[name][method] = module
    operations = {}
    for name, methods in by_route.items():
        explicit = {m: mod for m, mod in methods.items() if m is not None}
        for method, module in (explicit or {"GET": methods[None]}).items():
            operations[(name, method)] = module
    return operations


def plugin_of(module: str) -> str | None:
    """``quiz_plugins.grading.views`` -> ``quiz_plugins.grading``; core modules -> None."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "quiz_plugins" else None


def route(registry, name: str):
    return registry.getUtility(IRoutesMapper).get_route(name)
