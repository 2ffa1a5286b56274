"""An audience's message to more open connections than one function reaches in good time.

One function posts about 1,600 messages a second (32 in flight), so past a page of connections
(``settings().fan_out_page_size``, 1,000) the audience is split: the stream function posts the
first page itself and hands each other page to an asynchronous invocation of the ``fan_out``
function (``deliver_page``), 16 invocations in flight. 100,000 open pages are then 99
invocations running side by side, each about 0.6 s of posts, instead of one function posting for
a minute (past its timeout). The function never raises: Lambda retries a failed asynchronous
invocation a minute or more later, when its message would overwrite newer ones on the pages.

The invocation names its page's connections grouped by endpoint (``{endpoint: [id, ...]}``):
1,000 connection ids are about 20 KB, well under the 1 MB an asynchronous invocation may carry.
"""

import logging
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import Any

from chalicelib.config import FAN_OUT_FUNCTION, settings
from chalicelib.encoding import dumps
from chalicelib.realtime.connections import Connection
from chalicelib.realtime.notifier import push
from chalicelib.store.aws import LAMBDA_POOL, client

logger = logging.getLogger("marquee.realtime")


class PageError(ValueError):
    """A fan-out invocation's event is not a page (only the stream functions invoke it)."""


def invoke_async(function: str, payload: bytes) -> None:
    """Queue one asynchronous invocation of the app's ``function`` (Lambda answers 202)."""
    client("lambda").invoke(
        FunctionName=settings().function_name(function), InvocationType="Event", Payload=payload
    )


@cache
def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=LAMBDA_POOL, thread_name_prefix="fan-out")


def page_event(connections: list[Connection], payload: Any) -> bytes:
    """What one ``fan_out`` invocation is given: the message and its page's connections."""
    endpoints: dict[str, list[str]] = {}
    for connection in connections:
        endpoints.setdefault(connection.endpoint, []).append(connection.connection_id)
    return dumps({"channel": connections[0].channel, "message": payload, "endpoints": endpoints}).encode()


def pages_of(connections: list[Connection], size: int) -> list[list[Connection]]:
    return [connections[start : start + size] for start in range(0, len(connections), size)]


def broadcast(connections: list[Connection], payload: Any) -> int:
    """Send ``payload`` to every connection of one channel: itself to the first page, through one
    ``fan_out`` invocation per further page. Returns how many connections it reached itself or
    handed on. An invocation that could not be made is raised once the first page is told (the
    stream delivers the change again, and the next message goes to everyone)."""
    pages = pages_of(connections, settings().fan_out_page_size)
    if not pages:
        return 0
    handed = [_pool().submit(invoke_async, FAN_OUT_FUNCTION, page_event(page, payload)) for page in pages[1:]]
    reached = push(pages[0], payload)
    for invocation in handed:
        invocation.result()
    return reached + sum(len(page) for page in pages[1:])


def _connections(event: Any) -> list[Connection]:
    if not isinstance(event, dict) or not isinstance(event.get("channel"), str) or "message" not in event:
        raise PageError("a fan-out page names its channel, message and endpoints")
    endpoints = event.get("endpoints")
    if not isinstance(endpoints, dict) or not all(
        isinstance(ids, list) and all(isinstance(i, str) for i in ids) for ids in endpoints.values()
    ):
        raise PageError("a fan-out page's endpoints map each endpoint to its connection ids")
    channel = event["channel"]
    return [Connection(channel, i, endpoint) for endpoint, ids in endpoints.items() for i in ids]


def deliver_page(event: Any) -> dict[str, int]:
    """The ``fan_out`` function: post the page's message to its connections (those gone are
    forgotten, as in any push). Returns ``{"reached": n}``; a failure is logged, not raised (a
    late retry would show the pages an old state; the next message tells them anew)."""
    try:
        return {"reached": push(_connections(event), event["message"])}
    except Exception:
        logger.exception("a fan-out page was not told")
        return {"reached": 0}
