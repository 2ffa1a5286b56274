"""Rules for orders: what a buyer may order, what it costs, how it changes a ticket's counters,
and which status changes are allowed. Pure: no boto3, no PynamoDB, no HTTP.

Inventory model. Each ticket carries ``sold`` (completed orders), ``reserved`` (pending orders'
holds) and ``held`` (always ``sold + reserved``). DynamoDB conditions cannot add attributes, so
an order that takes ``n`` tickets is written with the condition ``held <= quantity - n`` (plus
``quantity`` unchanged since it was read): the check happens inside the write itself.

A pending order's hold counts in ``reserved`` until the order is paid, cancelled or expired. An
expired hold still sits in ``reserved`` until something releases it (the sweep, or the next
order of that ticket, which releases expired holds first); until then every availability count
adds it back, so an expired hold is never shown, nor refused to a buyer, as taken.
"""

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from chalicelib.domain import codes, stock
from chalicelib.domain.errors import BadRequestError, ConflictError, ValidationError
from chalicelib.domain.fields import Integer, Matching, Parsed
from chalicelib.domain.money import currency_decimals_message, decimals, fits_currency
from chalicelib.domain.objects import ListOf, Object, field_of
from chalicelib.domain.questions import (
    ATTENDEE_INPUT,
    MAX_ORDER_ATTENDEES,
    check_line_attendees,
    check_order_size,
)
from chalicelib.domain.tickets import MONEY_IN, ZERO, money_text, sales_open

PENDING = "pending"
COMPLETED = "completed"
CANCELLED = "cancelled"
EXPIRED = "expired"
REFUNDED = "refunded"  # all of the money back, the seats on sale again
PARTIALLY_REFUNDED = "partially_refunded"  # some money back, the seats kept
STATUSES = (PENDING, COMPLETED, CANCELLED, EXPIRED, REFUNDED, PARTIALLY_REFUNDED)

FREE, PAID, DONATION = "free", "paid", "donation"
DEFAULT_HOLD_MINUTES = 15
MAX_HOLD_MINUTES = 7 * 24 * 60
# A transaction holds at most 100 items: the lines' tickets, the order, its hold, its idempotency
# record and the event's version bump must fit with room to spare.
MAX_LINES = 20
MAX_LINE_QUANTITY = 1_000_000
MAX_SEATS = MAX_ORDER_ATTENDEES
MAX_IDEMPOTENCY_KEY = 255
_IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]+")


class TicketOffer(NamedTuple):
    """What the order rules need to know about one ticket, as read."""

    ticket_id: str
    name: str
    type: str
    price: Decimal
    quantity: int
    sold: int
    reserved: int
    min_order: int
    max_order: int
    hidden: bool
    sales_starts_at: str | None
    sales_ends_at: str | None
    # The counter items its seats are split over, as read (empty: the ticket item alone).
    slots: tuple[stock.Slot, ...] = ()

    @property
    def held(self) -> int:
        return self.sold + self.reserved

    @property
    def stock(self) -> tuple[stock.Slot, ...]:
        return self.slots or (stock.Slot(0, self.quantity, self.sold, self.reserved),)


class RequestedItem(NamedTuple):
    ticket_id: str
    quantity: int
    amount: Decimal | None = None
    # What the buyer says of each seat (at most one entry a seat): {name?, email?, answers?}.
    attendees: tuple[Mapping[str, Any], ...] = ()


class OrderLine(NamedTuple):
    ticket_id: str
    name: str
    type: str
    quantity: int
    unit_price: Decimal
    # The price before a code's discount (None: not discounted).
    list_price: Decimal | None = None
    # {name, email, answers} per seat given, checked against the event's questions.
    attendees: tuple[Mapping[str, Any], ...] = ()
    # Which slots of a split ticket the seats came from (empty: all from the ticket item).
    slots: stock.Allocation = ()

    @property
    def subtotal(self) -> Decimal:
        return self.unit_price * self.quantity

    @property
    def allocation(self) -> stock.Allocation:
        return self.slots or stock.from_slot_zero(self.quantity)

    def to_record(self) -> dict[str, Any]:
        record: dict[str, Any] = {
            "ticket_id": self.ticket_id,
            "name": self.name,
            "type": self.type,
            "quantity": self.quantity,
            "unit_price": str(self.unit_price),
        }
        if self.list_price is not None:
            record["list_price"] = str(self.list_price)
        if self.attendees:
            record["attendees"] = [dict(person) for person in self.attendees]
        if self.slots:
            record["slots"] = [[index, seats] for index, seats in self.slots]
        return record

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> "OrderLine":
        return cls(
            ticket_id=str(record["ticket_id"]),
            name=str(record["name"]),
            type=str(record["type"]),
            quantity=int(record["quantity"]),
            unit_price=Decimal(str(record["unit_price"])),
            list_price=Decimal(str(record["list_price"])) if record.get("list_price") else None,
            attendees=tuple(record.get("attendees") or ()),
            slots=tuple((int(index), int(seats)) for index, seats in record.get("slots") or ()),
        )


