"""The OpenAPI 3.1 document, built from the routes the app really has (so none can be missing) and
what each declares on ApiBlueprint.route: success status, the definitions of its request body and
its response (chalicelib.domain.fields: the same tables that check the body), query options and
required headers. Schemas with a ``title`` become components referenced by $ref."""

import inspect
import re
from typing import Any

from chalice import Chalice

from chalicelib.http.responses import NEXT_CURSOR_HEADER

ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {"type": "string", "pattern": "^[a-z0-9_]+$"},
                "message": {"type": "string"},
                "details": {"type": "object"},
            },
        }
    },
}
# Every operation refers to these shared error responses (components/responses) by status.
_ERROR_RESPONSES = {
    "400": ("BadRequest", "Malformed request"),
    "401": ("Unauthorized", "Missing, bad or expired token"),
    "403": ("Forbidden", "Not allowed"),
    "404": ("NotFound", "Not found"),
    "409": ("Conflict", "Conflict"),
    "412": ("PreconditionFailed", "If-Match failed"),
    "413": ("PayloadTooLarge", "Too large"),
    "415": ("UnsupportedMediaType", "Unsupported media type"),
    "422": ("ValidationFailed", "Validation failed; details maps field paths to messages"),
    "429": ("TooManyRequests", "Too many requests"),
}
_STRING = {"type": "string"}
_ETAG = {"description": "Strong validator of the representation", "required": True, "schema": _STRING}
# Keywords whose value is a schema, a list of schemas, or a mapping of names to schemas.
_SUBSCHEMA = ("items", "additionalProperties", "not", "contains", "if", "then", "else", "propertyNames")
_SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SUBSCHEMA_MAPS = ("properties", "patternProperties", "$defs", "dependentSchemas")


class _Components:
    """Named schemas of the document: every schema with a ``title`` is stored once and referenced."""

    def __init__(self) -> None:
        self.schemas: dict[str, Any] = {}

    def hoist(self, schema: Any) -> Any:
        if not isinstance(schema, dict):
            return schema
        out = dict(schema)
        for key in _SUBSCHEMA:
            if key in out:
                out[key] = self.hoist(out[key])
        for key in _SUBSCHEMA_LISTS:
            if key in out:
                out[key] = [self.hoist(item) for item in out[key]]
        for key in _SUBSCHEMA_MAPS:
            if key in out:
                out[key] = {name: self.hoist(item) for name, item in out[key].items()}
        title = out.get("title")
        if not isinstance(title, str):
            return out
        known = self.schemas.setdefault(title, out)
        if known != out:
            raise ValueError(f"two different schemas are titled {title!r}")
        return {"$ref": f"#/components/schemas/{title}"}


def _json(schema: Any) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _content(schema: dict[str, Any] | None) -> dict[str, Any]:
    if schema is None:
        return _json({})
    media = schema.get("contentMediaType")
    if media:
        return {media: {"schema": {key: value for key, value in schema.items() if key != "contentMediaType"}}}
    return _json(schema)


def _parameters(path: str, method: str, meta: dict[str, Any]) -> list[dict[str, Any]]:
    parameters: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": _STRING}
        for name in re.findall(r"{(\w+)}", path)
    ]
    parameters += [
        {"name": name, "in": "query", "required": False, "schema": option.schema()}
        for name, option in meta.get("query", {}).items()
    ]
    parameters += [
        {"name": name, "in": "header", "required": True, "schema": value.schema()}
        for name, value in meta.get("headers", {}).items()
    ]
    conditional = {"GET": "If-None-Match", "PATCH": "If-Match", "PUT": "If-Match", "DELETE": "If-Match"}
    if method in conditional:
        parameters.append(
            {
                "name": conditional[method],
                "in": "header",
                "required": False,
                "description": "ETag(s) of a representation read earlier, or *",
                "schema": _STRING,
            }
        )
    return parameters


def _responses(method: str, meta: dict[str, Any], components: _Components) -> dict[str, Any]:
    status = meta.get("status") or (204 if method == "DELETE" else 200)
    responses: dict[str, Any] = {
        code: {"$ref": f"#/components/responses/{name}"} for code, (name, _) in _ERROR_RESPONSES.items()
    }
    success: dict[str, Any] = {"description": "Success"}
    if status != 204:
        response = meta.get("response")
        success["content"] = _content(components.hoist(response.schema()) if response else None)
    headers: dict[str, Any] = {}
    if method == "GET" and status == 200:
        headers["ETag"] = _ETAG
        responses["304"] = {"description": "Not modified (If-None-Match matched)", "headers": {"ETag": _ETAG}}
    if "cursor" in meta.get("query", {}):
        headers[NEXT_CURSOR_HEADER] = {
            "description": "Cursor of the next page (absent on the last page)",
            "required": False,
            "schema": _STRING,
        }
    if headers:
        success["headers"] = headers
    responses[str(status)] = success
    return dict(sorted(responses.items()))


def _error_responses(components: _Components) -> dict[str, Any]:
    error = {"content": _json(components.hoist(ERROR_SCHEMA))}
    responses = {name: {"description": text, **error} for name, text in _ERROR_RESPONSES.values()}
    responses["TooManyRequests"]["headers"] = {
        "Retry-After": {"description": "Seconds to wait", "required": True, "schema": {"type": "integer"}}
    }
    return responses


def _operation(path: str, method: str, view: Any, components: _Components) -> dict[str, Any]:
    meta = getattr(view, "openapi", {})
    doc = inspect.getdoc(view) or view.__name__.replace("_", " ")
    operation: dict[str, Any] = {
        "operationId": f"{view.__name__}_{method.lower()}",
        "summary": doc.splitlines()[0],
        "tags": [path.strip("/").split("/")[0]],
        "parameters": _parameters(path, method, meta),
        "responses": _responses(method, meta, components),
    }
    if meta.get("public"):
        operation["security"] = []
    body = meta.get("body")
    if body is not None:
        operation["requestBody"] = {
            "required": not body.optional,
            "content": _json(components.hoist(body.definition.schema())),
        }
    return operation


def build_openapi(app: Chalice, server_url: str = "/api") -> dict[str, Any]:
    components = _Components()
    paths: dict[str, dict[str, Any]] = {}
    for path, methods in sorted(app.routes.items()):
        for method, entry in sorted(methods.items()):
            if method == "OPTIONS":
                continue
            paths.setdefault(path, {})[method.lower()] = _operation(
                path, method, entry.view_function, components
            )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Marquee API",
            "version": "1.0.0",
            "description": "See docs/api.md for the contract.",
        },
        "servers": [{"url": server_url}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
            "responses": _error_responses(components),
            "schemas": dict(sorted(components.schemas.items())),
        },
        "security": [{"bearer": []}],
        "paths": paths,
    }
