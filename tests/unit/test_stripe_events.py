"""Reading Stripe events: which outcome each one has for an order, and the exact amount check."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from chalicelib.domain.checkout import charge_lines, session_expiry
from chalicelib.domain.errors import ConflictError, ValidationError
from chalicelib.domain.money import from_minor_units, to_minor_units
from chalicelib.domain.orders import OrderLine
from chalicelib.domain.payments import chosen_provider, organizer_confirmation, provider
from chalicelib.domain.stripe_events import Outcome, amount_matches, read_event


def _session_event(event_type: str, **session: object) -> dict:
    subject = {
        "id": "cs_test_1",
        "object": "checkout.session",
        "amount_total": 3000,
        "currency": "eur",
        "payment_status": "paid",
        "payment_intent": "pi_test_1",
        "metadata": {"order_id": "o1"},
        **session,
    }
    return {"id": "evt_1", "type": event_type, "data": {"object": subject}}


@pytest.mark.parametrize(
    ("event_type", "payment_status", "outcome"),
    [
        ("checkout.session.completed", "paid", Outcome.PAID),
        ("checkout.session.completed", "unpaid", Outcome.AWAITING_FUNDS),
        ("checkout.session.async_payment_succeeded", "paid", Outcome.PAID),
        ("checkout.session.async_payment_failed", "unpaid", Outcome.PAYMENT_FAILED),
        ("checkout.session.expired", "unpaid", Outcome.EXPIRED),
        ("customer.created", "paid", Outcome.IGNORED),
    ],
)
def test_each_session_event_has_its_outcome(event_type, payment_status, outcome):
    read = read_event(_session_event(event_type, payment_status=payment_status))

    assert read.outcome is outcome
    assert (read.event_id, read.order_id) == ("evt_1", "o1")
    if outcome is not Outcome.IGNORED:
        assert (read.session_id, read.payment_intent, read.amount, read.currency) == (
            "cs_test_1",
            "pi_test_1",
            3000,
            "EUR",
        )


@pytest.mark.parametrize(
    "event",
    [
        {},
        {"id": "evt_1", "type": "checkout.session.completed"},
        {"id": "evt_1", "type": "checkout.session.completed", "data": {"object": "text"}},
        _session_event("checkout.session.completed", metadata={}),  # not one of our orders
        _session_event("checkout.session.completed", metadata="x"),
    ],
)
def test_malformed_or_foreign_events_are_ignored_not_errors(event):
    assert read_event(event).outcome is Outcome.IGNORED


def test_the_order_comes_from_the_client_reference_when_metadata_is_missing():
    read = read_event(_session_event("checkout.session.completed", metadata=None, client_reference_id="o7"))

    assert (read.outcome, read.order_id) == (Outcome.PAID, "o7")


def test_refund_events_carry_the_refund_and_its_status():
    refund = {"id": "re_1", "object": "refund", "status": "succeeded", "metadata": {"order_id": "o1"}}
    failed = {"id": "re_2", "object": "refund", "status": "pending", "metadata": {"order_id": "o1"}}

    updated = read_event({"id": "evt_2", "type": "refund.updated", "data": {"object": refund}})
    lost = read_event({"id": "evt_3", "type": "refund.failed", "data": {"object": failed}})

    assert (updated.outcome, updated.refund_id, updated.refund_status) == (
        Outcome.REFUND_UPDATED,
        "re_1",
        "succeeded",
    )
    assert (lost.refund_id, lost.refund_status) == ("re_2", "failed")


@pytest.mark.parametrize(
    ("amount", "currency", "total", "order_currency", "matches"),
    [
        (3000, "eur", "30.00", "EUR", True),
        (2999, "eur", "30.00", "EUR", False),
        (3000, "usd", "30.00", "EUR", False),
        (1500, "jpy", "1500", "JPY", True),  # zero-decimal: no cents
        (150000, "jpy", "1500", "JPY", False),
        (1250, "kwd", "1.250", "KWD", True),  # three decimals
        (True, "eur", "0.01", "EUR", False),  # a JSON true is not an amount
    ],
)
def test_the_amount_must_be_the_orders_total_exactly(amount, currency, total, order_currency, matches):
    read = read_event(_session_event("checkout.session.completed", amount_total=amount, currency=currency))

    assert amount_matches(read, Decimal(total), order_currency) is matches


def test_minor_units_round_trip_per_currency():
    assert [to_minor_units(Decimal("12.50"), "EUR"), to_minor_units(Decimal("1000"), "jpy")] == [1250, 1000]
    assert [str(from_minor_units(1250, "EUR")), str(from_minor_units(1000, "JPY"))] == ["12.50", "1000"]
    assert str(from_minor_units(1250, "KWD")) == "1.250"
    with pytest.raises(ValueError):
        to_minor_units(Decimal("12.5"), "JPY")


def test_an_event_may_choose_stripe_only_while_the_platform_has_a_key():
    assert chosen_provider("manual", stripe_configured=False) == "manual"
    assert chosen_provider("stripe", stripe_configured=True) == "stripe"
    for name, configured in (("stripe", False), ("paypal", True), (None, True), (["stripe"], True)):
        with pytest.raises(ValidationError) as refused:
            chosen_provider(name, stripe_configured=configured)
        assert list(refused.value.details) == ["payment_provider"]


def test_stripe_orders_are_confirmed_by_stripe_not_by_hand():
    with pytest.raises(ConflictError):
        organizer_confirmation("stripe", None, "u1")
    assert provider("stripe").confirm("pi_test_1", "stripe").reference == "pi_test_1"


def test_the_charge_is_each_lines_unit_price_in_minor_units():
    lines = [
        OrderLine("t1", "Day pass", "paid", 2, Decimal("12.50")),
        OrderLine("t2", "Supporter", "donation", 1, Decimal("40.00")),
    ]

    charged = charge_lines(lines, "EUR")

    assert [(c.name, c.unit_amount, c.quantity) for c in charged] == [
        ("Day pass", 1250, 2),
        ("Supporter", 4000, 1),
    ]
    assert sum(c.unit_amount * c.quantity for c in charged) == to_minor_units(Decimal("65.00"), "EUR")


def test_the_session_ends_with_the_hold_within_stripes_bounds():
    now = datetime(2027, 5, 1, 9, 0, tzinfo=UTC)

    assert session_expiry(now + timedelta(minutes=45), now) == now + timedelta(minutes=45)
    assert session_expiry(now + timedelta(minutes=15), now) == now + timedelta(minutes=31)  # Stripe's minimum
    assert session_expiry(now + timedelta(days=3), now) == now + timedelta(hours=24)  # and maximum


def test_an_extended_session_ends_on_the_next_whole_minute_for_every_checkout_of_that_minute():
    early, late = datetime(2027, 5, 1, 9, 0, 2, tzinfo=UTC), datetime(2027, 5, 1, 9, 0, 58, 500, tzinfo=UTC)
    hold = datetime(2027, 5, 1, 9, 10, tzinfo=UTC)
    assert (
        session_expiry(hold, early) == session_expiry(hold, late) == datetime(2027, 5, 1, 9, 32, tzinfo=UTC)
    )


@pytest.mark.parametrize("data", [None, [], "x", {"object": []}, {"object": None}])
def test_an_event_without_an_object_is_ignored(data):
    assert (
        read_event({"id": "evt_1", "type": "checkout.session.completed", "data": data}).outcome
        is Outcome.IGNORED
    )