class PricedOrder(NamedTuple):
    lines: tuple[OrderLine, ...]

    @property
    def total(self) -> Decimal:
        return sum((line.subtotal for line in self.lines), ZERO)

    @property
    def status(self) -> str:
        """Nothing to pay -> completed at once; anything to pay -> pending until paid."""
        return PENDING if self.total > 0 else COMPLETED


@dataclass(frozen=True)
class CounterChange:
    """What one write does to one ticket's counters (``held`` moves with their sum)."""

    sold: int = 0
    reserved: int = 0

    @property
    def held(self) -> int:
        return self.sold + self.reserved

    def __add__(self, other: "CounterChange") -> "CounterChange":
        return CounterChange(self.sold + other.sold, self.reserved + other.reserved)


class Stock(NamedTuple):
    """A ticket's counters at one moment (the property tests replay writes on it)."""

    quantity: int
    sold: int = 0
    reserved: int = 0

    @property
    def held(self) -> int:
        return self.sold + self.reserved

    def admits(self, change: CounterChange) -> bool:
        """The condition the store writes with: a growing ``held`` must stay within ``quantity``."""
        return change.held <= 0 or self.held <= held_limit(self.quantity, change.held)

    def apply(self, change: CounterChange) -> "Stock":
        return Stock(self.quantity, self.sold + change.sold, self.reserved + change.reserved)


def held_limit(quantity: int, taking: int) -> int:
    """The largest ``held`` a ticket may have before a write that takes ``taking`` more of it."""
    return int(quantity) - int(taking)


def available(quantity: int, sold: int, reserved: int, expired_held: int = 0) -> int:
    """What a buyer can still get: expired holds not yet released count as free."""
    return max(0, int(quantity) - int(sold) - int(reserved) + int(expired_held))


def parse_idempotency_key(value: str | None) -> str:
    if value is None or not value.strip():
        raise BadRequestError(
            "Send an Idempotency-Key header (e.g. a UUID) so that a retry never buys twice.",
            code="idempotency_key_required",
        )
    key = value.strip()
    if len(key) > MAX_IDEMPOTENCY_KEY or not _IDEMPOTENCY_KEY.fullmatch(key):
        raise BadRequestError(
            f"An Idempotency-Key is 1 to {MAX_IDEMPOTENCY_KEY} visible ASCII characters, no spaces.",
            code="bad_idempotency_key",
        )
    return key


def key_reused() -> ValidationError:
    error = ValidationError(
        {"Idempotency-Key": "This key was used for a different order; use a new key for a new order."},
        "This Idempotency-Key belongs to another request.",
    )
    error.code = "idempotency_key_reused"
    return error


def _amount(value: Any) -> str:
    try:
        return money_text(value)
    except ValueError as error:
        raise ValueError(
            'Give the amount as a decimal string such as "25.00": at least 0, at most 2 decimals.'
        ) from error


