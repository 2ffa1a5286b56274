"""Parsing what the client sent: JSON bodies, query options, size limits."""

import json
import re
from collections.abc import Mapping
from typing import Any, NamedTuple

from chalicelib.domain.errors import BadRequestError, PayloadTooLargeError
from chalicelib.domain.objects import Object
from chalicelib.http.context import current_request

MAX_JSON_BODY = 1024 * 1024
# Half of a UTF-16 pair without its other half ("\ud800" in JSON): not text, and not storable.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def raw_body() -> bytes:
    body = current_request().raw_body or b""
    # Chalice types raw_body as text or bytes; an API Gateway body always arrives as bytes.
    return body.encode() if isinstance(body, str) else body


def check_body_size(limit: int, hint: str = "") -> None:
    size = len(raw_body())
    if size > limit:
        raise PayloadTooLargeError(
            f"The request body is {size} bytes; the limit is {limit} bytes.{(' ' + hint) if hint else ''}",
            {"limit": limit},
        )


def json_body() -> dict[str, Any]:
    """The body as a JSON object; 400 for anything else."""
    body = raw_body()
    if not body.strip():
        raise BadRequestError("Send a JSON object as the request body.", code="malformed_json")
    try:
        value = json.loads(body, parse_constant=_not_json)
    except (ValueError, UnicodeDecodeError) as error:
        raise BadRequestError(f"The body is not valid JSON: {error}", code="malformed_json") from error
    except RecursionError as error:
        raise BadRequestError("The body is nested too deeply.", code="malformed_json") from error
    if not isinstance(value, dict):
        raise BadRequestError("Send a JSON object as the request body.", code="malformed_json")
    if _holds_lone_surrogate(value):
        raise BadRequestError(
            "The body holds a \\u escape that is half of a UTF-16 pair; send valid Unicode text.",
            code="malformed_json",
        )
    return value


class Body(NamedTuple):
    """A route's request body: its definition, how large it may be (``hint`` tells a client what
    to do instead) and whether it may be left out (it then reads as ``{}``)."""

    definition: Object
    max_bytes: int = MAX_JSON_BODY
    hint: str = ""
    optional: bool = False

    def read(self) -> dict[str, Any]:
        """The body parsed and checked against the definition: its clean fields."""
        payload = {} if self.optional and not raw_body().strip() else json_body()
        return self.definition.validate(payload)


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not a JSON number")


def _holds_lone_surrogate(value: Any) -> bool:
    pending = [value]  # no recursion: the parser accepts nesting deeper than a recursive walk would
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if _LONE_SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            pending.extend(item)
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def query_param(name: str) -> str | None:
    params: Mapping[str, str] = current_request().query_params or {}
    return params.get(name)


def query_flag(name: str) -> bool:
    return (query_param(name) or "").lower() in {"1", "true", "yes"}


def header(name: str) -> str | None:
    return current_request().headers.get(name.lower())


def source_ip() -> str:
    identity = (current_request().context or {}).get("identity") or {}
    return str(identity.get("sourceIp") or "unknown")
