"""Access and discount codes: what a code unlocks and takes off, when it may be used, and how
a discounted price is computed. Pure: no boto3, no PynamoDB, no HTTP.

A code is unique per event whatever its case (stored upper-case). It unlocks the hidden tickets
it covers (``ticket_ids`` None: all of the event's), takes a percentage or an amount off each
covered paid ticket (never below 0, rounded half up to the currency's decimals; free and
donation tickets are not discounted), and is used once per order while its window is open and
``uses < max_uses``. The limit itself is the order transaction's condition (chalicelib.store.codes).
"""

import re
import secrets
from collections.abc import Collection, Mapping
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

from chalicelib.domain.errors import ValidationError
from chalicelib.domain.events import instant_field
from chalicelib.domain.fields import Field, Flag, Integer, Matching, Parsed, Schemaless, Text
from chalicelib.domain.money import currency_decimals_message, decimals, fits_currency
from chalicelib.domain.objects import ListOf, Object, Report, Rule, sent

CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{2,39}$")
# Starting with a letter or digit: a spreadsheet shows the CSV's codes as they are typed.
CODE_PATTERN = "^[A-Za-z0-9][A-Za-z0-9_-]{2,39}$"
MAX_USES = 1_000_000
MAX_BULK = 500
MAX_PREFIX = 20
BULK_RANDOM = 8
# Base32's letters and digits without the look-alikes (0/O, 1/I/L): codes people type.
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_PERCENT = re.compile(r"^[0-9]{1,3}(\.[0-9]{1,2})?$")
_AMOUNT = re.compile(r"^[0-9]{1,9}(\.[0-9]{1,3})?$")
INVALID_CODE = "invalid_code"
UNKNOWN_CODE = "This code is not valid for this event."


def normalize(code: str) -> str:
    return code.strip().upper()


def _discount(value: Any) -> dict[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping) or len(value) != 1 or not set(value) <= {"percent", "amount"}:
        raise ValueError('Give {"percent": "10"} or {"amount": "5.00"}, or null for no discount.')
    ((kind, text),) = value.items()
    if kind == "percent":
        if not isinstance(text, str) or not _PERCENT.fullmatch(text) or not 0 < Decimal(text) <= 100:
            raise ValueError('Give the percentage as a decimal string above 0 and at most 100, e.g. "10".')
    elif not isinstance(text, str) or not _AMOUNT.fullmatch(text) or Decimal(text) <= 0:
        raise ValueError('Give the amount off each ticket as a decimal string above 0, e.g. "5.00".')
    return {kind: text}


class CodeContext(NamedTuple):
    """What a code's rules need beyond its fields: the event's currency and tickets."""

    currency: str
    ticket_ids: Collection[str]


def _tickets_known(values: dict[str, Any], report: Report, context: CodeContext) -> None:
    for index, ticket_id in enumerate(values["ticket_ids"] or ()):
        if ticket_id not in context.ticket_ids:
            report(f"ticket_ids[{index}]", "No such ticket in this event.")


def _amount_in_currency(values: dict[str, Any], report: Report, context: CodeContext) -> None:
    discount = values["discount"]
    if discount and "amount" in discount and not fits_currency(Decimal(discount["amount"]), context.currency):
        report("discount", currency_decimals_message(context.currency))


def _window(values: dict[str, Any], report: Report, context: Any) -> None:
    start, end = values["valid_from"], values["valid_until"]
    if start and end and datetime.fromisoformat(end) <= datetime.fromisoformat(start):
        report("valid_until", "The code must stop being valid after it starts.")


def _does_something(values: dict[str, Any], report: Report, context: Any) -> None:
    if not values["unlocks_hidden"] and not values["discount"]:
        report("discount", "A code unlocks hidden tickets, gives a discount, or both: choose at least one.")


_TICKET_IDS = ListOf(
    Matching("Give a ticket's id.", min_len=1, max_len=64),
    max_items=100,
    duplicate="This ticket is listed twice.",
    nullable=True,
    keep_null=True,
    description="The tickets it applies to; null: all of the event's",
)
_DISCOUNT = Parsed(
    _discount,
    {
        "type": "object",
        "description": 'null, {"percent": "10"} (above 0, at most 100) or {"amount": "5.00"} off each ticket',
        "properties": {"percent": {"type": "string"}, "amount": {"type": "string"}},
        "maxProperties": 1,
    },
    nullable=True,
)
_TERMS: dict[str, Field] = {
    "ticket_ids": _TICKET_IDS,
    "unlocks_hidden": Flag(),
    "discount": _DISCOUNT,
    "max_uses": Integer(1, MAX_USES, nullable=True, description="null: unlimited"),
    "valid_from": instant_field(nullable=True),
    "valid_until": instant_field(nullable=True),
}
_DEFAULTS: dict[str, Any] = {
    "ticket_ids": None,
    "unlocks_hidden": False,
    "discount": None,
    "max_uses": None,
    "valid_from": None,
    "valid_until": None,
}
_RULES = (
    Rule(("ticket_ids",), _tickets_known, needs_context=True),
    Rule(("discount",), _amount_in_currency, needs_context=True),
    Rule(("valid_from", "valid_until"), _window),
    Rule(("unlocks_hidden", "discount"), _does_something),
)