ORDER_REQUEST = Object(
    {
        "items": ListOf(
            Object(
                {
                    "ticket_id": Matching("Give the ticket's id.", min_len=1, strip=False),
                    "quantity": Integer(
                        1,
                        MAX_LINE_QUANTITY,
                        message="Give a whole number of tickets, at least 1.",
                        range_message="Give a whole number of tickets, at least 1.",
                    ),
                    "amount": Parsed(
                        _amount,
                        {**MONEY_IN.base_schema(), "type": "string"},
                        nullable=True,
                        description=f"Donation per ticket. {MONEY_IN.base_schema()['description']}",
                    ),
                    "attendees": ListOf(
                        ATTENDEE_INPUT,
                        max_items=MAX_ORDER_ATTENDEES,
                        message="Give a list of attendees {name?, email?, answers?}, one per seat.",
                        too_many=f"An order names at most {MAX_ORDER_ATTENDEES} attendees.",
                        description="Who each seat is for, in seat order, with the answers to the "
                        "event's questions (GET /public/events/{event_id}/questions)",
                    ),
                },
                required=("ticket_id", "quantity"),
                message="Give an object {ticket_id, quantity, amount?, attendees?}.",
            ),
            min_items=1,
            max_items=MAX_LINES,
            message="Give a non-empty list of {ticket_id, quantity} items.",
            too_many=f"An order can hold at most {MAX_LINES} different tickets.",
            duplicate="This ticket is listed twice; order it once with the total quantity.",
            identity=field_of("ticket_id"),
            duplicate_at="ticket_id",
        ),
        "code": Parsed(
            codes.code_text,
            {"type": "string", "pattern": codes.CODE_PATTERN, "description": "An access or discount code"},
            nullable=True,
        ),
    },
    required=("items",),
    unknown=lambda key: "Unknown field; send items and code.",
    description=f"Header Idempotency-Key (required, up to {MAX_IDEMPOTENCY_KEY} characters).",
    examples=[{"items": [{"ticket_id": "0123456789abcdef0123456789abcdef", "quantity": 1}]}],
)


def parse_order_request(payload: Mapping[str, Any]) -> list[RequestedItem]:
    """``{"items": [{"ticket_id", "quantity", "amount"?}]}`` -> items; 422 with per-field details."""
    return [
        RequestedItem(
            item["ticket_id"],
            item["quantity"],
            None if item.get("amount") is None else Decimal(item["amount"]),
            tuple(item.get("attendees") or ()),
        )
        for item in ORDER_REQUEST.validate(payload)["items"]
    ]


def requested_code(payload: Mapping[str, Any]) -> str | None:
    """The order's code (upper-case), once ``parse_order_request`` accepted the payload."""
    code = payload.get("code")
    return codes.normalize(code) if isinstance(code, str) else None


