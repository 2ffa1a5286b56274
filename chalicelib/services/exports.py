"""CSV exports of an event's orders and attendees (what organizers open in a spreadsheet)."""

import csv
import io
from collections.abc import Iterable
from typing import Any

from chalicelib.domain import orders as rules
from chalicelib.store import orders


def _cell(value: Any) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas: quote them."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_text(header: list[str], rows: Iterable[list[Any]]) -> str:
    """A CSV a spreadsheet opens safely (CRLF lines, formula-like cells quoted)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
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
    """One row per ticket of every completed order."""

    def rows() -> Iterable[list[Any]]:
        for order in orders.all_event_orders(event_id):
            if order.status != rules.COMPLETED:
                continue
            for line in orders.lines_of(order):
                for seat in range(1, line.quantity + 1):
                    yield [order.buyer_name, order.buyer_email, line.name, line.type, line.unit_price,
                           order.currency, order.order_id, seat]  # fmt: skip

    header = ["name", "email", "ticket", "type", "price", "currency", "order_id", "seat"]
    return csv_text(header, rows())
