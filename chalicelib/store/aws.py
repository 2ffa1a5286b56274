"""boto3 clients, created once per container and reused across invocations."""

from functools import cache
from typing import Any

import boto3
from botocore.config import Config

from chalicelib.config import settings


@cache
def client(service: str) -> Any:
    # Without it S3 presigns with SigV2 in us-east-1, which buckets created since 2020 refuse.
    config = Config(signature_version="s3v4") if service == "s3" else None
    return boto3.session.Session().client(service, region_name=settings().region, config=config)


def reset_clients() -> None:
    """Forget cached clients (tests that start a fresh moto backend call this)."""
    client.cache_clear()
