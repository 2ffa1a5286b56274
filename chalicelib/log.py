"""Structured JSON logs: one object per line, the keys aws-lambda-powertools' Logger writes
(``level``, ``location``, ``message``, ``timestamp``, ``service``, then the request's keys and the
record's ``extra``; an error adds ``exception`` and ``exception_name``).

Every REST request logs one line with its API Gateway request id, the Lambda request id, the
route, status and duration; everything logged while it is served carries the same ids. The keys
are per thread (a ContextVar), so concurrent requests in the local stack do not mix them up.
The stdlib loggers under ``marquee`` (``logging.getLogger("marquee.x")``) end up here too.

Plain ``logging`` with one formatter: powertools' Logger brings its Metrics, Tracer and jmespath
along (about 15 ms of every cold start) for nothing a request uses.
"""

import json
import logging
import sys
import time
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

SERVICE = "marquee"

_request_keys: ContextVar[dict[str, Any] | None] = ContextVar("marquee_log_keys", default=None)
# What every LogRecord has; anything else on a record came in through ``extra=``.
_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "level": record.levelname,
            "location": f"{record.funcName}:{record.lineno}",
            "message": record.getMessage(),
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "service": SERVICE,
        }
        keys = _request_keys.get() or {}
        line.update((key, value) for key, value in keys.items() if value is not None)
        line.update((key, value) for key, value in vars(record).items() if key not in _RECORD_FIELDS)
        if record.exc_info and record.exc_info[0] is not None:
            line["exception"] = self.formatException(record.exc_info)
            line["exception_name"] = record.exc_info[0].__name__
        return json.dumps(line, default=str)


FORMATTER = JsonFormatter()
logger = logging.getLogger(SERVICE)
logger.setLevel(logging.INFO)
_handler = logging.StreamHandler(sys.stdout)
_handler.setFormatter(FORMATTER)
logger.addHandler(_handler)
# Lambda's runtime (and a local runner) put a handler on the root logger: propagating would print
# every line a second time.
logger.propagate = False


def begin_request(request: Any, lambda_context: Any) -> float:
    """Attach the request's ids to every log line until ``end_request``; returns the start time."""
    request_context = getattr(request, "context", None) or {}
    _request_keys.set(
        {
            "request_id": request_context.get("requestId"),
            "lambda_request_id": getattr(lambda_context, "aws_request_id", None),
            "method": getattr(request, "method", None),
            "route": request_context.get("resourcePath"),
        }
    )
    return time.perf_counter()


def end_request(status: int, started: float) -> None:
    logger.info(
        "request", extra={"status": status, "duration_ms": round((time.perf_counter() - started) * 1000, 1)}
    )
    _request_keys.set(None)
