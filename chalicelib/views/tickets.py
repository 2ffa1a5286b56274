"""A ticket as the organizers see it, and as the public page offers it."""

from datetime import datetime
from typing import Any

from chalicelib.domain import tickets as rules
from chalicelib.domain.codes import CodeTerms, discounted
from chalicelib.store.models.events import EventModel
from chalicelib.store.models.tickets import TicketModel


def ticket_view(ticket: TicketModel) -> dict[str, Any]:
    """What organizers see."""
    return rules.TICKET.dump(ticket)


def public_ticket_view(
    ticket: TicketModel, event: EventModel, moment: datetime, expired_held: int = 0
) -> dict[str, Any]:
    return {
        "id": ticket.ticket_id,
        "name": ticket.name,
        "type": ticket.ticket_type,
        "price": ticket.price,
        "suggested_price": ticket.suggested_price,
        "currency": event.currency,
        "description": ticket.description,
        "sales_starts_at": ticket.sales_starts_at,
        "sales_ends_at": ticket.sales_ends_at,
        "min_order": int(ticket.min_order),
        "max_order": int(ticket.max_order),
        "available": rules.available(ticket.quantity, ticket.sold, int(ticket.reserved) - expired_held),
        "sales_open": rules.sales_open(ticket.sales_starts_at, ticket.sales_ends_at, event.ends_at, moment),
    }


def public_tickets_view(
    event: EventModel,
    listed: list[tuple[TicketModel, int]],
    moment: datetime,
    code: CodeTerms | None = None,
) -> list[dict[str, Any]]:
    """``listed``: the public tickets with the expired holds on each (store.tickets.public_tickets);
    with a ``code``, each ticket it discounts says its ``price_with_code``."""
    views = []
    for ticket, expired in listed:
        view = public_ticket_view(ticket, event, moment, expired)
        price = discounted(ticket.price, ticket.ticket_type, ticket.ticket_id, code, event.currency)
        if code is not None and price != ticket.price:
            view["price_with_code"] = format(price, "f")
        views.append(view)
    return views
