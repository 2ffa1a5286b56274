"""Refund rules: how much a refund may give back, what the order becomes, the buyer's notice."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from chalicelib.domain import order_transitions as transitions
from chalicelib.domain import orders as order_rules
from chalicelib.domain import refunds as rules
from chalicelib.domain.errors import ConflictError, ValidationError


def plan(amount=None, status=order_rules.COMPLETED, total="25.00", refunded="0", currency="EUR", ids=()):
    return rules.plan_amount(
        status=status,
        total=Decimal(total),
        refunded=Decimal(refunded),
        currency=currency,
        amount=None if amount is None else Decimal(amount),
        attendee_ids=ids,
        prices={},
    )


def test_no_amount_is_all_that_is_left():
    assert plan(refunded="10.00") == Decimal("15.00")
    assert plan(total="1000.00", currency="JPY") == Decimal("1000")


@pytest.mark.parametrize(
    ("amount", "refunded", "currency", "message"),
    [
        ("0", "0", "EUR", "Give an amount above 0."),
        ("25.01", "0", "EUR", "At most 25.00 EUR is left to refund."),
        ("5.01", "20.00", "EUR", "At most 5.00 EUR is left to refund."),
        ("1.5", "0", "JPY", "JPY amounts have 0 decimals at most."),
        ("1.005", "0", "EUR", "EUR amounts have 2 decimals at most."),
        ("1", "25.00", "EUR", "Nothing is left to refund."),
    ],
)
def test_amounts_refused(amount, refunded, currency, message):
    with pytest.raises(ValidationError) as error:
        plan(amount, refunded=refunded, currency=currency)
    assert error.value.details == {"amount": message}


def test_a_yen_amount_written_with_zero_decimals_is_whole():
    assert plan("300.0", total="1000.00", currency="JPY") == Decimal("300")


@pytest.mark.parametrize("status", [order_rules.PENDING, order_rules.CANCELLED, order_rules.EXPIRED])
def test_unpaid_orders_are_not_refundable(status):
    with pytest.raises(ConflictError) as error:
        plan(status=status)
    assert error.value.code == "order_not_refundable"


def test_every_unknown_attendee_is_named():
    with pytest.raises(ValidationError) as error:
        plan(ids=("a", "b"))
    assert set(error.value.details) == {"attendee_ids[0]", "attendee_ids[1]"}


def refund(amount, status):
    return rules.Refund("r", Decimal(amount), status, None, (), "2026-12-01T00:00:00+00:00", None)


def test_the_succeeded_refunds_decide_the_status_and_failed_ones_count_for_nothing():
    total = Decimal("25.00")
    assert rules.status_after(total, []) == order_rules.COMPLETED
    assert rules.status_after(total, [refund("25.00", rules.PENDING)]) == order_rules.COMPLETED
    assert rules.status_after(total, [refund("5.00", rules.SUCCEEDED)]) == order_rules.PARTIALLY_REFUNDED
    both = [refund("5.00", rules.SUCCEEDED), refund("20.00", rules.SUCCEEDED)]
    assert rules.status_after(total, both) == order_rules.REFUNDED
    failed = [refund("20.00", rules.FAILED), refund("5.00", rules.PENDING)]
    assert rules.refunded_sum(failed, "EUR") == Decimal("5.00")


def seat_refund(status, *attendees, amount="12.50"):
    return rules.Refund("r", Decimal(amount), status, None, attendees, "2026-12-01T00:00:00+00:00", None)


PRICES = {"o-1": Decimal("12.50"), "o-2": Decimal("12.50"), "o-3": Decimal("0")}


def test_attendees_cost_what_their_seats_cost_and_free_seats_nothing():
    named = rules.plan_amount(
        status=order_rules.COMPLETED,
        total=Decimal("25.00"),
        refunded=Decimal(0),
        currency="EUR",
        amount=None,
        attendee_ids=("o-1", "o-2"),
        prices=PRICES,
    )
    free = rules.plan_amount(
        status=order_rules.COMPLETED,
        total=Decimal("25.00"),
        refunded=Decimal(0),
        currency="EUR",
        amount=None,
        attendee_ids=("o-3",),
        prices=PRICES,
    )
    capped = rules.plan_amount(
        status=order_rules.COMPLETED,
        total=Decimal("25.00"),
        refunded=Decimal("20.00"),
        currency="EUR",
        amount=None,
        attendee_ids=("o-1",),
        prices=PRICES,
    )
    assert (named, free, capped) == (Decimal("25.00"), Decimal("0.00"), Decimal("5.00"))


def test_an_attendee_a_counting_refund_named_is_refused():
    with pytest.raises(ValidationError) as error:
        rules.plan_amount(
            status=order_rules.PARTIALLY_REFUNDED,
            total=Decimal("25.00"),
            refunded=Decimal("12.50"),
            currency="EUR",
            amount=None,
            attendee_ids=("o-1",),
            prices=PRICES,
            refunded_attendees={"o-1"},
        )
    assert error.value.details == {"attendee_ids[0]": rules.ALREADY_REFUNDED}


def test_every_seat_refunded_is_a_refunded_order_whatever_the_amount():
    seats = {"o-1", "o-2"}
    one = [seat_refund(rules.SUCCEEDED, "o-1", amount="1.00")]
    both = [*one, seat_refund(rules.SUCCEEDED, "o-2", amount="1.00")]
    assert rules.status_after(Decimal("25.00"), one, seats) == order_rules.PARTIALLY_REFUNDED
    assert rules.status_after(Decimal("25.00"), both, seats) == order_rules.REFUNDED
    assert rules.status_after(Decimal("0"), [seat_refund(rules.SUCCEEDED, "o-1", amount="0")], seats) == (
        order_rules.PARTIALLY_REFUNDED
    )


def test_release_gives_back_newly_refunded_seats_and_the_rest_once_refunded_in_full():
    tickets = {"o-1": "A", "o-2": "A", "o-3": "B"}
    first = [seat_refund(rules.SUCCEEDED, "o-1")]
    pending = [seat_refund(rules.PENDING, "o-2")]
    assert rules.release_of(tickets, [], first, order_rules.COMPLETED, order_rules.PARTIALLY_REFUNDED) == (
        rules.Release(("o-1",), {"A": 1})
    )
    assert (
        rules.release_of(tickets, [], pending, order_rules.COMPLETED, order_rules.COMPLETED)
        == rules.Release()
    )
    whole = [*first, seat_refund(rules.SUCCEEDED, amount="12.50")]
    assert rules.release_of(tickets, first, whole, order_rules.PARTIALLY_REFUNDED, order_rules.REFUNDED) == (
        rules.Release((), {"A": 1, "B": 1})
    )
    assert (
        rules.release_of(tickets, whole, whole, order_rules.REFUNDED, order_rules.REFUNDED) == rules.Release()
    )


def test_the_buyer_cancels_a_paid_order_only_before_the_deadline():
    now = datetime(2026, 12, 1, tzinfo=UTC)
    deadline = (now + timedelta(hours=1)).isoformat()
    transitions.check_cancel(order_rules.COMPLETED, True, False, deadline, now)
    with pytest.raises(ConflictError):
        transitions.check_cancel(order_rules.COMPLETED, True, False, deadline, now + timedelta(hours=1))
    with pytest.raises(ConflictError):
        transitions.check_cancel(order_rules.COMPLETED, True, False, None, now)
    with pytest.raises(ConflictError) as closed:
        transitions.check_cancel(order_rules.REFUNDED, False, True, deadline, now)
    assert closed.value.code == "order_closed"
    assert transitions.cancel_refunds(order_rules.PARTIALLY_REFUNDED, Decimal("1.00"))
    assert not transitions.cancel_refunds(order_rules.COMPLETED, Decimal("0.00"))
