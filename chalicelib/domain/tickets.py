"""Rules for an event's tickets: free / paid / donation prices as exact Decimals, quantities and
order limits, sales windows inside the event, names unique ignoring case, and the wizard's whole
table saved at once. Pure: plain dicts in, cleaned dicts out, ValidationError with per-field details."""

import re
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple

from chalicelib.domain.errors import ValidationError
from chalicelib.domain.events import EVENT, PUBLIC_EVENT_SUMMARY, instant_field
from chalicelib.domain.fields import Choice, Field, Flag, Integer, Parsed, Schemaless, Text
from chalicelib.domain.money import currency_decimals_message, fits_currency
from chalicelib.domain.objects import ListOf, Object, Report, Rule, field_of, sent

TICKET_TYPES = ("free", "paid", "donation")
MAX_NAME = 100
MAX_DESCRIPTION = 2_000
MAX_QUANTITY = 1_000_000
MAX_POSITION = 10_000
DEFAULT_MAX_ORDER = 10
# Generous enough for currencies with tiny units (VND, IDR); far below DynamoDB's 38 digits.
MAX_DIGITS = 12
MAX_PRICE = Decimal(10**MAX_DIGITS)
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# A donation ticket's minimum when the organizer sets none: one unit of any currency (1.00 EUR, 1 JPY).
DEFAULT_DONATION_MINIMUM = Decimal("1.00")
# One DynamoDB transaction holds at most 100 items: the tickets written plus the event's version bump.
MAX_TABLE_WRITES = 99

NAME_TAKEN = "Another ticket of this event already has this name (names ignore case)."
READ_ONLY = ("id", "sold", "reserved", "available", "sales_open", "ver", "currency")
# Every accepted amount: below MAX_PRICE, at most 2 decimals, no sign, exponent or spaces.
MONEY_PATTERN = rf"^[0-9]{{1,{MAX_DIGITS}}}(\.[0-9]{{1,2}})?$"
_MONEY = re.compile(MONEY_PATTERN)
_DECIMAL_TEXT = re.compile(r"-?[0-9]{1,100}(\.[0-9]{1,100})?")


def name_key(name: str) -> str:
    """What makes two names "the same" ignoring case (casefold: "STRASSE" == "Straße")."""
    return name.strip().casefold()


def parse_price(value: Any) -> Decimal:
    """An exact, non-negative amount with at most 2 decimals, as cents ("12.5" -> 12.50).

    Money is a decimal string (docs/api.md), never a JSON number: ``MONEY_PATTERN`` is exactly what is
    accepted. Raises ValueError with a message for the client.
    """
    if not isinstance(value, str):
        raise ValueError('Give the price as a decimal string such as "12.50" (a JSON string, not a number).')
    if not _DECIMAL_TEXT.fullmatch(value):
        raise ValueError('Give the price as a decimal string such as "12.50".')
    amount = Decimal(value)
    if amount < 0:
        raise ValueError("A price can't be negative.")
    if amount >= MAX_PRICE:
        raise ValueError(f"A price must be below {MAX_PRICE}.")
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise ValueError("Use at most 2 decimals.")
    if not _MONEY.fullmatch(value):
        raise ValueError(f"Use at most {MAX_DIGITS} digits before the decimal point.")
    cents = amount.quantize(CENT)
    return cents if cents else ZERO


def available(quantity: int, sold: int, reserved: int) -> int:
    return max(0, int(quantity) - int(sold) - int(reserved))


def sales_open(starts_at: str | None, ends_at: str | None, event_ends_at: str, now: datetime) -> bool:
    """Sales run from ``starts_at`` (or always) until ``ends_at`` (or the end of the event)."""
    start = datetime.fromisoformat(starts_at) if starts_at else None
    end = datetime.fromisoformat(ends_at or event_ends_at)
    return (start is None or start <= now) and now < end


def _unknown_key(key: str) -> str:
    if key == "position":
        return "The order of the list sets the position here."
    if key in READ_ONLY:
        return "This field is read-only."
    return "Unknown field."


class TicketContext(NamedTuple):
    """What a ticket's rules need beyond its fields: the event's end and how many are held."""

    event_ends_at: str
    committed: int = 0
    currency: str = "USD"


def _price_for_type(values: dict[str, Any], report: Report, context: Any) -> None:
    ticket_type, price = values["type"], values["price"]
    if ticket_type == "free":
        if price is not None and Decimal(price) != 0:
            report("price", "A free ticket costs 0.00.")
        values["price"] = str(ZERO)
    elif ticket_type == "paid":
        if price is None:
            report("price", "A paid ticket needs a price.")
        elif Decimal(price) <= 0:
            report("price", "A paid ticket must cost more than 0.")
    elif price is None:
        values["price"] = str(DEFAULT_DONATION_MINIMUM)
    elif Decimal(price) <= 0:
        report("price", "A donation's minimum must be more than 0.")


