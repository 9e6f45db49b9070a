"""``GET /api/openapi.json`` (generated from the Cornice services) and ``GET /api/docs``.

Only services whose routes are registered in this application appear, so a disabled plugin
is absent from the document even when its module was imported. The docs page is Swagger UI
served from the ``swagger-ui-bundle`` package: it works without internet access.

cornice_swagger documents every operation with a single ``default`` response. The document
served here lists, per operation, every status it can answer instead (see
:func:`operation_statuses`), each error with the JSON error body's schema, declares every
path parameter, and names the media types of downloads, so a client generator or a contract
test (tests/security uses schemathesis) can hold the API to it. What only a service knows
(its business-rule statuses, its downloads) it declares itself, core and plugins alike
(:mod:`.statuses`): this module names no route.
"""

from __future__ import annotations

import re
from http import HTTPStatus

from cornice.service import get_services
from cornice_swagger import CorniceSwagger
from cornice_swagger.converters.schema import ArrayTypeConverter, TypeConverter
from pyramid.interfaces import IRoutesMapper
from pyramid.response import Response
from swagger_ui_bundle import swagger_ui_path

from ..rest import NO_PERMISSION_REQUIRED, Service
from ..schemas.attempts import OptionOrText
from ..schemas.common import NullableSequence
from ..schemas.examples import OPERATION_EXAMPLES
from .statuses import NOTHING_DECLARED, OperationStatuses, declared_statuses

API_TITLE = "quizcore"
API_VERSION = "1.0"

openapi = Service(name="openapi", path="/api/openapi.json",
                  description="The OpenAPI (Swagger 2.0) document of this API.")


def registered_services(registry):
    mapper = registry.getUtility(IRoutesMapper)
    route_names = {route.name for route in mapper.get_routes()}
    return [service for service in get_services() if service.name in route_names]


#: The JSON error body of every non-2xx response (quizcore.errors).
ERROR_SCHEMA = {
    "type": "object",
    "required": ["code", "error", "message"],
    "properties": {
        "code": {"type": "integer"},
        "error": {"type": "string"},
        "message": {"type": "string"},
        "errors": {"type": "array", "items": {
            "type": "object",
            "properties": {"location": {"type": "string"}, "name": {"type": "string"},
                           "description": {"type": "string"}},
        }},
    },
}

PATH_PARAMETER = re.compile(r"{(\w+)(?::[^}]*)?}")
#: Methods that carry a request body, which the body size limit applies to.
BODY_METHODS = {"POST", "PUT", "PATCH"}


def operation_statuses(declared: OperationStatuses, method: str, path: str,
                       args: dict) -> list[int]:
    """Every status ``method`` on this Cornice service answers.

    The statuses the operation ``declared`` (:mod:`.statuses`: its successes and business
    rules), and those derived from its Cornice definition:

    * signed-in operations: 401 (no or invalid token) and 429 (the per-user rate limit);
      a role permission (anything but ``view``): 403;
    * a path parameter: 404 (not found, or not visible to the caller);
    * parameters or a body to validate: 400; a body: 413 (over ``quizcore.max_body_bytes``).
    """
    statuses = set(declared.success)
    permission = args.get("permission", "view")
    if permission != NO_PERMISSION_REQUIRED:
        statuses |= {401, 429}
        if permission != "view":
            statuses.add(403)
    if PATH_PARAMETER.search(path):
        statuses.add(404)
    if args.get("schema") is not None or args.get("validators"):
        statuses.add(400)
    if method in BODY_METHODS:
        statuses |= {400, 413}
    statuses |= set(declared.rules)
    return sorted(statuses)


def _responses(statuses: list[int]) -> dict:
    responses = {}
    for status in statuses:
        response = {"description": HTTPStatus(status).phrase}
        if status >= 400:
            response["schema"] = {"$ref": "#/definitions/Error"}
        responses[str(status)] = response
    return responses


def _document_operations(spec: dict, services, registry) -> None:
    """Replace cornice_swagger's ``default`` responses, add undeclared path parameters."""
    declarations = declared_statuses(registry)
    for service in services:
        path_item = spec["paths"].get(service.path)
        if path_item is None:
            continue
        names = PATH_PARAMETER.findall(service.path)
        for method, _view, args in service.definitions:
            operation = path_item.get(method.lower())
            if operation is None:
                continue
            parameters = operation.setdefault("parameters", [])
            declared = {p["name"] for p in parameters if p.get("in") == "path"}
            parameters.extend({"name": name, "in": "path", "required": True, "type": "string"}
                              for name in names if name not in declared)
            declared = declarations.get((service.name, method), NOTHING_DECLARED)
            operation["responses"] = _responses(
                operation_statuses(declared, method, service.path, args))
            if declared.downloads:
                operation["produces"] = ["application/json", *declared.downloads]


class AnyValueConverter(TypeConverter):
    """A field that takes more than one JSON type (Swagger 2.0 has no ``oneOf``): the schema
    names no type and its description says which values are valid."""

    def convert_type(self, schema_node):
        converted = super().convert_type(schema_node)
        converted.pop("type", None)
        return converted


class QuizcoreSwagger(CorniceSwagger):
    custom_type_converters = {OptionOrText: AnyValueConverter,
                              NullableSequence: ArrayTypeConverter}


def build_spec(registry) -> dict:
    services = registered_services(registry)
    generator = QuizcoreSwagger(services, pyramid_registry=registry)
    generator.summary_docstrings = True
    spec = generator.generate(API_TITLE, API_VERSION, base_path="/")
    spec.setdefault("definitions", {})["Error"] = ERROR_SCHEMA
    _document_operations(spec, services, registry)
    spec["securityDefinitions"] = {
        "bearer": {"type": "apiKey", "name": "Authorization", "in": "header",
                   "description": "Authorization: Bearer <access token>"},
    }
    spec["security"] = [{"bearer": []}]
    for (path, method), examples in OPERATION_EXAMPLES.items():
        operation = spec["paths"].get(path, {}).get(method)
        if operation is not None:
            operation["x-examples"] = examples
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
