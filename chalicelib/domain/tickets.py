"""Rules for an event's tickets: free / paid / donation prices as exact Decimals, quantities and
order limits, sales windows inside the event, names unique ignoring case, and the wizard's whole
table saved at once. Pure: plain dicts in, cleaned dicts out, ValidationError with per-field details."""

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from chalicelib.domain.errors import ConflictError, ValidationError
from chalicelib.domain.events import parse_instant

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
# One DynamoDB transaction holds at most 100 items: the tickets written plus the event's version bump.
MAX_TABLE_WRITES = 99

FIELDS = (
    "name",
    "type",
    "price",
    "quantity",
    "description",
    "sales_starts_at",
    "sales_ends_at",
    "min_order",
    "max_order",
    "hidden",
    "position",
)
READ_ONLY = ("id", "sold", "reserved", "available", "sales_open", "ver", "currency")
TABLE_ROW_FIELDS = ("id", *(f for f in FIELDS if f != "position"))
# Every accepted amount: below MAX_PRICE, at most 2 decimals, no sign, exponent or spaces.
MONEY_PATTERN = rf"^[0-9]{{1,{MAX_DIGITS}}}(\.[0-9]{{1,2}})?$"
_MONEY = re.compile(MONEY_PATTERN)
_DECIMAL_TEXT = re.compile(r"-?[0-9]{1,100}(\.[0-9]{1,100})?")


def name_key(name: str) -> str:
    """What makes two names "the same" ignoring case (casefold: "STRASSE" == "Straße")."""
    return name.strip().casefold()