def _suggested_amount(values: dict[str, Any], report: Report, context: Any) -> None:
    """A donation may suggest an amount (what the order form starts at), never below its minimum."""
    suggested, price = values["suggested_price"], values["price"]
    if suggested is None:
        return
    if values["type"] != "donation":
        report("suggested_price", "Only donation tickets take a suggested amount.")
    elif price is not None and Decimal(suggested) < Decimal(price):
        report("suggested_price", f"The suggested amount can't be below the minimum ({price}).")


def _not_below_committed(values: dict[str, Any], report: Report, context: TicketContext) -> None:
    if values["quantity"] < context.committed:
        held = context.committed
        report(
            "quantity", f"{held} of these tickets are already sold or reserved; the quantity can't be lower."
        )
        del values["quantity"]


def _order_limits(values: dict[str, Any], report: Report, context: Any) -> None:
    min_order, max_order, quantity = values["min_order"], values["max_order"], values.get("quantity")
    if max_order < min_order:
        report("max_order", f"The maximum per order can't be below the minimum ({min_order}).")
    elif quantity is not None and max_order > quantity:
        report("max_order", f"The maximum per order can't exceed the quantity ({quantity}).")


def _window_in_order(values: dict[str, Any], report: Report, context: Any) -> None:
    start, end = values["sales_starts_at"], values["sales_ends_at"]
    if start is not None and end is not None and datetime.fromisoformat(end) <= datetime.fromisoformat(start):
        report("sales_ends_at", "Sales must end after they start.")


def _price_in_currency(values: dict[str, Any], report: Report, context: TicketContext) -> None:
    for name in ("price", "suggested_price"):
        amount = values[name]
        if amount is not None and not fits_currency(Decimal(amount), context.currency):
            report(name, currency_decimals_message(context.currency))


def _window_in_event(values: dict[str, Any], report: Report, context: TicketContext) -> None:
    start, end = values["sales_starts_at"], values["sales_ends_at"]
    event_end = datetime.fromisoformat(context.event_ends_at)
    if end is not None and datetime.fromisoformat(end) > event_end:
        report("sales_ends_at", f"Sales must end by the end of the event ({context.event_ends_at}).")
    if start is not None and end is None and datetime.fromisoformat(start) >= event_end:
        report("sales_starts_at", f"Sales must start before the event ends ({context.event_ends_at}).")


def money_text(value: Any) -> str:
    """A price a client sends, kept as its exact decimal text ("12.5" -> "12.50") until stored."""
    return format(parse_price(value), "f")


def stored_values(clean: dict[str, Any]) -> dict[str, Any]:
    for name in ("price", "suggested_price"):
        if clean.get(name) is not None:
            clean[name] = Decimal(clean[name])
    return clean


