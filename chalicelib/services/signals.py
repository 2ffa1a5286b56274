"""After-commit events and their subscribers, the way pretix's signals work.

A use case calls ``emit(event)`` once its write committed (the store raises when a transaction
is cancelled, so an event is never announced for a change that did not happen). Each subscriber
of the event's type is called in turn, in the same request (a Lambda cannot work after it
answered; work that grows with an audience runs from the tables' stream instead, see
chalicelib.streams): a subscriber that fails is logged and never undoes or fails the change that was made,
nor keeps the other subscribers from running. Subscribers are registered in
chalicelib.services.subscribers, loaded on the first emit.
"""

import logging
from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

if TYPE_CHECKING:
    from chalicelib.domain.refunds import Refund
    from chalicelib.realtime.notifier import ClientFactory
    from chalicelib.store.models.events import EventModel
    from chalicelib.store.models.invites import InviteModel
    from chalicelib.store.models.notifications import NotificationModel
    from chalicelib.store.models.orders import OrderModel
    from chalicelib.store.models.users import UserModel

logger = logging.getLogger("marquee.signals")

Event = TypeVar("Event")
_subscribers: dict[type, list[Callable[[Any], None]]] = defaultdict(list)
_loaded = False


class SessionsRevoked(NamedTuple):
    """Every token the user held stopped working (sign-out everywhere, a password change)."""

    user_id: str


class OrderCompleted(NamedTuple):
    """An order is paid for (or was free): its tickets are sold."""

    order: "OrderModel"


class CheckoutAbandoned(NamedTuple):
    """A pending order with an open card checkout was cancelled: nobody should pay it any more."""

    order: "OrderModel"


class OrderVoided(NamedTuple):
    """A completed order's tickets stopped being valid (cancelled, or refunded in full)."""

    order: "OrderModel"


class PaymentFlagged(NamedTuple):
    """A provider's payment did not complete the order as it should (``issue``: amount_mismatch,
    paid_twice, paid_after_release); ``paid`` is what was paid, for people."""

    order: "OrderModel"
    issue: str
    paid: str


class OrderRefunded(NamedTuple):
    """Money of an order went back to its buyer (a refund succeeded)."""

    order: "OrderModel"
    refund: "Refund"


class NotificationStored(NamedTuple):
    """A notification was stored for the user and counted as unread."""

    user_id: str
    notification: "NotificationModel"
    # The WebSocket management API client to push with (tests pass a fake).
    client_for: "ClientFactory"


class InviteCreated(NamedTuple):
    """Someone was invited to a role; ``invitee`` is their account, if they have one."""

    invite: "InviteModel"
    event: "EventModel"
    inviter: "UserModel"
    invitee: "UserModel | None"


class InviteAccepted(NamedTuple):
    """``member`` accepted ``invite`` (from the invite's link, or by signing up with its token)."""

    invite: "InviteModel"
    event: "EventModel"
    member: "UserModel"


def subscribe(kind: type[Event]) -> Callable[[Callable[[Event], None]], Callable[[Event], None]]:
    def register(handler: Callable[[Event], None]) -> Callable[[Event], None]:
        _subscribers[kind].append(handler)
        return handler

    return register


def unsubscribe(kind: type[Event], handler: Callable[[Event], None]) -> None:
    _subscribers[kind].remove(handler)


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