def parse_price(value: Any) -> Decimal:
    """An exact, non-negative amount with at most 2 decimals, as cents ("12.5" -> 12.50).

    Money is a decimal string (API.md), never a JSON number: ``MONEY_PATTERN`` is exactly what is
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


def _whole_number(value: Any, field: str, errors: dict[str, str], minimum: int, maximum: int) -> int | None:
    if type(value) is not int:
        errors[field] = f"Give a whole number from {minimum} to {maximum}."
        return None
    if not minimum <= value <= maximum:
        errors[field] = f"Use a whole number from {minimum} to {maximum}."
        return None
    return value


def _check_keys(
    payload: dict[str, Any], allowed: tuple[str, ...], prefix: str, errors: dict[str, str]
) -> None:
    for key in payload:
        if key in allowed:
            continue
        if key == "position":
            errors[f"{prefix}{key}"] = "The order of the list sets the position here."
        elif key in READ_ONLY:
            errors[f"{prefix}{key}"] = "This field is read-only."
        else:
            errors[f"{prefix}{key}"] = "Unknown field."


def _clean_price(ticket_type: Any, raw: Any, field: str, errors: dict[str, str]) -> Decimal | None:
    price = None
    if raw is not None:
        try:
            price = parse_price(raw)
        except ValueError as error:
            errors[field] = str(error)
            return None
    if ticket_type == "free":
        if price is not None and price != 0:
            errors[field] = "A free ticket costs 0.00."
            return None
        return ZERO
    if ticket_type == "paid":
        if price is None:
            errors[field] = "A paid ticket needs a price."
            return None
        if price <= 0:
            errors[field] = "A paid ticket must cost more than 0."
            return None
        return price
    if ticket_type == "donation":
        return price if price is not None else ZERO
    return None


def _clean_window(
    ticket: dict[str, Any], prefix: str, event_ends_at: str, errors: dict[str, str], clean: dict[str, Any]
) -> None:
    starts_key, ends_key = f"{prefix}sales_starts_at", f"{prefix}sales_ends_at"
    raw_start, raw_end = ticket.get("sales_starts_at"), ticket.get("sales_ends_at")
    start = parse_instant(raw_start, starts_key, errors) if raw_start is not None else None
    end = parse_instant(raw_end, ends_key, errors) if raw_end is not None else None
    event_end = datetime.fromisoformat(event_ends_at)
    if end is not None and end > event_end:
        errors[ends_key] = f"Sales must end by the end of the event ({event_ends_at})."
    if start is not None and end is not None and end <= start:
        errors[ends_key] = "Sales must end after they start."
    if start is not None and end is None and start >= event_end:
        errors[starts_key] = f"Sales must start before the event ends ({event_ends_at})."
    if (raw_start is None or start is not None) and (raw_end is None or end is not None):
        clean["sales_starts_at"] = start.isoformat() if start else None
        clean["sales_ends_at"] = end.isoformat() if end else None


def _clean_ticket(
    ticket: dict[str, Any], prefix: str, event_ends_at: str, committed: int, errors: dict[str, str]
) -> dict[str, Any]:
    """Every rule of one ticket but uniqueness; ``ticket`` is complete (defaults applied by callers)."""
    clean: dict[str, Any] = {}

    name = ticket.get("name")
    if not isinstance(name, str) or not name.strip():
        errors[f"{prefix}name"] = "A name is required."
    elif len(name.strip()) > MAX_NAME:
        errors[f"{prefix}name"] = f"Use at most {MAX_NAME} characters."
    else:
        clean["name"] = name.strip()

    ticket_type = ticket.get("type")
    if ticket_type not in TICKET_TYPES:
        errors[f"{prefix}type"] = f"Use one of {', '.join(TICKET_TYPES)}."
    else:
        clean["type"] = ticket_type
    price = _clean_price(ticket_type, ticket.get("price"), f"{prefix}price", errors)
    if price is not None:
        clean["price"] = price

    quantity = _whole_number(ticket.get("quantity"), f"{prefix}quantity", errors, 1, MAX_QUANTITY)
    if quantity is not None and quantity < committed:
        errors[f"{prefix}quantity"] = (
            f"{committed} of these tickets are already sold or reserved; the quantity can't be lower."
        )
        quantity = None
    if quantity is not None:
        clean["quantity"] = quantity

    min_order = ticket.get("min_order", 1)
    min_order = _whole_number(min_order, f"{prefix}min_order", errors, 1, MAX_QUANTITY)
    default_max = min(DEFAULT_MAX_ORDER, quantity) if quantity else DEFAULT_MAX_ORDER
    max_order = ticket.get("max_order", default_max)
    max_order = _whole_number(max_order, f"{prefix}max_order", errors, 1, MAX_QUANTITY)
    if min_order is not None and max_order is not None and max_order < min_order:
        errors[f"{prefix}max_order"] = f"The maximum per order can't be below the minimum ({min_order})."
    elif max_order is not None and quantity is not None and max_order > quantity:
        errors[f"{prefix}max_order"] = f"The maximum per order can't exceed the quantity ({quantity})."
    elif min_order is not None and max_order is not None:
        clean["min_order"], clean["max_order"] = min_order, max_order

    description = ticket.get("description")
    if description is None:
        clean["description"] = ""
    elif not isinstance(description, str):
        errors[f"{prefix}description"] = "Give text."
    elif len(description) > MAX_DESCRIPTION:
        errors[f"{prefix}description"] = f"Use at most {MAX_DESCRIPTION} characters."
    else:
        clean["description"] = description.strip()

    hidden = ticket.get("hidden", False)
    if not isinstance(hidden, bool):
        errors[f"{prefix}hidden"] = "Give true or false."
    else:
        clean["hidden"] = hidden

    if "position" in ticket:
        position = _whole_number(ticket["position"], f"{prefix}position", errors, 0, MAX_POSITION)
        if position is not None:
            clean["position"] = position

    _clean_window(ticket, prefix, event_ends_at, errors, clean)
    return clean


def _check_unique(name: str | None, taken: set[str], field: str, errors: dict[str, str]) -> None:
    if name is not None and name_key(name) in taken and field not in errors:
        errors[field] = "Another ticket of this event already has this name (names ignore case)."


def validate_new_ticket(payload: dict[str, Any], event_ends_at: str, taken_names: set[str]) -> dict[str, Any]:
    """A ticket to create: every field cleaned, defaults applied (``position`` only when given)."""
    errors: dict[str, str] = {}
    _check_keys(payload, FIELDS, "", errors)
    clean = _clean_ticket(payload, "", event_ends_at, 0, errors)
    _check_unique(clean.get("name"), taken_names, "name", errors)
    if errors:
        raise ValidationError(errors)
    return clean


def validate_ticket_change(
    payload: dict[str, Any],
    current: dict[str, Any],
    committed: int,
    event_ends_at: str,
    taken_names: set[str],
) -> dict[str, Any]:
    """A partial update merged over ``current``; returns the whole ticket after the change."""
    errors: dict[str, str] = {}
    _check_keys(payload, FIELDS, "", errors)
    # The stored ticket is clean; its price is checked again as the decimal string a client sends.
    stored = (
        {**current, "price": format(current["price"], "f")} if current.get("price") is not None else current
    )
    merged = {**stored, **{k: v for k, v in payload.items() if k in FIELDS}}
    clean = _clean_ticket(merged, "", event_ends_at, committed, errors)
    _check_unique(clean.get("name"), taken_names, "name", errors)
    if errors:
        raise ValidationError(errors)
    return clean


@dataclass(frozen=True)
class ExistingTicket:
    ticket_id: str
    fields: dict[str, Any]
    committed: int


@dataclass(frozen=True)
class TableRow:
    ticket_id: str | None  # None: create
    fields: dict[str, Any]
    changed: bool


@dataclass(frozen=True)
class TablePlan:
    """What saving the wizard's table does: the rows in their new order and the ids to delete."""

    rows: list[TableRow]
    deletes: list[str]

    @property
    def writes(self) -> int:
        return sum(1 for row in self.rows if row.changed) + len(self.deletes)


