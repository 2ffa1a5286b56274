"""Waiting for what happens in another thread or process (a push, a stored connection)."""

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def eventually(check: Callable[[], T], timeout: float = 10.0, interval: float = 0.02) -> T:
    """``check()`` again until it returns something truthy or ``timeout`` seconds pass; its last
    result either way (the caller asserts on it)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(interval)
