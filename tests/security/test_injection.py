"""Hostile strings in every text field of every create and update body (and in every free
text query parameter): SQL, HTML and script, template syntax, NUL, right-to-left marks,
emoji and combining characters, path traversal, format strings, header splitting, very long
strings.

The fields come from the OpenAPI document, which is generated from the colander schemas:
a new text field is covered without touching this file. Each request must either be
refused with a 4xx in the API's error format, or store the string verbatim (the response
and a later GET return it unchanged). Never a 500, and no row other than the one the
request is about may change (a new row, such as an audit record, is fine).
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from quizcore.migrations import import_models
from quizcore.models import metadata
from tests.helpers import assert_error, auth_headers, fill

from .operations import allowed_callers, real_path_parameters, row_for, served_document
from .world import build_world

PAYLOADS = {
    "sql_or": "' OR 1=1 --",
    "sql_drop": '"; DROP TABLE users; --',
    "sql_union": "x' UNION SELECT password_hash FROM users WHERE '1'='1",
    "html_script": "<script>alert(document.cookie)</script>",
    "html_attribute": '"><img src=x onerror=alert(1)>',
    "template": "{{7*7}} ${7*7} <%= 7*7 %> {% raw %}",
    "nul": "before\u0000after",
    "rtl_emoji_combining": "\u202egnp.exe\u202c \U0001F469\u200d\U0001F469\u200d\U0001F467"
                           " Z\u0337\u0322\u031ba\u0334l\u0338g\u0336o\u0335 \U0001F4A9",
    "path_traversal": "../../../../etc/passwd",
    "format_string": "%s%s%n {0} {__class__.__mro__}",
    "header_split": "line\r\nSet-Cookie: session=stolen",
    "very_long": "long " * 40_000,
}

def _is_text(schema: dict) -> bool:
    """A string the client chooses (not one of a list of values)."""
    return schema.get("type") == "string" and "enum" not in schema


def _text_fields(body_schema: dict) -> list[tuple[str, bool]]:
    """(field, is an array of strings) for every string field of a body schema."""
    fields = []
    for name, prop in body_schema.get("properties", {}).items():
        if _is_text(prop):
            fields.append((name, False))
        elif prop.get("type") == "array" and _is_text(prop.get("items", {})):
            fields.append((name, True))
    return fields


def _operations(document: dict):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in ("post", "put", "patch"):
                continue
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "body":
                    for field, is_list in _text_fields(parameter["schema"]):
                        yield path, method.upper(), field, is_list
        get = item.get("get")
        if get is not None:
            for parameter in get.get("parameters", []):
                if parameter["in"] == "query" and _is_text(parameter):
                    yield path, "GET", parameter["name"], False


TARGETS = sorted(set(_operations(served_document())))


# -- the database, before and after ----------------------------------------------------------

#: Rows these tables gain or change as a side effect of any request (sessions, audit).
SIDE_EFFECT_TABLES = {"audit_logs", "notifications", "refresh_tokens", "password_reset_tokens"}


def snapshot(dbsession) -> dict:
    import_models()
    dbsession.expire_all()
    rows = {}
    for table in metadata.sorted_tables:
        if table.name in SIDE_EFFECT_TABLES:
            continue
        for row in dbsession.execute(sa.select(table)).mappings():
            rows[(table.name, row["id"])] = dict(row)
    return rows


#: Columns any request may move on rows it reads (a sign-in stamps the account).
BOOKKEEPING_COLUMNS = {"last_login", "updated_at"}


def changed_rows(before: dict, after: dict, allowed_ids: set) -> list:
    """Rows that existed before and were changed or removed, except those of allowed ids
    (and the answers of an allowed attempt) and bookkeeping columns."""
    def essential(row):
        return None if row is None else {k: v for k, v in row.items()
                                         if k not in BOOKKEEPING_COLUMNS}
    return [key for key, row in before.items()
            if key[1] not in allowed_ids and row.get("attempt_id") not in allowed_ids
            and essential(after.get(key)) != essential(row)]


# -- the test --------------------------------------------------------------------------------


#: Fields that must be unique (a second create with the same value is a 409).
UNIQUE_FIELDS = ("email", "registration_number", "name")


def _unique(body: dict, number: int) -> dict:
    """``body`` with its unique fields made different for the ``number``-th request."""
    changed = dict(body)
    for key in UNIQUE_FIELDS:
        if isinstance(changed.get(key), str):
            local, at, domain = changed[key].partition("@")
            changed[key] = f"{local}{number}{at}{domain}" if at else f"{local} {number}"
    return changed


def _request(testapp, method, path, body, headers):
    if method == "GET":
        return testapp.get(path, params=body, headers=headers, status="*")
    send = {"POST": testapp.post_json, "PUT": testapp.put_json, "PATCH": testapp.patch_json}
    return send[method](path, body, headers=headers, status="*")


def _read_back(testapp, document, path, response, headers):
    """GET the object the request created or changed, when the API has such a GET."""
    body = response.json if response.content_type == "application/json" else {}
    if not isinstance(body, dict):
        return None
    if body.get("id") and not path.rstrip("/").endswith(str(body["id"])):
        candidate = f"{path.rstrip('/')}/{body['id']}"
    else:
        candidate = path
    for template, item in document["paths"].items():
        if "get" in item and _matches(template, candidate):
            got = testapp.get(candidate, headers=headers, status="*")
            return got.json if got.status_code == 200 else None
    return None


def _matches(template: str, path: str) -> bool:
    t, p = template.strip("/").split("/"), path.split("?")[0].strip("/").split("/")
    return len(t) == len(p) and all(a.startswith("{") or a == b for a, b in zip(t, p,
                                                                                strict=True))


@pytest.mark.parametrize("path, method, field, is_list", TARGETS,
                         ids=[f"{m} {p} {f}" for p, m, f, _ in TARGETS])
def test_hostile_strings_are_refused_or_stored_verbatim(app, testapp, dbsession, path,
                                                        method, field, is_list):
    world = build_world()
    document = served_document()
    row = row_for(path, method)
    persona = allowed_callers(row)[0]
    user = world.users[persona]
    concrete = path.format(**real_path_parameters(path, row, world.ids))
    base = fill(row.body or {}, world.ids) if method != "GET" else {}
    # The object in the path, the caller, and rows this test's own requests created (an
    # answer saved by one payload is replaced by the next).
    allowed_ids = {value for value in real_path_parameters(path, row, world.ids).values()}
    allowed_ids.add(user.id)
    # A route that names its object in the body (the SPA's ``/api/teacher/grade-answer``:
    # ``attempt_id``) is about that object too.
    allowed_ids |= {value for key, value in base.items()
                    if key.endswith("_id") and isinstance(value, str)}
    initial = after = snapshot(dbsession)
    for number, (name, payload) in enumerate(PAYLOADS.items()):
        dbsession.refresh(user)  # a password change or logout moves the token version on
        headers = auth_headers(app.registry, user)
        body = {**_unique(base, number), field: [payload, "second"] if is_list else payload}
        before = after  # reading the rows again would only repeat the previous snapshot
        response = _request(testapp, method, concrete, body, headers)
        after = snapshot(dbsession)
        label = f"{method} {concrete} {field}={name}"
        assert response.status_code < 500, f"{label}: {response.text[:500]}"
        if response.status_code >= 400:
            assert_error(response, response.status_code)
        else:
            _check_verbatim(testapp, document, concrete, response, headers, field, payload,
                            is_list, label)
        created = {key[1] for key in before if key not in initial}
        changed = changed_rows(before, after, allowed_ids | created)
        assert not changed, f"{label} changed other rows: {changed}"


def _check_verbatim(testapp, document, path, response, headers, field, payload, is_list,
                    label):
    echoed = response.json.get(field) if isinstance(response.json, dict) else None
    stored = _read_back(testapp, document, path, response, headers)
    for where, value in (("response", echoed), ("read back", (stored or {}).get(field))):
        if value is None:
            continue  # not echoed (passwords, tokens) or not readable by this caller
        expected = [payload, "second"] if is_list else payload
        assert value == expected, f"{label}: {where} gave {value!r:.200}"


@pytest.mark.plugin("quiz_plugins.exports")
@pytest.mark.parametrize("export", ["/api/exports/quiz/{quiz}/results?format=csv",
                                    "/api/exports/quiz/{quiz}/results?format=xlsx",
                                    "/api/exports/quiz/{quiz}/results?format=pdf",
                                    "/api/exports/attempts/{ended_attempt}/pdf",
                                    # served by the analytics plugin under the exports path
                                    pytest.param("/api/exports/analytics/{quiz}?format=pdf",
                                                 marks=pytest.mark.plugin(
                                                     "quiz_plugins.analytics"))])
def test_hostile_names_never_reach_a_download_header_raw(testapp, dbsession, auth, export):
    """Quiz titles and student names end up in Content-Disposition file names: no header
    splitting, no path separators, no quote breaking out of the quoted name."""
    world = build_world()
    teacher = auth(world.users["teacher"])
    hostile = "\"; x\r\nSet-Cookie: a=b ../../etc/passwd \\evil " + PAYLOADS["template"]
    testapp.put_json(f"/api/quizzes/{world.ids['quiz']}", {"title": hostile}, headers=teacher)
    testapp.put_json(f"/api/students/{world.ids['student']}", {"name": hostile},
                     headers=teacher)
    response = testapp.get(fill(export, world.ids), headers=teacher)
    disposition = response.headers["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition
    assert "Set-Cookie" not in response.headers
    plain = disposition.split('filename="', 1)[1].split('"', 1)[0]
    assert "/" not in plain and "\\" not in plain and ";" not in plain
