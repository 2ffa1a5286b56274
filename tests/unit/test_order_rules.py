"""The order rules on their own: parsing, pricing, limits, windows, stock, status changes, money."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from chalicelib.domain import order_transitions as transitions
from chalicelib.domain import orders as rules
from chalicelib.domain.errors import BadRequestError, ConflictError, ForbiddenError, ValidationError
from chalicelib.domain.payments import ManualPayment, organizer_confirmation

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
EVENT_ENDS = "2027-05-03T18:00:00+02:00"


def offer(**fields) -> rules.TicketOffer:
    values = {
        "ticket_id": "t1",
        "name": "Standard",
        "type": "paid",
        "price": Decimal("12.50"),
        "quantity": 10,
        "sold": 0,
        "reserved": 0,
        "min_order": 1,
        "max_order": 10,
        "hidden": False,
        "sales_starts_at": None,
        "sales_ends_at": None,
        **fields,
    }
    return rules.TicketOffer(**values)


def price(items, *offers, expired=None, moment=NOW):
    return rules.price_order(items, {o.ticket_id: o for o in offers}, EVENT_ENDS, moment, expired)


def item(quantity=1, ticket_id="t1", amount=None) -> rules.RequestedItem:
    return rules.RequestedItem(ticket_id, quantity, amount)


# --- parsing ------------------------------------------------------------------------------


def test_parse_a_good_request():
    parsed = rules.parse_order_request(
        {"items": [{"ticket_id": "a", "quantity": 2}, {"ticket_id": "b", "quantity": 1, "amount": "7.5"}]}
    )

    assert parsed == [item(2, "a"), item(1, "b", Decimal("7.50"))]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "items"),
        ({"items": None}, "items"),
        ({"items": [{"ticket_id": "a", "quantity": 1}] * (rules.MAX_LINES + 1)}, "items"),
        ({"items": ["a"]}, "items[0]"),
        ({"items": [{"ticket_id": "", "quantity": 1}]}, "items[0].ticket_id"),
        ({"items": [{"ticket_id": 7, "quantity": 1}]}, "items[0].ticket_id"),
        ({"items": [{"ticket_id": "a", "quantity": -1}]}, "items[0].quantity"),
        ({"items": [{"ticket_id": "a", "quantity": 10**7}]}, "items[0].quantity"),
        ({"items": [{"ticket_id": "a", "quantity": 1, "amount": 1.5}]}, "items[0].amount"),
        ({"items": [{"ticket_id": "a", "quantity": 1, "amount": "NaN"}]}, "items[0].amount"),
        ({"items": [{"ticket_id": "a", "quantity": 1, "amount": "1e3"}]}, "items[0].amount"),
        ({"items": [{"ticket_id": "a", "quantity": 1, "amount": Decimal("Infinity")}]}, "items[0].amount"),
        ({"items": [{"ticket_id": "a", "quantity": 1}], "extra": 1}, "extra"),
    ],
)
def test_parse_refuses_bad_requests_with_the_field(payload, field):
    with pytest.raises(ValidationError) as error:
        rules.parse_order_request(payload)
    assert field in error.value.details


def test_every_bad_item_is_reported_at_once():
    with pytest.raises(ValidationError) as error:
        rules.parse_order_request({"items": [{"ticket_id": "a", "quantity": 0}, {"quantity": 1}]})
    assert set(error.value.details) == {"items[0].quantity", "items[1].ticket_id"}


@pytest.mark.parametrize(
    ("value", "code"),
    [(None, "idempotency_key_required"), ("", "idempotency_key_required"), ("a b", "bad_idempotency_key"),
     ("é", "bad_idempotency_key"), ("k" * 256, "bad_idempotency_key")],
)  # fmt: skip
def test_idempotency_keys_must_be_given_and_sane(value, code):
    with pytest.raises(BadRequestError) as error:
        rules.parse_idempotency_key(value)
    assert error.value.code == code


def test_an_idempotency_key_is_trimmed():
    assert rules.parse_idempotency_key("  5f1c-uuid ") == "5f1c-uuid"


def test_the_fingerprint_ignores_item_order_but_not_content_or_event():
    a, b = item(1, "a"), item(2, "b")

    assert rules.request_fingerprint("e", [a, b]) == rules.request_fingerprint("e", [b, a])
    assert rules.request_fingerprint("e", [a, b]) != rules.request_fingerprint("e", [a, item(3, "b")])
    assert rules.request_fingerprint("e", [a]) != rules.request_fingerprint("f", [a])
    assert rules.request_fingerprint("e", [item(1, "a", Decimal("5.00"))]) != rules.request_fingerprint(
        "e", [a]
    )


# --- pricing and the rules ----------------------------------------------------------------


def test_paid_lines_multiply_and_the_order_is_pending():
    priced = price([item(3)], offer())

    assert priced.total == Decimal("37.50")
    assert str(priced.total) == "37.50"
    assert priced.status == rules.PENDING


def test_a_free_order_is_completed():
    priced = price([item(2)], offer(type="free", price=Decimal("0.00")))

    assert (priced.total, priced.status) == (Decimal("0.00"), rules.COMPLETED)


def test_a_donation_uses_the_given_amount_per_ticket():
    priced = price([item(2, amount=Decimal("20.00"))], offer(type="donation", price=Decimal("5.00")))

    assert (priced.total, priced.status) == (Decimal("40.00"), rules.PENDING)


def test_a_zero_donation_is_refused_even_where_the_stored_minimum_is_zero():
    with pytest.raises(ValidationError) as raised:
        price([item(1, amount=Decimal("0.00"))], offer(type="donation", price=Decimal("0.00")))

    assert raised.value.details == {"items[0].amount": "The minimum donation for this ticket is 0.01 USD."}


@pytest.mark.parametrize(
    ("requested", "ticket", "field"),
    [
        (item(amount=Decimal("4.99")), offer(type="donation", price=Decimal("5.00")), "items[0].amount"),
        (item(), offer(type="donation", price=Decimal("5.00")), "items[0].amount"),
        (item(amount=Decimal("1.00")), offer(), "items[0].amount"),
        (item(1), offer(min_order=2), "items[0].quantity"),
        (item(6), offer(max_order=5), "items[0].quantity"),
        (item(1), offer(hidden=True), "items[0].ticket_id"),
        (item(1, "nope"), offer(), "items[0].ticket_id"),
    ],
)
def test_invalid_lines_are_422(requested, ticket, field):
    with pytest.raises(ValidationError) as error:
        price([requested], ticket)
    assert list(error.value.details) == [field]


@pytest.mark.parametrize(
    ("starts", "ends"),
    [(NOW + timedelta(seconds=1), None), (None, NOW), (NOW - timedelta(days=2), NOW - timedelta(days=1))],
)
def test_outside_the_window_is_sales_closed(starts, ends):
    ticket = offer(
        sales_starts_at=starts.isoformat() if starts else None,
        sales_ends_at=ends.isoformat() if ends else None,
    )

    with pytest.raises(ConflictError) as error:
        price([item()], ticket)

    assert error.value.code == "sales_closed"


def test_sales_end_with_the_event_when_no_end_is_set():
    with pytest.raises(ConflictError) as error:
        price([item()], offer(), moment=datetime(2027, 5, 3, 16, 0, tzinfo=UTC))
    assert error.value.code == "sales_closed"


def test_validation_comes_before_sales_closed_before_sold_out():
    closed_and_short = offer(quantity=1, sales_starts_at=(NOW + timedelta(days=1)).isoformat())

    with pytest.raises(ValidationError):
        price([item(5, amount=Decimal("1.00"))], closed_and_short)
    with pytest.raises(ConflictError) as error:
        price([item(5)], closed_and_short)
    assert error.value.code == "sales_closed"


def test_sold_out_reports_what_remains_per_ticket():
    a, b = offer(ticket_id="a", quantity=5, sold=2, reserved=2), offer(ticket_id="b", quantity=5)

    with pytest.raises(ConflictError) as error:
        price([item(2, "a"), item(5, "b")], a, b)

    assert error.value.code == "sold_out"
    assert error.value.details == {"remaining": {"a": 1}}


def test_expired_holds_count_as_available():
    ticket = offer(quantity=5, sold=1, reserved=4)

    assert price([item(3)], ticket, expired={"t1": 3}).total == Decimal("37.50")
    with pytest.raises(ConflictError):
        price([item(3)], ticket, expired={"t1": 2})


@pytest.mark.parametrize(
    ("quantity", "sold", "reserved", "expired", "expected"),
    [(10, 0, 0, 0, 10), (10, 3, 4, 0, 3), (10, 3, 4, 4, 7), (10, 6, 6, 0, 0)],
)
def test_available(quantity, sold, reserved, expired, expected):
    assert rules.available(quantity, sold, reserved, expired) == expected


# --- counters -----------------------------------------------------------------------------


def test_what_each_write_does_to_the_counters():
    lines = [
        rules.OrderLine("a", "A", "paid", 2, Decimal("1.00")),
        rules.OrderLine("b", "B", "free", 1, Decimal(0)),
    ]

    assert rules.taking(lines, rules.PENDING) == {
        "a": rules.CounterChange(reserved=2),
        "b": rules.CounterChange(reserved=1),
    }
    assert rules.taking(lines, rules.COMPLETED)["a"] == rules.CounterChange(sold=2)
    assert rules.releasing(lines, rules.PENDING)["a"] == rules.CounterChange(reserved=-2)
    assert rules.releasing(lines, rules.COMPLETED)["a"] == rules.CounterChange(sold=-2)
    assert rules.settling(lines)["a"] == rules.CounterChange(sold=2, reserved=-2)
    assert rules.settling(lines)["a"].held == 0


def test_the_write_condition_admits_up_to_the_quantity_and_not_one_more():
    stock = rules.Stock(quantity=5, sold=2, reserved=1)

    assert stock.admits(rules.CounterChange(reserved=2))
    assert not stock.admits(rules.CounterChange(reserved=3))
    assert stock.admits(rules.CounterChange(reserved=-1))
    assert rules.held_limit(5, 2) == 3


def test_line_records_round_trip_with_exact_money():
    line = rules.OrderLine("a", "A", "donation", 3, Decimal("10.10"))

    again = rules.OrderLine.from_record(line.to_record())

    assert again == line
    assert again.subtotal == Decimal("30.30")


# --- time and status ----------------------------------------------------------------------


def test_holds_last_15_minutes_by_default_and_stay_within_bounds():
    assert rules.hold_expiry(NOW, None) == NOW + timedelta(minutes=15)
    assert rules.hold_expiry(NOW, 30) == NOW + timedelta(minutes=30)
    assert rules.hold_expiry(NOW, -5) == NOW + timedelta(minutes=1)
    assert rules.hold_expiry(NOW, 10**9) == NOW + timedelta(minutes=rules.MAX_HOLD_MINUTES)


def test_expiry_is_inclusive_and_only_for_pending():
    at = NOW.isoformat()

    assert rules.is_expired(rules.PENDING, at, NOW)
    assert not rules.is_expired(rules.PENDING, at, NOW - timedelta(milliseconds=1))
    assert not rules.is_expired(rules.COMPLETED, at, NOW + timedelta(days=1))
    assert not rules.is_expired(rules.PENDING, None, NOW)


@pytest.mark.parametrize(
    ("status", "buyer", "organizer", "outcome"),
    [
        (rules.PENDING, True, False, None),
        (rules.PENDING, False, True, None),
        (rules.COMPLETED, True, False, "order_completed"),
        (rules.COMPLETED, False, True, None),
        (rules.CANCELLED, True, True, "order_closed"),
        (rules.EXPIRED, False, True, "order_closed"),
        (rules.PENDING, False, False, "forbidden"),
    ],
)
def test_who_may_cancel_what(status, buyer, organizer, outcome):
    if outcome is None:
        transitions.check_cancel(status, buyer, organizer)
        return
    with pytest.raises((ConflictError, ForbiddenError)) as error:
        transitions.check_cancel(status, buyer, organizer)
    assert error.value.code == outcome


def test_only_a_live_pending_order_can_be_paid():
    later = (NOW + timedelta(minutes=1)).isoformat()

    transitions.check_mark_paid(rules.PENDING, later, NOW)
    with pytest.raises(ConflictError) as expired:
        transitions.check_mark_paid(rules.PENDING, NOW.isoformat(), NOW)
    with pytest.raises(ConflictError) as done:
        transitions.check_mark_paid(rules.COMPLETED, None, NOW)

    assert (expired.value.code, done.value.code) == ("order_expired", "order_not_pending")


# --- payments -----------------------------------------------------------------------------


def test_the_manual_provider_is_confirmed_by_the_organizer():
    confirmation = organizer_confirmation("manual", "  transfer 42 ", "org-1")

    assert (confirmation.provider, confirmation.reference, confirmation.confirmed_by) == (
        "manual",
        "transfer 42",
        "org-1",
    )
    assert organizer_confirmation("manual", None, "org-1").reference is None
    assert "37.50 EUR" in ManualPayment().instructions(Decimal("37.50"), "EUR")


@pytest.mark.parametrize("reference", [42, "x" * 201, ["a"]])
def test_a_bad_reference_is_422(reference):
    with pytest.raises(ValidationError):
        organizer_confirmation("manual", reference, "org-1")


def test_an_order_holds_at_most_five_hundred_seats_whatever_the_tickets_allow():
    big = offer(quantity=1000, max_order=1000)
    other = offer(ticket_id="t2", quantity=1000, max_order=1000)
    assert sum(line.quantity for line in price([item(300), item(200, "t2")], big, other).lines) == 500
    with pytest.raises(ValidationError) as error:
        price([item(300), item(201, "t2")], big, other)
    assert error.value.details == {"items": "An order holds at most 500 tickets; place several orders."}
