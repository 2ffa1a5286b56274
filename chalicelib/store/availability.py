"""What is left of each ticket: its counters, minus nothing for the holds of orders that expired.

Expired holds are released by the sweep every minute and, first, by the next order of one of
their tickets; until then availability adds them back, so nobody waits for the sweep.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime

from chalicelib.domain import orders as rules
from chalicelib.domain.clock import now
from chalicelib.domain.stock import Slot
from chalicelib.store import stock
from chalicelib.store.models.events import event_pk
from chalicelib.store.models.orders import HOLD_PREFIX, HoldModel
from chalicelib.store.models.tickets import TicketModel


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


def event_tickets(event_id: str) -> list[TicketModel]:
    """The event's tickets, each with its counters summed over its slots."""
    return stock.read(event_id).tickets


def offers(event_id: str) -> dict[str, rules.TicketOffer]:
    """The event's tickets as the order rules price them, with the slots of split ones."""
    inventory = stock.read(event_id)
    return {t.ticket_id: offer(t, inventory.slots[t.ticket_id]) for t in inventory.tickets}


def offer(ticket: TicketModel, slots: Sequence[Slot] = ()) -> rules.TicketOffer:
    """The ticket as the order rules price it."""
    return rules.TicketOffer(
        ticket_id=ticket.ticket_id,
        name=ticket.name,
        type=ticket.ticket_type,
        price=ticket.price,
        quantity=int(ticket.quantity),
        sold=int(ticket.sold),
        reserved=int(ticket.reserved),
        min_order=int(ticket.min_order),
        max_order=int(ticket.max_order),
        hidden=bool(ticket.hidden),
        sales_starts_at=ticket.sales_starts_at,
        sales_ends_at=ticket.sales_ends_at,
        slots=tuple(slots) if len(slots) > 1 else (),
    )


def expired_holds(event_id: str, moment: datetime | None = None) -> list[HoldModel]:
    """Holds of the event whose expiry has passed and that nothing has released yet.

    Holds sort by expiry, so this reads only expired ones (few: the sweep runs every minute).
    """
    upper = f"{HOLD_PREFIX}{iso(moment or now())}#~"
    return list(
        HoldModel.query(event_pk(event_id), HoldModel.sk.between(HOLD_PREFIX, upper), consistent_read=True)
    )


def expired_held(holds: Iterable[HoldModel]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for hold in holds:
        for ticket_id, quantity in hold.tickets.items():
            counts[ticket_id] = counts.get(ticket_id, 0) + int(quantity)
    return counts


def availability(event_id: str, tickets: list[TicketModel] | None = None) -> dict[str, int]:
    """Every ticket's ``available``, never counting an expired hold (released or not)."""
    extra = expired_held(expired_holds(event_id))
    return {
        t.ticket_id: rules.available(t.quantity, t.sold, t.reserved, extra.get(t.ticket_id, 0))
        for t in (tickets if tickets is not None else event_tickets(event_id))
    }
