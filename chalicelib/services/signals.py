"""After-commit events and their subscribers, the way pretix's signals work.

A use case calls ``emit(event)`` after its write committed. Each subscriber of the event's type is
called in turn, in the same request (a Lambda cannot work after it answered): a subscriber that
fails is logged and never undoes or fails the change that was made. Subscribers are registered in
chalicelib.services.subscribers, loaded on the first emit.
"""

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

logger = logging.getLogger("marquee.signals")

Event = TypeVar("Event")
_subscribers: dict[type, list[Callable[[Any], None]]] = defaultdict(list)
_loaded = False


@dataclass(frozen=True)
class SessionsRevoked:
    """Every token the user held stopped working (sign-out everywhere, a password change)."""

    user_id: str


def subscribe(kind: type[Event]) -> Callable[[Callable[[Event], None]], Callable[[Event], None]]:
    def register(handler: Callable[[Event], None]) -> Callable[[Event], None]:
        _subscribers[kind].append(handler)
        return handler

    return register


def emit(event: object) -> None:
    global _loaded
    if not _loaded:
        from chalicelib.services import subscribers  # noqa: F401 - registers them

        _loaded = True
    for handler in _subscribers[type(event)]:
        try:
            handler(event)
        except Exception:
            logger.exception("%s for %r failed; the change itself is kept", handler.__name__, event)
