"""boto3 clients, created once per container and reused across invocations."""

from functools import cache
from typing import Any

import boto3

from chalicelib.config import settings


@cache
def client(service: str) -> Any:
    return boto3.session.Session().client(service, region_name=settings().region)


def reset_clients() -> None:
    """Forget cached clients (tests that start a fresh moto backend call this)."""
    client.cache_clear()