def code_text(value: Any) -> str:
    if not isinstance(value, str) or not CODE_RE.fullmatch(normalize(value)):
        raise ValueError("A code is 3 to 40 letters, digits, - or _, starting with a letter or digit.")
    return normalize(value)


_CODE = Parsed(
    code_text,
    {
        "type": "string",
        "pattern": CODE_PATTERN,
        "description": "3-40 of A-Z 0-9 - _, starting with a letter or digit (case does not matter)",
    },
)
CODE_INPUT = Object(
    {"code": _CODE, **_TERMS},
    required=("code",),
    defaults=_DEFAULTS,
    rules=_RULES,
    unknown=lambda key: (
        "Unknown field; send code, ticket_ids, unlocks_hidden, discount, max_uses, "
        "valid_from and valid_until."
    ),
    examples=[{"code": "EARLY10", "discount": {"percent": "10"}, "max_uses": 100}],
)
CODE_CHANGES = CODE_INPUT.partial(examples=[{"max_uses": 200}])


def _prefix(value: Any) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9_-]{0,19})?", value.strip()):
        raise ValueError(
            f"A prefix is up to {MAX_PREFIX} letters, digits, - or _, starting with a letter or digit."
        )
    return normalize(value)


BULK_INPUT = Object(
    {
        "prefix": Parsed(_prefix, {"type": "string", "pattern": "^([A-Za-z0-9][A-Za-z0-9_-]{0,19})?$"}),
        "count": Integer(1, MAX_BULK, description=f"How many codes, at most {MAX_BULK}"),
        **_TERMS,
    },
    required=("count",),
    defaults={"prefix": "", **_DEFAULTS},
    rules=_RULES,
    unknown=lambda key: "Unknown field; send prefix, count and the codes' terms.",
    examples=[{"prefix": "VIP-", "count": 20, "unlocks_hidden": True, "max_uses": 1}],
)

CODE = sent(
    "Code",
    {
        "id": Text(min_len=1, source="code_id"),
        "code": Text(min_len=3),
        "ticket_ids": ListOf(Text(min_len=1), nullable=True),
        "unlocks_hidden": Flag(),
        "discount": Schemaless({"type": ["object", "null"]}),
        "max_uses": Integer(minimum=1, nullable=True),
        "uses": Integer(minimum=0),
        "valid_from": Text(fmt="date-time", nullable=True, null_value=None),
        "valid_until": Text(fmt="date-time", nullable=True, null_value=None),
        "created_at": Text(fmt="date-time"),
    },
)


def full_terms(stored: Mapping[str, Any], changes: Mapping[str, Any], context: CodeContext) -> dict[str, Any]:
    """A changed code checked whole (its stored fields with the changes): 422 per field."""
    return CODE_INPUT.validate({**stored, **changes}, context)


def random_code(prefix: str) -> str:
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(BULK_RANDOM))


class CodeTerms(NamedTuple):
    """A code as an order uses it."""

    code_id: str
    code: str
    ticket_ids: tuple[str, ...] | None
    unlocks_hidden: bool
    discount: Mapping[str, str] | None
    max_uses: int | None
    uses: int
    valid_from: str | None
    valid_until: str | None
    deleted: bool = False

    def covers(self, ticket_id: str) -> bool:
        return self.ticket_ids is None or ticket_id in self.ticket_ids

    def unlocks(self, ticket_id: str) -> bool:
        return self.unlocks_hidden and self.covers(ticket_id)


def invalid_code(message: str) -> ValidationError:
    error = ValidationError({"code": message}, message)
    error.code = INVALID_CODE
    return error


def check_usable(terms: CodeTerms, moment: datetime) -> CodeTerms:
    """The code if an order may use it now; else 422 ``invalid_code`` saying why."""
    if terms.deleted:
        raise invalid_code(UNKNOWN_CODE)
    if terms.valid_from and moment < datetime.fromisoformat(terms.valid_from):
        raise invalid_code("This code is not valid yet.")
    if terms.valid_until and moment >= datetime.fromisoformat(terms.valid_until):
        raise invalid_code("This code has expired.")
    if terms.max_uses is not None and terms.uses >= terms.max_uses:
        raise invalid_code("This code has been used up.")
    return terms


def discounted(
    price: Decimal, ticket_type: str, ticket_id: str, terms: CodeTerms | None, currency: str
) -> Decimal:
    """What one ticket costs with the code (paid tickets it covers only; never below 0)."""
    if terms is None or not terms.discount or ticket_type != "paid" or not terms.covers(ticket_id):
        return price
    step = Decimal(1).scaleb(-decimals(currency))
    if "percent" in terms.discount:
        off = price * Decimal(terms.discount["percent"]) / 100
    else:
        off = Decimal(terms.discount["amount"])
    return max(Decimal(0), price - off).quantize(step, rounding=ROUND_HALF_UP)
