"""``GET /api/openapi.json`` (generated from the Cornice services) and ``GET /api/docs``.

Only services whose routes are registered in this application appear, so a disabled plugin
is absent from the document even when its module was imported. The docs page is Swagger UI
served from the ``swagger-ui-bundle`` package: it works without internet access.
"""

from __future__ import annotations

from cornice.service import get_services
from cornice_swagger import CorniceSwagger
from pyramid.interfaces import IRoutesMapper
from pyramid.response import Response
from swagger_ui_bundle import swagger_ui_path

from ..rest import NO_PERMISSION_REQUIRED, Service

API_TITLE = "quizcore"
API_VERSION = "1.0"

openapi = Service(name="openapi", path="/api/openapi.json",
                  description="The OpenAPI (Swagger 2.0) document of this API.")


def registered_services(registry):
    mapper = registry.getUtility(IRoutesMapper)
    route_names = {route.name for route in mapper.get_routes()}
    return [service for service in get_services() if service.name in route_names]


def build_spec(registry) -> dict:
    generator = CorniceSwagger(registered_services(registry), pyramid_registry=registry)
    generator.summary_docstrings = True
    spec = generator.generate(API_TITLE, API_VERSION, base_path="/")
    spec["securityDefinitions"] = {
        "bearer": {"type": "apiKey", "name": "Authorization", "in": "header",
                   "description": "Authorization: Bearer <access token>"},
    }
    spec["security"] = [{"bearer": []}]
    return spec


@openapi.get(permission=NO_PERMISSION_REQUIRED)
def get_openapi(request):
    registry = request.registry
    if "quizcore.openapi_spec" not in registry:
        registry["quizcore.openapi_spec"] = build_spec(registry)
    return registry["quizcore.openapi_spec"]


DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>quizcore API</title>
  <link rel="stylesheet" href="{static}/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="{static}/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({{url: "{spec}", dom_id: "#swagger-ui"}});
  </script>
</body>
</html>
"""


DOCS_STATIC_PATH = "/api/docs/static"


def docs_page(request):
    body = DOCS_PAGE.format(static=request.script_name + DOCS_STATIC_PATH,
                            spec=request.route_path("openapi"))
    return Response(body, content_type="text/html", charset="utf-8")


def includeme(config):
    config.add_cornice_service(openapi)
    config.add_route("api_docs", "/api/docs")
    config.add_view(docs_page, route_name="api_docs", permission=NO_PERMISSION_REQUIRED)
    config.add_static_view(DOCS_STATIC_PATH.lstrip("/"), str(swagger_ui_path),
                           permission=NO_PERMISSION_REQUIRED)
