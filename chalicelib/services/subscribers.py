"""What follows a change: one subscriber per reaction (see chalicelib.services.signals). Mail to
buyers about their orders (receipt, refund notice) is sent from the orders table's stream instead
(chalicelib.streams.handlers, services.buyer_mail)."""

import logging

from chalicelib import mail
from chalicelib.domain import invites as invite_rules
from chalicelib.domain import refunds as refund_rules
from chalicelib.payments import stripe_gateway
from chalicelib.realtime.sessions import end_sessions
from chalicelib.services import attendees
from chalicelib.services.notifications import mark_read_about, notify
from chalicelib.services.pushes import push_unread
from chalicelib.services.signals import (
    CheckoutAbandoned,
    InviteAccepted,
    InviteCreated,
    NotificationStored,
    OrderCompleted,
    OrderRefunded,
    OrderVoided,
    PaymentFlagged,
    SessionsRevoked,
    subscribe,
)
from chalicelib.store import roles
from chalicelib.store.models.orders import OrderModel
from chalicelib.store.orders import lines_of

logger = logging.getLogger("marquee.signals")


@subscribe(SessionsRevoked)
def close_the_users_connections(event: SessionsRevoked) -> None:
    end_sessions(event.user_id)


@subscribe(NotificationStored)
def push_to_the_users_tabs(event: NotificationStored) -> None:
    push_unread(event.user_id, event.notification, event.client_for)


def _tell_the_organizers(order: OrderModel, action: str, title: str, message: str) -> None:
    for organizer_id in roles.organizer_ids(order.event_id):
        # One organizer's failure does not keep the others uninformed.
        try:
            notify(organizer_id, action, title, message, link=f"/events/{order.event_id}/orders")
        except Exception:
            logger.exception("order %s: notifying organizer %s failed", order.order_id, organizer_id)


@subscribe(OrderCompleted)
def issue_the_tickets(event: OrderCompleted) -> None:
    attendees.make_attendees(event.order)


@subscribe(CheckoutAbandoned)
def close_the_checkout(event: CheckoutAbandoned) -> None:
    order = event.order
    try:
        stripe_gateway.expire_checkout_session(str(order.checkout_session_id))
    except (stripe_gateway.StripeFailed, stripe_gateway.StripeNotConfigured):
        # Paid anyway, the late payment is refunded (services.payments): nothing is lost.
        logger.warning("order %s: could not expire checkout %s", order.order_id, order.checkout_session_id)


@subscribe(OrderVoided)
def revoke_the_tickets(event: OrderVoided) -> None:
    attendees.revoke_order(event.order)


@subscribe(OrderCompleted)
def notify_the_organizers(event: OrderCompleted) -> None:
    order = event.order
    count = sum(line.quantity for line in lines_of(order))
    title = f"New order for {order.event_name}"
    message = (
        f"{order.buyer_name} ordered {count} ticket{'s' if count != 1 else ''}"
        f" ({order.total} {order.currency})."
    )
    _tell_the_organizers(order, "order_completed", title, message)


@subscribe(OrderRefunded)
def notify_the_organizers_of_the_refund(event: OrderRefunded) -> None:
    order, refund = event.order, event.refund
    title, message = refund_rules.refund_notification(
        order.event_name, order.buyer_name, refund.amount, order.currency
    )
    _tell_the_organizers(order, "order_refunded", title, message)


@subscribe(InviteCreated)
def notify_the_invitee(event: InviteCreated) -> None:
    if event.invitee is None:
        return
    title, text = invite_rules.invite_notification(event.event.name, event.invite.role, event.inviter.name)
    link = invite_rules.invite_link(event.invite.invite_id)
    notify(event.invitee.user_id, invite_rules.ROLE_INVITE_ACTION, title, text, link=link)


@subscribe(InviteAccepted)
def tell_the_organizers_who_joined(event: InviteAccepted) -> None:
    """The inviter and the event's organizers hear that the invite was accepted (their open People
    tabs update from the push)."""
    invite, member = event.invite, event.member
    name = member.name or member.email
    recipients = dict.fromkeys([invite.invited_by, *roles.organizer_ids(invite.event_id)])
    for user_id in recipients:
        if user_id == member.user_id:
            continue
        title, text = invite_rules.accepted_notification(
            name, event.event.name, invite.role, for_inviter=user_id == invite.invited_by
        )
        try:
            notify(
                user_id,
                invite_rules.INVITE_ACCEPTED_ACTION,
                title,
                text,
                link=invite_rules.team_link(invite.event_id),
            )
        except Exception:
            logger.exception("invite %s: notifying %s failed", invite.invite_id, user_id)


@subscribe(InviteAccepted)
def mark_the_invitation_read(event: InviteAccepted) -> None:
    """The invitee's own "you are invited" notification is dealt with once they accepted."""
    link = invite_rules.invite_link(event.invite.invite_id)
    mark_read_about(event.member.user_id, invite_rules.ROLE_INVITE_ACTION, link)


@subscribe(PaymentFlagged)
def tell_about_the_payment(event: PaymentFlagged) -> None:
    order = event.order
    explained = {
        "amount_mismatch": f"Stripe took {event.paid} but the order is {order.total} {order.currency}; "
        "the order was not completed.",
        "paid_twice": f"A second payment of {event.paid} arrived for an order already paid.",
        "paid_after_release": f"A payment of {event.paid} arrived after the hold ended and the seats were "
        "gone; it was refunded.",
        "paid_after_release_unrefunded": f"A payment of {event.paid} arrived after the hold ended and "
        "could not be refunded automatically: refund it in Stripe's dashboard.",
        "refund_failed": f"Stripe says a refund of {event.paid} failed after it had succeeded; the seats "
        "were already released. Contact the buyer and refund them another way.",
    }.get(event.issue, event.issue)
    _tell_the_organizers(
        order, "payment_issue", f"Payment issue on an order for {order.event_name}", explained
    )
    if event.issue == "paid_after_release":
        context = {"event_name": order.event_name, "paid": event.paid, "order_id": order.order_id}
        mail.send(order.buyer_email, "late_payment", **context)
        message = mail.render("late_payment", **context)
        notify(
            order.buyer_id,
            "payment_refunded",
            message.subject,
            message.text.split("\n")[0],
            link=f"/orders/{order.order_id}",
        )