MONEY_IN = Parsed(
    money_text,
    {
        "type": "string",
        "pattern": MONEY_PATTERN,
        "description": f'Decimal string such as "12.50": at most 2 decimals, below {MAX_PRICE}',
    },
    nullable=True,
    stored=Text(pattern=r"^[0-9]+\.[0-9]{2}$", description='Decimal string, "12.50"'),
)
SUGGESTED_IN = Parsed(
    money_text,
    {
        "type": "string",
        "pattern": MONEY_PATTERN,
        "description": "A donation's suggested amount per ticket (at least its minimum, the price)",
    },
    nullable=True,
    stored=Text(
        pattern=r"^[0-9]+\.[0-9]{2}$", nullable=True, null_value=None, description='Decimal string, "25.00"'
    ),
)
_WHOLE = Integer(1, MAX_QUANTITY)
# One ticket as the organizer sets it. Every rule but the name's uniqueness sits here; those that
# need the event (its end, what is sold) run when the store checks it with a TicketContext.
_TICKET_FIELDS: dict[str, Field] = {
    "name": Text(MAX_NAME, required="A name is required.", message="A name is required."),
    "type": Choice(TICKET_TYPES),
    "price": MONEY_IN,
    "suggested_price": SUGGESTED_IN,
    "quantity": _WHOLE,
    "description": Text(MAX_DESCRIPTION, nullable=True, measure_stripped=False),
    "sales_starts_at": instant_field(nullable=True),
    "sales_ends_at": instant_field(nullable=True),
    "min_order": _WHOLE,
    "max_order": _WHOLE,
    "hidden": Flag(),
}
_TICKET_DEFAULTS: dict[str, Any] = {
    "price": None,
    "suggested_price": None,
    "description": "",
    "sales_starts_at": None,
    "sales_ends_at": None,
    "min_order": 1,
    "max_order": lambda clean: (
        min(DEFAULT_MAX_ORDER, clean["quantity"]) if clean.get("quantity") else DEFAULT_MAX_ORDER
    ),
    "hidden": False,
}
_TICKET_RULES = (
    Rule(("type", "price"), _price_for_type),
    Rule(("type", "price", "suggested_price"), _suggested_amount),
    Rule(("price", "suggested_price"), _price_in_currency, needs_context=True),
    Rule(("quantity",), _not_below_committed, needs_context=True),
    Rule(("min_order", "max_order"), _order_limits),
    Rule(("sales_starts_at", "sales_ends_at"), _window_in_event, needs_context=True),
    Rule(("sales_starts_at", "sales_ends_at"), _window_in_order),
)
TICKET_INPUT = Object(
    {**_TICKET_FIELDS, "position": Integer(0, MAX_POSITION)},
    required=("name", "type", "quantity"),
    defaults=_TICKET_DEFAULTS,
    rules=_TICKET_RULES,
    unknown=_unknown_key,
    examples=[{"name": "Early bird", "type": "paid", "price": "49.00", "quantity": 100, "max_order": 4}],
)
TICKET_CHANGES = TICKET_INPUT.partial(examples=TICKET_INPUT.examples)
FIELDS = tuple(TICKET_INPUT.fields)
# A row of the wizard's table: a complete ticket (an omitted field takes its default: an
# unchecked ``hidden`` is false); ``id`` names the ticket it updates, none creates one.
TICKET_ROW = Object(
    {"id": Schemaless({"type": "string"}), **_TICKET_FIELDS},
    required=("name", "type", "quantity"),
    defaults=_TICKET_DEFAULTS,
    rules=_TICKET_RULES,
    unknown=_unknown_key,
    message="Give a ticket object.",
)
TABLE_ROWS = ListOf(
    TICKET_ROW,
    max_items=MAX_TABLE_WRITES,
    message="Give the list of tickets.",
    too_many=f"An event can have at most {MAX_TABLE_WRITES} tickets.",
    duplicate=NAME_TAKEN,
    identity=field_of("name", name_key),
    duplicate_at="name",
)
TICKET_TABLE = Object({"tickets": TABLE_ROWS}, required=("tickets",), message='Send {"tickets": [...]}.')
_COUNT = Integer(minimum=0)
_PUBLIC_FIELDS: dict[str, Field] = {
    "id": Text(min_len=1, source="ticket_id"),
    "name": TICKET_INPUT.fields["name"].stored(),
    "type": Choice(TICKET_TYPES, source="ticket_type"),
    **{name: TICKET_INPUT.fields[name].stored() for name in ("price", "suggested_price", "description")},
    "sales_starts_at": TICKET_INPUT.fields["sales_starts_at"].stored(),
    "sales_ends_at": TICKET_INPUT.fields["sales_ends_at"].stored(),
    "min_order": Integer(minimum=1),
    "max_order": Integer(minimum=1),
    "available": Integer(
        minimum=0, source=lambda ticket: available(ticket.quantity, ticket.sold, ticket.reserved)
    ),
}
TICKET = sent(
    "Ticket",
    {**_PUBLIC_FIELDS, "quantity": Integer(minimum=1), "hidden": Flag(), "position": _COUNT, "sold": _COUNT},
)
PUBLIC_TICKET = sent(
    "PublicTicket",
    {
        **_PUBLIC_FIELDS,
        "currency": EVENT.fields["currency"],
        "sales_open": Flag(),
        "price_with_code": Text(
            pattern=r"^[0-9]+(\.[0-9]{1,3})?$", description="What it costs with the code given (?code=)"
        ),
    },
    optional=("price_with_code",),
)
PUBLIC_EVENT = PUBLIC_EVENT_SUMMARY.extended("PublicEvent", {"tickets": ListOf(PUBLIC_TICKET)})


def check_unique_name(name: str | None, taken: set[str], field: str, errors: dict[str, str]) -> None:
    if name is not None and name_key(name) in taken and field not in errors:
        errors[field] = NAME_TAKEN


def validate_new_ticket(
    payload: dict[str, Any], event_ends_at: str, taken_names: set[str], currency: str = "USD"
) -> dict[str, Any]:
    """A ticket to create: every field cleaned, defaults applied (``position`` only when given)."""
    errors: dict[str, str] = {}
    clean = TICKET_INPUT.check(payload, "", errors, TicketContext(event_ends_at, currency=currency))
    check_unique_name(clean.get("name"), taken_names, "name", errors)
    if errors:
        raise ValidationError(errors)
    return stored_values(clean)


def validate_ticket_change(
    payload: dict[str, Any],
    current: dict[str, Any],
    committed: int,
    event_ends_at: str,
    taken_names: set[str],
    currency: str = "USD",
) -> dict[str, Any]:
    """A partial update merged over ``current``; returns the whole ticket after the change."""
    errors: dict[str, str] = {}
    # The stored ticket is clean; its price is checked again as the decimal string a client sends.
    stored = {key: value for key, value in current.items() if key in TICKET_INPUT.fields}
    for name in ("price", "suggested_price"):
        if stored.get(name) is not None:
            stored[name] = format(stored[name], "f")
    context = TicketContext(event_ends_at, committed, currency)
    clean = TICKET_INPUT.check({**stored, **payload}, "", errors, context)
    check_unique_name(clean.get("name"), taken_names, "name", errors)
    if errors:
        raise ValidationError(errors)
    return stored_values(clean)
