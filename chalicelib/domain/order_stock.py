"""Order lines on split inventory: which slots an order's seats come from, and each ticket's
counter change spread over those slots (what is given back goes where it was taken). Pure."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from chalicelib.domain import stock
from chalicelib.domain.orders import CounterChange, OrderLine, TicketOffer, per_ticket


def allocate_lines(
    lines: Iterable[OrderLine], offers: Mapping[str, TicketOffer], rng: Any = None
) -> list[OrderLine]:
    """Each line of a split ticket says which slots its seats come from (chalicelib.domain.stock);
    lines of one ticket take from what the ones before them left."""
    slots = {tid: list(offer.stock) for tid, offer in offers.items()}
    placed = []
    for line in lines:
        if len(slots[line.ticket_id]) == 1:
            placed.append(line)
            continue
        taken = stock.allocate(slots[line.ticket_id], line.quantity, rng)
        for index, seats in taken:
            slot = slots[line.ticket_id][index]
            slots[line.ticket_id][index] = replace(slot, sold=slot.sold + seats)
        placed.append(line._replace(slots=taken))
    return placed


def per_slot(lines: Iterable[OrderLine]) -> dict[tuple[str, int], int]:
    """Seats per (ticket, slot) of an order's lines."""
    seats: dict[tuple[str, int], int] = {}
    for line in lines:
        for index, count in line.allocation:
            seats[(line.ticket_id, index)] = seats.get((line.ticket_id, index), 0) + count
    return seats


def across_slots(
    changes: Mapping[str, CounterChange], lines: Sequence[OrderLine]
) -> dict[tuple[str, int], CounterChange]:
    """Each ticket's change (``taking``, ``releasing``, ``settling``: so much per seat) on the
    slots its seats came from, so what is given back goes where it was taken."""
    seats = per_ticket(lines)
    spread = {}
    for (ticket_id, index), count in per_slot(lines).items():
        whole, total = changes[ticket_id], seats[ticket_id]
        per_seat = CounterChange(whole.sold // total, whole.reserved // total)
        spread[(ticket_id, index)] = CounterChange(per_seat.sold * count, per_seat.reserved * count)
    return spread


def seat_slots(lines: Iterable[OrderLine]) -> list[tuple[str, int]]:
    """(ticket, slot) of each seat of an order, in seat order (attendee seats count from 1)."""
    return [(line.ticket_id, index) for line in lines for index in stock.seat_slots(line.allocation)]
