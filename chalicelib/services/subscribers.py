"""What follows a change: one subscriber per reaction (see chalicelib.services.signals)."""

import logging

from chalicelib.domain import invites as invite_rules
from chalicelib.realtime.sessions import end_sessions
from chalicelib.services.notifications import notify
from chalicelib.services.pushes import push_availability, push_unread
from chalicelib.services.signals import (
    AvailabilityChanged,
    InviteCreated,
    NotificationStored,
    OrderCompleted,
    SessionsRevoked,
    subscribe,
)
from chalicelib.store import roles
from chalicelib.store.orders import lines_of

logger = logging.getLogger("marquee.signals")


@subscribe(SessionsRevoked)
def close_the_users_connections(event: SessionsRevoked) -> None:
    end_sessions(event.user_id)


@subscribe(AvailabilityChanged)
def tell_the_public_pages(event: AvailabilityChanged) -> None:
    push_availability(event.event_id)


@subscribe(NotificationStored)
def push_to_the_users_tabs(event: NotificationStored) -> None:
    push_unread(event.user_id, event.notification, event.client_for)


@subscribe(OrderCompleted)
def notify_the_organizers(event: OrderCompleted) -> None:
    order = event.order
    count = sum(line.quantity for line in lines_of(order))
    title = f"New order for {order.event_name}"
    message = (
        f"{order.buyer_name} ordered {count} ticket{'s' if count != 1 else ''}"
        f" ({order.total} {order.currency})."
    )
    for organizer_id in roles.organizer_ids(order.event_id):
        # One organizer's failure does not keep the others uninformed.
        try:
            notify(organizer_id, "order_completed", title, message)
        except Exception:
            logger.exception("order %s: notifying organizer %s failed", order.order_id, organizer_id)


@subscribe(InviteCreated)
def notify_the_invitee(event: InviteCreated) -> None:
    if event.invitee is None:
        return
    title, text = invite_rules.invite_notification(event.event.name, event.invite.role, event.inviter.name)
    notify(event.invitee.user_id, invite_rules.ROLE_INVITE_ACTION, title, text)
