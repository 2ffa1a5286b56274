"""Structured JSON logs through aws-lambda-powertools' Logger (the Lambda ecosystem's convention).

Every REST request logs one line with its API Gateway request id, the Lambda request id, the
route, status and duration; everything logged while it is served carries the same ids. The keys
are per thread (a ContextVar), so concurrent requests in the local stack do not mix them up.
The stdlib loggers under ``marquee`` (``logging.getLogger("marquee.x")``) end up here too.
"""

import logging
import time
from typing import Any

from aws_lambda_powertools import Logger

SERVICE = "marquee"

logger = Logger(service=SERVICE)
# Powertools filters root handlers that exist when it starts; one configured later (a local
# runner's) would print every line a second time.
logging.getLogger(SERVICE).propagate = False


def begin_request(request: Any, lambda_context: Any) -> float:
    """Attach the request's ids to every log line until ``end_request``; returns the start time."""
    request_context = getattr(request, "context", None) or {}
    logger.thread_safe_clear_keys()
    logger.thread_safe_append_keys(
        request_id=request_context.get("requestId"),
        lambda_request_id=getattr(lambda_context, "aws_request_id", None),
        method=getattr(request, "method", None),
        route=request_context.get("resourcePath"),
    )
    return time.perf_counter()


def end_request(status: int, started: float) -> None:
    logger.info(
        "request", extra={"status": status, "duration_ms": round((time.perf_counter() - started) * 1000, 1)}
    )
    logger.thread_safe_clear_keys()
