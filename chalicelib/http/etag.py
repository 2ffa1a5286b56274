"""ETags derived from versions stored at write time, conditional GETs and If-Match.

A versioned ETag looks like ``"7.3-1f2e3d4c5b6a"``: the versions of what shapes the
representation (the first one is the version writes are conditioned on), then a digest of the
resource's path, query and variant, so a tag of one resource never matches another.
"""

import hashlib
import time
from collections.abc import Callable, Sequence
from typing import Any

from chalice import Response

from chalicelib.domain.errors import PreconditionFailedError
from chalicelib.encoding import dumps
from chalicelib.http.context import current, current_request


def _digest(text: str, length: int = 12) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def _resource_path(route: str | None = None) -> str:
    # Chalice's request.path is the route template; the parameters make it the resource.
    request = current_request()
    params = ",".join(f"{k}={v}" for k, v in sorted((request.uri_params or {}).items()))
    return f"{route or request.path}|{params}"


def resource_scope(variant: str = "") -> str:
    query = "&".join(f"{k}={v}" for k, v in sorted((current_request().query_params or {}).items()))
    return f"{_resource_path()}?{query}#{variant}"


def versioned_etag(versions: Sequence[int], variant: str = "") -> str:
    numbers = ".".join(str(int(v)) for v in versions)
    return f'"{numbers}-{_digest(resource_scope(variant))}"'


def clock_variant(seconds: int = 60) -> str:
    """For representations that change with time alone (sales windows opening, holds
    expiring): the tag moves on every ``seconds`` so clients see it within that delay."""
    return f"t{int(time.time() // seconds)}"


def body_etag(body: str) -> str:
    """For small resources with no stored version (the caller's profile, lists across events)."""
    return f'"b-{_digest(body, 24)}"'


def _tags(header: str) -> list[str]:
    return [tag.strip() for tag in header.split(",") if tag.strip()]


def none_match(header: str | None, etag: str) -> bool:
    """If-None-Match uses the weak comparison: ``W/`` prefixes are ignored."""
    if not header:
        return False
    wanted = etag.removeprefix("W/")
    return any(tag == "*" or tag.removeprefix("W/") == wanted for tag in _tags(header))


def cache_control() -> str:
    return "public, no-cache" if current().public else "private, no-cache"


def conditional_get(etag: str, produce: Callable[[], Any], content_type: str | None = None) -> Response:
    """304 without calling ``produce`` when the client's copy is current. ``produce`` gives JSON
    data, or with ``content_type`` the text of another representation (a calendar, XML)."""
    headers: dict[str, str | list[str]] = {"ETag": etag, "Cache-Control": cache_control()}
    if none_match(current_request().headers.get("if-none-match"), etag):
        return Response(body="", status_code=304, headers=headers)
    body = produce() if content_type else dumps(produce())
    return Response(
        body=body, status_code=200, headers={**headers, "Content-Type": content_type or "application/json"}
    )


def expected_versions(route: str | None = None) -> list[int] | None:
    """Versions the client's If-Match allows for the resource at this path (strong comparison).

    None when there is no If-Match (or ``*``): the write goes ahead unconditionally. A tag of
    another resource, a weak tag, or garbage fails right away with 412. ``route`` (a route template
    with this request's parameters, e.g. ``/events/{event_id}``) names the resource whose tag the
    client holds when the written path has no GET of its own.
    """
    header = current_request().headers.get("if-match")
    if not header:
        return None
    tags = _tags(header)
    if "*" in tags:
        return None
    scope_digest = _digest(f"{_resource_path(route)}?#")
    versions = []
    for tag in tags:
        if tag.startswith("W/") or not (tag.startswith('"') and tag.endswith('"')):
            continue
        numbers, _, digest = tag[1:-1].partition("-")
        primary = numbers.split(".")[0]
        if digest == scope_digest and primary.isdigit():
            versions.append(int(primary))
    if not versions:
        raise PreconditionFailedError("This resource has changed since you read it; reload and try again.")
    return versions