def request_fingerprint(event_id: str, items: Iterable[RequestedItem], code: str | None = None) -> str:
    """Same event, items (in any order) and code -> same fingerprint; anything else differs (the
    attendees' names and answers too; a request without attendees or code keeps its old one)."""
    canonical = sorted(
        [item.ticket_id, item.quantity, None if item.amount is None else str(item.amount)]
        + ([json.dumps(item.attendees, sort_keys=True)] if item.attendees else [])
        for item in items
    )
    parts: list[Any] = [event_id, canonical] if code is None else [event_id, canonical, code]
    text = json.dumps(parts, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class _Problems:
    invalid: dict[str, str] = field(default_factory=dict)
    closed: dict[str, str] = field(default_factory=dict)
    short: dict[str, int] = field(default_factory=dict)


def _unit_price(
    item: RequestedItem, offer: TicketOffer, where: str, problems: _Problems, currency: str
) -> Decimal | None:
    if offer.type == DONATION:
        if item.amount is None:
            problems.invalid[f"{where}.amount"] = (
                f"Say how much you give per ticket (at least {offer.price})."
            )
            return None
        if not fits_currency(item.amount, currency):
            problems.invalid[f"{where}.amount"] = currency_decimals_message(currency)
            return None
        if item.amount < offer.price or item.amount <= 0:
            # A minimum of 0 (tickets saved before donations needed one) still refuses "nothing".
            least = offer.price if offer.price > 0 else Decimal(1).scaleb(-decimals(currency))
            problems.invalid[f"{where}.amount"] = (
                f"The minimum donation for this ticket is {least} {currency.upper()}."
            )
            return None
        return item.amount
    if item.amount is not None:
        problems.invalid[f"{where}.amount"] = "Only donation tickets take an amount; the price is fixed."
        return None
    return offer.price


def price_order(
    items: list[RequestedItem],
    offers: Mapping[str, TicketOffer],
    event_ends_at: str,
    moment: datetime,
    expired_held: Mapping[str, int] | None = None,
    currency: str = "USD",
    code: codes.CodeTerms | None = None,
    questions: Sequence[Mapping[str, Any]] = (),
) -> PricedOrder:
    """Check every rule against the tickets (and the event's ``questions``) as read and price
    the order.

    422 (details per field) for unknown or hidden tickets, quantities outside min/max, bad
    donation amounts and attendees whose answers miss or break the questions' rules; then 409
    ``sales_closed``; then 409 ``sold_out`` with what remains.
    """
    expired_held = expired_held or {}
    problems = _Problems()
    if sum(item.quantity for item in items) > MAX_SEATS:
        problems.invalid["items"] = f"An order holds at most {MAX_SEATS} tickets; place several orders."
    lines: list[OrderLine] = []
    given: list[list[dict[str, Any]]] = []
    for index, item in enumerate(items):
        where = f"items[{index}]"
        offer = offers.get(item.ticket_id)
        if offer is None or (offer.hidden and not (code and code.unlocks(offer.ticket_id))):
            problems.invalid[f"{where}.ticket_id"] = "No such ticket on sale for this event."
            continue
        attendees = check_line_attendees(
            questions, offer.ticket_id, item.quantity, item.attendees, where, problems.invalid
        )
        given.append(attendees)
        if not offer.min_order <= item.quantity <= offer.max_order:
            problems.invalid[f"{where}.quantity"] = (
                f"Order from {offer.min_order} to {offer.max_order} of this ticket."
            )
        unit_price = _unit_price(item, offer, where, problems, currency)
        if not sales_open(offer.sales_starts_at, offer.sales_ends_at, event_ends_at, moment):
            problems.closed[offer.ticket_id] = offer.name
        left = available(offer.quantity, offer.sold, offer.reserved, expired_held.get(offer.ticket_id, 0))
        if item.quantity > left:
            problems.short[offer.ticket_id] = left
        if unit_price is not None:
            price = codes.discounted(unit_price, offer.type, offer.ticket_id, code, currency)
            lines.append(
                OrderLine(
                    offer.ticket_id,
                    offer.name,
                    offer.type,
                    item.quantity,
                    price,
                    list_price=unit_price if price != unit_price else None,
                    attendees=tuple(attendees),
                )
            )
    check_order_size(given, problems.invalid)
    if problems.invalid:
        raise ValidationError(problems.invalid)
    if problems.closed:
        raise ConflictError(
            "Sales are not open for: " + ", ".join(problems.closed.values()) + ".",
            {"tickets": sorted(problems.closed)},
            code="sales_closed",
        )
    if problems.short:
        raise sold_out(problems.short)
    return PricedOrder(tuple(lines))


def sold_out(remaining: Mapping[str, int]) -> ConflictError:
    return ConflictError(
        "Not enough tickets left.",
        {"remaining": {ticket_id: int(left) for ticket_id, left in sorted(remaining.items())}},
        code="sold_out",
    )


def hold_expiry(moment: datetime, hold_minutes: int | None) -> datetime:
    minutes = int(hold_minutes) if hold_minutes else DEFAULT_HOLD_MINUTES
    return moment + timedelta(minutes=min(max(minutes, 1), MAX_HOLD_MINUTES))


def is_expired(status: str, expires_at: str | None, moment: datetime) -> bool:
    return status == PENDING and expires_at is not None and datetime.fromisoformat(expires_at) <= moment


def per_ticket(lines: Iterable[OrderLine]) -> dict[str, int]:
    quantities: dict[str, int] = {}
    for line in lines:
        quantities[line.ticket_id] = quantities.get(line.ticket_id, 0) + line.quantity
    return quantities


def taking(lines: Iterable[OrderLine], status: str) -> dict[str, CounterChange]:
    """A new order: completed ones sell, pending ones hold."""
    if status == COMPLETED:
        return {tid: CounterChange(sold=q) for tid, q in per_ticket(lines).items()}
    return {tid: CounterChange(reserved=q) for tid, q in per_ticket(lines).items()}


def releasing(lines: Iterable[OrderLine], status: str) -> dict[str, CounterChange]:
    """Cancelling or expiring an order gives back what it took in its current status."""
    if status == COMPLETED:
        return {tid: CounterChange(sold=-q) for tid, q in per_ticket(lines).items()}
    return {tid: CounterChange(reserved=-q) for tid, q in per_ticket(lines).items()}


def settling(lines: Iterable[OrderLine]) -> dict[str, CounterChange]:
    """A pending order paid: its hold becomes sold (``held`` does not move)."""
    return {tid: CounterChange(sold=q, reserved=-q) for tid, q in per_ticket(lines).items()}
