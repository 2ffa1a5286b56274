"""Fixed-window counters in the system table; DynamoDB's TTL removes old windows."""

import math
import time

from pynamodb.exceptions import DoesNotExist, UpdateError

from chalicelib.domain.errors import TooManyRequestsError
from chalicelib.domain.limits import Limit
from chalicelib.store.models.system import SystemItemModel


def _window(limit: Limit, now: float) -> tuple[int, int]:
    start = int(now // limit.window_seconds) * limit.window_seconds
    return start, start + limit.window_seconds


def _key(limit: Limit, subject: str, window_start: int) -> tuple[str, str]:
    return f"RATE#{limit.name}#{subject}", str(window_start)


def ensure_allowed(limit: Limit, subject: str) -> None:
    """429 with Retry-After when ``subject`` has used up ``limit`` in the current window."""
    now = time.time()
    start, end = _window(limit, now)
    try:
        counter = SystemItemModel.get(*_key(limit, subject, start), attributes_to_get=["version"])
    except DoesNotExist:
        return
    if int(counter.version) >= limit.max_count:
        raise TooManyRequestsError(limit.message, retry_after=max(1, math.ceil(end - now)))


def count(limit: Limit, subject: str) -> int:
    """Record one occurrence; returns the count in the current window."""
    start, end = _window(limit, time.time())
    counter = SystemItemModel(*_key(limit, subject, start))
    counter.update(actions=[SystemItemModel.version.add(1), SystemItemModel.expires_at.set(end + 60)])
    return int(counter.version)


def consume(limit: Limit, subject: str) -> None:
    """Check and count in one conditional write (for actions that always count, e.g. invites)."""
    now = time.time()
    start, end = _window(limit, now)
    counter = SystemItemModel(*_key(limit, subject, start))
    try:
        counter.update(
            actions=[SystemItemModel.version.add(1), SystemItemModel.expires_at.set(end + 60)],
            condition=SystemItemModel.version.does_not_exist() | (SystemItemModel.version < limit.max_count),
        )
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            raise TooManyRequestsError(limit.message, retry_after=max(1, math.ceil(end - now))) from error
        raise
