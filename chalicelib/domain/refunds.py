"""Refunds of an order: what may be refunded, how much is left, and what the order becomes.

An order's ``refunded_total`` counts every refund that is not failed or canceled (pending ones
included): it is what a new refund is measured against, so two refunds can never give back more
than was paid. The order's status follows the refunds that succeeded: all of the total back ->
``refunded`` (its seats go back on sale), some -> ``partially_refunded``. Pure: no boto3, no
PynamoDB, no HTTP.
"""

import re
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from decimal import Decimal
from types import MappingProxyType
from typing import Any, NamedTuple

from chalicelib.domain.errors import ConflictError, ValidationError
from chalicelib.domain.fields import Choice, Matching, Parsed, Text
from chalicelib.domain.money import decimals
from chalicelib.domain.objects import ListOf, Object, sent
from chalicelib.domain.orders import COMPLETED, PARTIALLY_REFUNDED, REFUNDED

PENDING = "pending"
SUCCEEDED = "succeeded"
FAILED = "failed"
CANCELED = "canceled"
STATUSES = (PENDING, SUCCEEDED, FAILED, CANCELED)
# A refund in one of these gave nothing back: its amount is free to refund again.
GIVEN_BACK = frozenset({FAILED, CANCELED})
COUNTING = frozenset({PENDING, SUCCEEDED})
REFUNDABLE = (COMPLETED, PARTIALLY_REFUNDED)
MAX_REASON = 500
# A refund that names attendees revokes them and gives their seats back in its own transaction
# (at most 100 items, with the order's tickets, the order, its audit record and the version).
MAX_ATTENDEES = 40
MAX_DIGITS = 12
AMOUNT_PATTERN = rf"^[0-9]{{1,{MAX_DIGITS}}}(\.[0-9]{{1,3}})?$"
_AMOUNT = re.compile(AMOUNT_PATTERN)
NO_SUCH_ATTENDEE = "No such attendee of this order."
ALREADY_REFUNDED = "This attendee was already refunded."


def _amount(value: Any) -> Decimal:
    if not isinstance(value, str) or not _AMOUNT.fullmatch(value):
        raise ValueError('Give the amount as a decimal string such as "12.50".')
    return Decimal(value)


REFUND_REQUEST = Object(
    {
        "amount": Parsed(
            _amount,
            {
                "type": "string",
                "pattern": AMOUNT_PATTERN,
                "description": 'Decimal string such as "12.50", in the order\'s currency (no more decimals '
                "than it has); left out: everything that is left",
            },
            nullable=True,
        ),
        "attendee_ids": ListOf(
            Matching("Give an attendee's id.", min_len=1, max_len=64),
            max_items=MAX_ATTENDEES,
            duplicate="This attendee is listed twice.",
            nullable=True,
        ),
        "reason": Text(MAX_REASON, nullable=True, null_value=None, measure_stripped=False),
    },
    unknown=lambda key: "Unknown field; send amount, attendee_ids and reason.",
    examples=[{"amount": "12.50", "reason": "Could not attend"}, {}],
)

_MONEY_OUT = Text(pattern=r"^[0-9]+(\.[0-9]{1,3})?$", description="Decimal string in the currency's decimals")
REFUND = sent(
    "Refund",
    {
        "id": Text(min_len=1),
        "amount": _MONEY_OUT,
        "status": Choice(STATUSES),
        "attendee_ids": ListOf(Text(min_len=1)),
    },
)
REFUND_RECORD = sent(
    None,
    {
        "id": Text(min_len=1),
        "amount": _MONEY_OUT,
        "status": Choice(STATUSES),
        "reason": Text(nullable=True, null_value=None),
        "attendee_ids": ListOf(Text(min_len=1)),
        "created_at": Text(fmt="date-time"),
    },
)
REFUNDED_TOTAL = _MONEY_OUT


