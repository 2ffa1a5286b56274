"""boto3 clients, created once per container and reused across invocations."""

import threading
from functools import cache
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

from chalicelib.config import settings

if TYPE_CHECKING:
    from pynamodb.connection import Connection

# Sessions are costly to build (they load the service catalogue) and not safe to create
# clients from concurrently, so there is one, used under a lock; the clients themselves are.
_session_lock = threading.Lock()


@cache
def _session() -> boto3.session.Session:
    return boto3.session.Session()


# Threads of one container that may talk to DynamoDB at once (the stream functions' pools).
_DYNAMODB_POOL = 32
# Invocations one stream function makes at once when it splits an audience's fan-out.
LAMBDA_POOL = 16


def _config(service: str) -> Config | None:
    if service == "s3":
        # Without it S3 presigns with SigV2 in us-east-1, which buckets created since 2020 refuse.
        return Config(signature_version="s3v4")
    if service == "dynamodb":
        from pynamodb.settings import get_settings_value

        # What PynamoDB configures each model's own client with, but one pool for all of them.
        return Config(
            parameter_validation=False,
            connect_timeout=get_settings_value("connect_timeout_seconds"),
            read_timeout=get_settings_value("read_timeout_seconds"),
            retries={"total_max_attempts": 1 + get_settings_value("max_retry_attempts"), "mode": "standard"},
            max_pool_connections=_DYNAMODB_POOL,
        )
    if service == "lambda":
        # One retry (a throttle): what still fails is raised and the stream delivers again,
        # well within the stream function's timeout.
        return Config(
            connect_timeout=2,
            read_timeout=5,
            retries={"mode": "standard", "total_max_attempts": 2},
            max_pool_connections=LAMBDA_POOL,
        )
    return None


@cache
def client(service: str) -> Any:
    with _session_lock:
        return _session().client(service, region_name=settings().region, config=_config(service))


def on_shared_client(connection: "Connection") -> "Connection":
    """PynamoDB's ``connection`` sending through the container's one DynamoDB client: by itself it
    makes a botocore session and client of its own, each loading the service model (~75 ms, seconds
    on a busy machine), which a container's first requests paid for every model they touched."""
    connection._client = client("dynamodb")
    return connection


def reset_clients() -> None:
    """Forget cached clients and the session (the local stack changes endpoints at start)."""
    from chalicelib.store.transactions import connection

    client.cache_clear()
    _session.cache_clear()
    connection.cache_clear()
