"""CSV exports of an event's orders and attendees (what organizers open in a spreadsheet)."""

import csv
import io
from collections.abc import Iterable
from typing import Any

from chalicelib.services import attendees
from chalicelib.store import attendees as attendee_store
from chalicelib.store import orders, questions
from chalicelib.store.models.attendees import AttendeeModel


def _cell(value: Any) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas: quote them."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_text(header: list[str], rows: Iterable[list[Any]]) -> str:
    """A CSV a spreadsheet opens safely (CRLF lines, formula-like cells quoted)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_cell(name) for name in header])
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return out.getvalue()


def orders_csv(event_id: str) -> str:
    def rows() -> Iterable[list[Any]]:
        for order in orders.all_event_orders(event_id):
            lines = orders.lines_of(order)
            yield [
                order.order_id,
                orders.effective_status(order),
                order.buyer_name,
                order.buyer_email,
                "; ".join(f"{line.quantity} x {line.name}" for line in lines),
                sum(line.quantity for line in lines),
                order.total,
                order.currency,
                order.created_at,
                order.paid_at,
                order.closed_at,
            ]

    header = ["order_id", "status", "buyer_name", "buyer_email", "items", "tickets", "total", "currency",
              "created_at", "paid_at", "closed_at"]  # fmt: skip
    return csv_text(header, rows())


def attendees_csv(event_id: str) -> str:
    """One row per attendee (valid or revoked) with the buyer, and one column per question of
    the event (its label as header; a multiple answer's choices joined with "; ")."""
    asked = questions.questions_of(event_id)
    by_order = {order.order_id: order for order in orders.all_event_orders(event_id)}
    found: dict[str, list[AttendeeModel]] = {}
    for attendee in attendee_store.event_attendees(event_id):
        found.setdefault(attendee.order_id, []).append(attendee)

    def rows() -> Iterable[list[Any]]:
        for order_id, order in by_order.items():
            made = found.get(order_id, [])
            if order.status in attendees.LIVE and len(made) < len(attendees.seats_of(order)):
                made = attendees.attendees_of(order)  # a reaction that failed: made now
            for attendee in made:
                given = attendee.answers or {}
                yield [
                    attendee.name,
                    attendee.email,
                    attendee.ticket_name,
                    attendee.status,
                    attendee.checked_in_at,
                    order.order_id,
                    attendee.seat,
                    order.buyer_name,
                    order.buyer_email,
                    *(_answer(given.get(question["id"])) for question in asked),
                ]

    header = ["name", "email", "ticket", "status", "checked_in_at", "order_id", "seat",
              "buyer_name", "buyer_email",
              *(question["label"] for question in asked)]  # fmt: skip
    return csv_text(header, rows())


def _answer(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(str(choice) for choice in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)