class Refund(NamedTuple):
    """One refund as the order keeps it (money as exact Decimals)."""

    refund_id: str
    amount: Decimal
    status: str
    reason: str | None
    attendee_ids: tuple[str, ...]
    created_at: str
    created_by: str | None
    provider_refund_id: str | None = None

    @property
    def counts(self) -> bool:
        """Whether its amount is (or may still be) given back."""
        return self.status not in GIVEN_BACK

    def to_record(self) -> dict[str, Any]:
        return {
            "id": self.refund_id,
            "amount": str(self.amount),
            "status": self.status,
            "reason": self.reason,
            "attendee_ids": list(self.attendee_ids),
            "provider_refund_id": self.provider_refund_id,
            "created_at": self.created_at,
            "created_by": self.created_by,
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> "Refund":
        return cls(
            refund_id=str(record["id"]),
            amount=Decimal(str(record["amount"])),
            status=str(record["status"]),
            reason=record.get("reason"),
            attendee_ids=tuple(record.get("attendee_ids") or ()),
            created_at=str(record["created_at"]),
            created_by=record.get("created_by"),
            provider_refund_id=record.get("provider_refund_id"),
        )


def in_currency(amount: Decimal, currency: str) -> Decimal:
    """``amount`` with exactly the currency's decimals (12.5 EUR -> 12.50, 1000.00 JPY -> 1000)."""
    return amount.quantize(Decimal(1).scaleb(-decimals(currency)))


def money_text(amount: Decimal, currency: str) -> str:
    return format(in_currency(amount, currency), "f")


def refunded_sum(refunds: Iterable[Refund], currency: str) -> Decimal:
    return in_currency(sum((r.amount for r in refunds if r.counts), Decimal(0)), currency)


def named_attendees(refunds: Iterable[Refund], statuses: Collection[str] = (SUCCEEDED,)) -> set[str]:
    """The attendees named by the refunds in ``statuses``."""
    return {attendee for r in refunds if r.status in statuses for attendee in r.attendee_ids}


def plan_amount(
    *,
    status: str,
    total: Decimal,
    refunded: Decimal,
    currency: str,
    amount: Decimal | None,
    attendee_ids: Sequence[str],
    prices: Mapping[str, Decimal],
    refunded_attendees: Collection[str] = (),
) -> Decimal:
    """How much this refund gives back: ``amount``; none given, what the named attendees' seats
    cost (all that is left at most), or all that is left when it names nobody.

    ``prices`` are the order's attendees (id -> what the seat cost); ``refunded_attendees`` those
    an earlier refund (that still counts) named. 409 ``order_not_refundable`` unless the order is
    completed or partially refunded (refunded in full: 422, nothing is left); 422 for an amount
    that is not above 0 (0 is allowed for attendees whose seats were free), has more decimals
    than the currency, or is more than is left, and for attendee ids that are not the order's or
    were refunded already."""
    if status == REFUNDED:
        raise ValidationError({"amount": "Nothing is left to refund: the order was refunded in full."})
    if status not in REFUNDABLE:
        raise ConflictError(
            f"Only a completed or partially refunded order can be refunded; this one is {status}.",
            {"status": status},
            code="order_not_refundable",
        )
    problems: dict[str, str] = {}
    for index, attendee_id in enumerate(attendee_ids):
        if attendee_id not in prices:
            problems[f"attendee_ids[{index}]"] = NO_SUCH_ATTENDEE
        elif attendee_id in refunded_attendees:
            problems[f"attendee_ids[{index}]"] = ALREADY_REFUNDED
    left = in_currency(total - refunded, currency)
    seats_cost = sum((prices.get(a, Decimal(0)) for a in attendee_ids), Decimal(0))
    given = amount is not None
    if amount is None:
        amount = min(seats_cost, left) if attendee_ids else left
    if not given and attendee_ids and seats_cost == 0:
        pass  # free seats: only they go back
    elif given and amount <= 0:
        problems["amount"] = "Give an amount above 0."
    elif amount != in_currency(amount, currency):
        places = decimals(currency)
        problems["amount"] = f"{currency} amounts have {places} decimal{'s' if places != 1 else ''} at most."
    elif left <= 0 or amount <= 0:
        problems["amount"] = "Nothing is left to refund."
    elif amount > left:
        problems["amount"] = f"At most {money_text(left, currency)} {currency} is left to refund."
    if problems:
        raise ValidationError(problems)
    return in_currency(amount, currency)


def status_after(total: Decimal, refunds: Iterable[Refund], seats: Collection[str] = ()) -> str:
    """The order's status once these refunds are what they are: the succeeded ones decide. All of
    the total back, or every one of its ``seats`` (attendee ids) refunded -> refunded."""
    succeeded = [r for r in refunds if r.status == SUCCEEDED]
    back = sum((r.amount for r in succeeded), Decimal(0))
    if (succeeded and total > 0 and back >= total) or (seats and set(seats) <= named_attendees(succeeded)):
        return REFUNDED
    return PARTIALLY_REFUNDED if back > 0 or named_attendees(succeeded) else COMPLETED


# A seat's ticket and the slot of its ticket it was taken from.
SeatKey = tuple[str, int]


class Release(NamedTuple):
    """What a change of an order's refunds gives back: attendees revoked, seats back on sale."""

    revoked: tuple[str, ...] = ()
    # {(ticket_id, slot): seats}
    seats: Mapping[SeatKey, int] = MappingProxyType({})


def release_of(
    seat_tickets: Mapping[str, SeatKey],
    before: Iterable[Refund],
    after: Iterable[Refund],
    status_before: str,
    status_after: str,
) -> Release:
    """Attendees named by refunds that have just succeeded are revoked and their seats go back;
    an order that has just become refunded gives back every seat not given back before.
    ``seat_tickets``: the order's attendee ids -> their ticket ids and slots (domain.stock)."""
    if status_before == REFUNDED:
        return Release()
    earlier = named_attendees(before)
    revoked = sorted(named_attendees(after) - earlier)
    freed = [a for a in seat_tickets if a not in earlier] if status_after == REFUNDED else revoked
    return Release(tuple(revoked), dict(Counter(seat_tickets[a] for a in freed if a in seat_tickets)))


def check_update(status: str) -> None:
    if status not in STATUSES:
        raise ValueError(f"unknown refund status {status!r}")


def refund_notification(event_name: str, buyer_name: str, amount: Decimal, currency: str) -> tuple[str, str]:
    """(title, plain-text message) of the organizers' in-app notification."""
    return (
        f"Refund for {event_name}",
        f"{money_text(amount, currency)} {currency} was refunded to {buyer_name}.",
    )