def plan_ticket_table(payload: Any, existing: dict[str, ExistingTicket], event_ends_at: str) -> TablePlan:
    """``{"tickets": [...]}`` replaces the whole table: rows with ``id`` update that ticket, rows
    without create one, tickets left out are deleted. Each row is a complete ticket (an omitted
    field takes its default: an unchecked ``hidden`` is false). Position = index in the list."""
    errors: dict[str, str] = {}
    if not isinstance(payload, dict):
        raise ValidationError({"tickets": 'Send {"tickets": [...]}.'})
    for key in payload:
        if key != "tickets":
            errors[key] = "Unknown field."
    rows_in = payload.get("tickets")
    if not isinstance(rows_in, list):
        errors["tickets"] = "Give the list of tickets."
        raise ValidationError(errors)
    if len(rows_in) > MAX_TABLE_WRITES:
        errors["tickets"] = f"An event can have at most {MAX_TABLE_WRITES} tickets."
        raise ValidationError(errors)

    rows: list[TableRow] = []
    seen_ids: set[str] = set()
    seen_names: set[str] = set()
    for index, row in enumerate(rows_in):
        prefix = f"tickets[{index}]."
        if not isinstance(row, dict):
            errors[f"tickets[{index}]"] = "Give a ticket object."
            continue
        _check_keys(row, TABLE_ROW_FIELDS, prefix, errors)
        ticket_id = row.get("id")
        committed = 0
        if ticket_id is not None:
            if not isinstance(ticket_id, str) or ticket_id not in existing:
                errors[f"{prefix}id"] = "No such ticket in this event; leave id out to create one."
            elif ticket_id in seen_ids:
                errors[f"{prefix}id"] = "This ticket appears twice in the list."
            else:
                seen_ids.add(ticket_id)
                committed = existing[ticket_id].committed
        fields = {k: v for k, v in row.items() if k in FIELDS}
        clean = _clean_ticket(fields, prefix, event_ends_at, committed, errors)
        name = clean.get("name")
        _check_unique(name, seen_names, f"{prefix}name", errors)
        if name is not None:
            seen_names.add(name_key(name))
        clean["position"] = index
        if isinstance(ticket_id, str) and ticket_id in existing:
            rows.append(TableRow(ticket_id, clean, is_changed(existing[ticket_id].fields, clean)))
        else:
            rows.append(TableRow(None, clean, True))
    if errors:
        raise ValidationError(errors)

    deletes = [ticket_id for ticket_id in existing if ticket_id not in seen_ids]
    check_deletable([existing[ticket_id] for ticket_id in deletes])
    plan = TablePlan(rows=rows, deletes=deletes)
    if plan.writes > MAX_TABLE_WRITES:
        raise ValidationError(
            {
                "tickets": f"This save creates, changes and deletes {plan.writes} tickets; "
                f"at most {MAX_TABLE_WRITES} can change at once. Save in two steps."
            }
        )
    return plan


def is_changed(current: dict[str, Any], clean: dict[str, Any]) -> bool:
    return any(current.get(field) != value for field, value in clean.items())


def check_deletable(tickets: list[ExistingTicket]) -> None:
    """A ticket someone holds (sold or reserved) can't be deleted: 409 naming each one."""
    held = {t.ticket_id: t for t in tickets if t.committed > 0}
    if held:
        raise ConflictError(
            "Tickets that are sold or reserved can't be deleted; hide them instead.",
            {
                ticket_id: f"{ticket.committed} sold or reserved ({ticket.fields.get('name', '')})."
                for ticket_id, ticket in held.items()
            },
            code="ticket_has_orders",
        )
