"""boto3 clients, created once per container and reused across invocations."""

import threading
from functools import cache
from typing import Any

import boto3
from botocore.config import Config

from chalicelib.config import settings

# Sessions are costly to build (they load the service catalogue) and not safe to create
# clients from concurrently, so there is one, used under a lock; the clients themselves are.
_session_lock = threading.Lock()


@cache
def _session() -> boto3.session.Session:
    return boto3.session.Session()


@cache
def client(service: str) -> Any:
    # Without it S3 presigns with SigV2 in us-east-1, which buckets created since 2020 refuse.
    config = Config(signature_version="s3v4") if service == "s3" else None
    with _session_lock:
        return _session().client(service, region_name=settings().region, config=config)


def reset_clients() -> None:
    """Forget cached clients and the session (the local stack changes endpoints at start)."""
    from chalicelib.store.transactions import connection

    client.cache_clear()
    _session.cache_clear()
    connection.cache_clear()
