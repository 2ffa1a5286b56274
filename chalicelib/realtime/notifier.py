"""Pushing messages to open WebSocket connections through API Gateway's management API.

Deployed, the endpoint of a connection is ``https://{domainName}/{stage}`` as seen on its
``$connect``. ``MARQUEE_WEBSOCKET_ENDPOINT`` overrides it (a custom domain, or the local stack,
whose gateway serves the same ``/@connections/{id}`` API on 127.0.0.1): the boto3 calls are the
same either way, only the client's endpoint differs.
"""

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.config import settings
from chalicelib.encoding import dumps
from chalicelib.realtime.connections import Connection, connections_of, drop, remove_connection

logger = logging.getLogger("marquee.realtime")

ClientFactory = Callable[[str], Any]

# Posts in flight at once: an audience's fan-out (from the stream) is this many times faster
# than one post after another; a user's own few tabs take at most the per-user cap of them.
_PARALLEL_PUSHES = 32
# Fail fast: a user's push rides on the request that caused it, an audience's holds up the stream.
_CLIENT_CONFIG = Config(
    connect_timeout=2,
    read_timeout=5,
    retries={"mode": "standard", "max_attempts": 2},
    max_pool_connections=_PARALLEL_PUSHES,
)


def endpoint_for(domain_name: str, stage: str) -> str:
    return f"https://{domain_name}/{stage}"


def management_endpoint(stored: str) -> str:
    return settings().websocket_endpoint or stored


@cache
def management_client(endpoint: str) -> Any:
    return boto3.session.Session().client(
        "apigatewaymanagementapi", endpoint_url=endpoint, region_name=settings().region, config=_CLIENT_CONFIG
    )


@cache
def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=_PARALLEL_PUSHES, thread_name_prefix="ws-push")


def is_gone(error: ClientError) -> bool:
    response = error.response
    return (
        response.get("Error", {}).get("Code") == "GoneException"
        or response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 410
    )


def post(
    connection_id: str, endpoint: str, data: bytes, client_for: ClientFactory = management_client
) -> None:
    """One message to one connection; raises ClientError (GoneException when it is closed)."""
    client_for(management_endpoint(endpoint)).post_to_connection(ConnectionId=connection_id, Data=data)


def _deliver(connection: Connection, data: bytes, client_for: ClientFactory) -> bool:
    try:
        post(connection.connection_id, connection.endpoint, data, client_for)
        return True
    except ClientError as error:
        if not is_gone(error):
            logger.warning("push to %s failed: %s", connection.connection_id, error)
            return False
    except BotoCoreError as error:
        logger.warning("push to %s failed: %s", connection.connection_id, error)
        return False
    drop(connection)
    remove_connection(connection.connection_id)
    return False


def _end(connection: Connection, client_for: ClientFactory) -> None:
    try:
        client_for(management_endpoint(connection.endpoint)).delete_connection(
            ConnectionId=connection.connection_id
        )
    except ClientError as error:
        if not is_gone(error):
            logger.warning("closing %s failed: %s", connection.connection_id, error)
    except BotoCoreError as error:
        logger.warning("closing %s failed: %s", connection.connection_id, error)
    remove_connection(connection.connection_id)


def close(connections: list[Connection], client_for: ClientFactory = management_client) -> int:
    """End these connections (API Gateway's DeleteConnection closes the socket) and forget them,
    also when the gateway cannot be reached: nothing is pushed to them again. Returns how many."""
    list(_pool().map(lambda connection: _end(connection, client_for), connections))
    return len(connections)


def push(connections: list[Connection], payload: Any, client_for: ClientFactory = management_client) -> int:
    """Send ``payload`` (JSON) to each connection; forget those that are gone. Returns how many got it."""
    if not connections:
        return 0
    data = dumps(payload).encode()
    if len(connections) == 1:
        return int(_deliver(connections[0], data, client_for))
    results = _pool().map(lambda connection: _deliver(connection, data, client_for), connections)
    return sum(results)


def push_to_channel(channel: str, payload: Any, client_for: ClientFactory = management_client) -> int:
    return push(connections_of(channel), payload, client_for)
