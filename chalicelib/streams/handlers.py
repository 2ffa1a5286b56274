"""What the stream does after a change: one handler per reaction (see chalicelib.streams)."""

import logging
import time

from chalicelib.domain import orders as order_rules
from chalicelib.realtime.connections import anyone_on
from chalicelib.services import accounts, buyer_mail, checkins, organizer_messages
from chalicelib.services.audience import push_coalesced
from chalicelib.services.pushes import push_availability
from chalicelib.store.models.connections import checkins_channel, event_channel
from chalicelib.store.models.events import EVENT_PK_PREFIX, EVENT_SK, EVENTS_TABLE
from chalicelib.store.models.mailing import MESSAGE_PREFIX
from chalicelib.store.models.orders import ORDER_PREFIX, ORDERS_TABLE, OrderModel
from chalicelib.store.models.password_resets import RESET_REQUEST_SK, PasswordResetRequestModel
from chalicelib.store.models.tickets import SHARD_PREFIX, TICKET_PREFIX
from chalicelib.streams.dispatch import on_items
from chalicelib.streams.records import INSERT, MODIFY, Change

logger = logging.getLogger("marquee.streams")

# What a ticket's availability on the public page is made of; and its door counts.
AVAILABILITY_FIELDS = ("quantity", "sold", "reserved", "held", "hidden")
COUNT_FIELDS = ("sold", "checked_in")
# The waiting room's settings and the server's clock of it, on the event item.
ROOM_FIELDS = ("waiting_room", "queue_opened_at", "queue_admitted_base")


def _event_of(change: Change) -> str:
    """A ticket item names its event; a split ticket's slot item only lives in its partition."""
    return str(change.image.get("event_id") or str(change.keys["pk"]).removeprefix(EVENT_PK_PREFIX))


def _events_where(changes: list[Change], fields: tuple[str, ...]) -> set[str]:
    return {_event_of(change) for change in changes if change.event_name != MODIFY or change.changed(*fields)}


def _pages_open(event_id: str) -> bool:
    return anyone_on(event_channel(event_id))


def _panels_open(event_id: str) -> bool:
    return anyone_on(checkins_channel(event_id))


@on_items(SHARD_PREFIX, table=EVENTS_TABLE)
@on_items(TICKET_PREFIX, table=EVENTS_TABLE)
def tell_the_public_pages(changes: list[Change]) -> None:
    """Tickets taken or given back (orders placed, paid, cancelled, expired, refunded) or edited:
    one availability message per event per second to its open public pages."""
    events = _events_where(changes, AVAILABILITY_FIELDS)
    push_coalesced("availability", events, time.time(), push_availability, _pages_open)


@on_items(EVENT_SK, table=EVENTS_TABLE)
def tell_the_waiting_rooms(changes: list[Change]) -> None:
    """The line moves with the clock, not with writes, so the pages count it down themselves; the
    organizer's new rate (or the room switched on or off) changes that count, so they hear of it at
    once (in the same coalesced availability message: one per event per second)."""
    events = {
        _event_of(change)
        for change in changes
        if change.event_name == MODIFY and change.changed(*ROOM_FIELDS)
    }
    push_coalesced("availability", events, time.time(), push_availability, _pages_open)


@on_items(SHARD_PREFIX, table=EVENTS_TABLE)
@on_items(TICKET_PREFIX, table=EVENTS_TABLE)
def tell_the_check_in_panels(changes: list[Change]) -> None:
    """Admissions and sold seats move the door counts organizers watch."""
    events = _events_where(changes, COUNT_FIELDS)
    push_coalesced("checkins", events, time.time(), checkins.push_counts, _panels_open)


@on_items(ORDER_PREFIX, table=ORDERS_TABLE)
def mail_the_buyers(changes: list[Change]) -> None:
    """An order just completed: its receipt (or confirmation); a refund just succeeded: its notice.
    Each is sent once per change however often the stream delivers it (services.buyer_mail); one
    order's failing mail does not hold up the others', and is raised after them (so delivered again)."""
    failure: Exception | None = None
    for change in changes:
        order = change.as_model(OrderModel)
        if order is None:
            continue
        try:
            if change.became("status", order_rules.COMPLETED):
                buyer_mail.send_receipt(order)
            for refund in buyer_mail.succeeded_refunds(change.as_model(OrderModel, "old"), order):
                buyer_mail.send_refund_notice(order, refund)
        except Exception as error:
            logger.exception("mail for order %s failed", order.order_id)
            failure = failure or error
    if failure is not None:
        raise failure


@on_items(MESSAGE_PREFIX, table=EVENTS_TABLE)
def deliver_organizer_messages(changes: list[Change]) -> None:
    """A message an organizer just wrote goes to its recipients (once each, however often this
    runs); a delivery SES left incomplete is raised, so the batch comes again for the rest."""
    for change in changes:
        if change.event_name == INSERT:
            organizer_messages.deliver_inserted(str(change.image["event_id"]), str(change.keys["sk"]))


@on_items(RESET_REQUEST_SK, table=EVENTS_TABLE)
def mail_reset_links(changes: list[Change]) -> None:
    """A password reset was just asked for: its link, if the address has an account (once per
    request however often this runs; a mail SES did not take is raised, so it comes again)."""
    for change in changes:
        request = change.as_model(PasswordResetRequestModel)
        if change.event_name == INSERT and request is not None:
            accounts.mail_reset_link(request)
