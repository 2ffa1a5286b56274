"""The OpenAPI 3.1 document, built from the routes the app really has (so none can be missing)."""

import inspect
import re
from typing import Any

from chalice import Chalice

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "details": {"type": "object"},
            },
        }
    },
}
_ERROR_STATUSES = {
    "400": "Malformed request",
    "401": "Missing, bad or expired token",
    "403": "Not allowed",
    "404": "Not found",
    "409": "Conflict",
    "412": "If-Match failed",
    "413": "Too large",
    "415": "Unsupported media type",
    "422": "Validation failed; details maps field paths to messages",
    "429": "Too many requests",
}
_SUCCESS = {"GET": "200", "POST": "200", "PUT": "200", "PATCH": "200", "DELETE": "204"}


def _operation(path: str, method: str, view: Any) -> dict[str, Any]:
    meta = getattr(view, "openapi", {})
    doc = inspect.getdoc(view) or view.__name__.replace("_", " ")
    operation: dict[str, Any] = {
        "operationId": f"{view.__name__}_{method.lower()}",
        "summary": doc.splitlines()[0],
        "parameters": [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in re.findall(r"{(\w+)}", path)
        ],
        "responses": {
            "default": {"description": "An error", "content": {"application/json": {"schema": ERROR_SCHEMA}}},
            **{
                code: {"description": text, "content": {"application/json": {"schema": ERROR_SCHEMA}}}
                for code, text in _ERROR_STATUSES.items()
            },
        },
    }
    success = _SUCCESS[method]
    operation["responses"][success] = {"description": "Success"}
    if method == "POST":
        operation["responses"]["201"] = {"description": "Created"}
    if method == "GET":
        operation["responses"]["304"] = {"description": "Not modified (If-None-Match matched)"}
    if meta.get("public"):
        operation["security"] = []
    if method in {"POST", "PUT", "PATCH"}:
        schema = meta.get("request_schema") or {"type": "object"}
        operation["requestBody"] = {"required": False, "content": {"application/json": {"schema": schema}}}
    return operation


def build_openapi(app: Chalice, server_url: str = "/api") -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for path, methods in sorted(app.routes.items()):
        for method, entry in sorted(methods.items()):
            if method == "OPTIONS":
                continue
            paths.setdefault(path, {})[method.lower()] = _operation(path, method, entry.view_function)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Marquee API", "version": "1.0.0", "description": "See API.md for the contract."},
        "servers": [{"url": server_url}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}
        },
        "security": [{"bearer": []}],
        "paths": paths,
    }
