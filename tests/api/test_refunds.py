"""Refunds of orders: full and partial, the limits (never more than paid, the currency's decimals),
who may refund, seats back on sale, concurrency, card refunds through the Stripe stand-in, the
buyer's cancellation until the refund deadline, the e-mail and the organizers' notification."""

import threading
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from tests.api.orders_helpers import FREE, make_shop


@pytest.fixture
def shop(api, signup, make_event):
    return make_shop(api, signup, make_event)


@pytest.fixture
def buyer(signup):
    return signup("buyer@example.com", name="Bea <b>Buyer</b>")


def paid_order(shop, buyer, ticket=None, quantity=2) -> dict:
    """A completed manual order of ``quantity`` tickets at 12.50 (the organizer marked it paid)."""
    order = shop.buy(buyer, ticket or shop.ticket(), quantity)
    response = shop.api.post(f"/events/{shop.event_id}/orders/{order['id']}/mark-paid", token=shop.organizer)
    assert response.status == 200, response.json
    return response.json


def refund(shop, order, body=None, token=None):
    return shop.api.post(
        f"/events/{shop.event_id}/orders/{order['id']}/refunds", body, token=token or shop.organizer
    )


def order_of(shop, order, token=None) -> dict:
    response = shop.api.get(f"/orders/{order['id']}", token=token or shop.organizer)
    assert response.status == 200, response.json
    return response.json


def stored_order(order_id: str):
    from chalicelib.store.orders import get_order

    return get_order(order_id)


def activity(shop) -> list[dict]:
    return shop.api.get(f"/events/{shop.event_id}/activity", token=shop.organizer).json


# --- full and partial ------------------------------------------------------------------------


def test_a_full_refund_refunds_the_order_and_puts_its_seats_back_on_sale(shop, buyer):
    ticket = shop.ticket(quantity=10)
    order = paid_order(shop, buyer, ticket, 2)
    assert shop.available(ticket) == 8

    response = refund(shop, order, {"reason": "Event moved"})

    assert response.status == 201, response.json
    assert response.json["amount"] == "25.00"
    assert response.json["status"] == "succeeded"
    assert response.json["attendee_ids"] == []
    seen = order_of(shop, order)
    assert seen["status"] == "refunded"
    assert seen["refunded_total"] == "25.00"
    assert [(r["id"], r["amount"], r["status"], r["reason"]) for r in seen["refunds"]] == [
        (response.json["id"], "25.00", "succeeded", "Event moved")
    ]
    assert shop.counters(ticket) == {"sold": 0, "reserved": 0, "held": 0}
    assert shop.available(ticket) == 10
    assert order_of(shop, order, token=buyer)["status"] == "refunded"


def test_a_partial_refund_keeps_the_seats_and_the_rest_can_follow(shop, buyer):
    ticket = shop.ticket(quantity=10)
    order = paid_order(shop, buyer, ticket, 2)

    first = refund(shop, order, {"amount": "10"})

    assert (first.status, first.json["amount"]) == (201, "10.00")
    seen = order_of(shop, order)
    assert (seen["status"], seen["refunded_total"]) == ("partially_refunded", "10.00")
    assert shop.available(ticket) == 8

    rest = refund(shop, order, {"amount": "15.00"})

    assert rest.status == 201, rest.json
    seen = order_of(shop, order)
    assert (seen["status"], seen["refunded_total"]) == ("refunded", "25.00")
    assert [r["amount"] for r in seen["refunds"]] == ["10.00", "15.00"]
    assert shop.available(ticket) == 10


def test_orders_show_no_refunds_as_an_empty_list_and_zero(shop, buyer):
    order = paid_order(shop, buyer)

    seen = order_of(shop, order)
    listed = shop.api.get(f"/events/{shop.event_id}/orders", token=shop.organizer).json
    mine = shop.api.get("/me/orders", token=buyer).json

    assert (seen["refunds"], seen["refunded_total"]) == ([], "0.00")
    assert [(o["refunds"], o["refunded_total"]) for o in listed] == [([], "0.00")]
    assert [(o["refunds"], o["refunded_total"]) for o in mine] == [([], "0.00")]


# --- limits ----------------------------------------------------------------------------------


def test_more_than_is_left_is_422_and_changes_nothing(shop, buyer):
    order = paid_order(shop, buyer)
    assert refund(shop, order, {"amount": "20.00"}).status == 201

    response = refund(shop, order, {"amount": "5.01"})

    assert response.status == 422
    assert "5.00 EUR" in response.json["error"]["details"]["amount"]
    seen = order_of(shop, order)
    assert (seen["status"], seen["refunded_total"], len(seen["refunds"])) == (
        "partially_refunded",
        "20.00",
        1,
    )


@pytest.mark.parametrize("amount", ["0", "0.00", "-1", "1.5.0", "abc", 12, "12.345", "1e3", " 1"])
def test_bad_amounts_are_422(shop, buyer, amount):
    order = paid_order(shop, buyer)

    response = refund(shop, order, {"amount": amount})

    assert response.status == 422, response.json
    assert "amount" in response.json["error"]["details"]
    assert order_of(shop, order)["refunds"] == []


def test_a_yen_amount_with_decimals_is_422(api, signup, make_event):
    shop = make_shop(api, signup, make_event)
    api.patch(f"/events/{shop.event_id}", {"currency": "JPY"}, token=shop.organizer)
    buyer = signup()
    order = paid_order(shop, buyer, shop.ticket(price="1000"), 1)

    refused = refund(shop, order, {"amount": "1.5"})
    accepted = refund(shop, order, {"amount": "300"})

    assert refused.status == 422
    assert "JPY" in refused.json["error"]["details"]["amount"]
    assert (accepted.status, accepted.json["amount"]) == (201, "300")
    assert order_of(shop, order)["refunded_total"] == "300"


@pytest.mark.parametrize("body", [{"reason": "x" * 501}, {"nope": 1}, {"attendee_ids": "a1"}])
def test_bad_bodies_are_422(shop, buyer, body):
    order = paid_order(shop, buyer)

    assert refund(shop, order, body).status == 422


def test_orders_not_paid_are_409_and_orders_with_nothing_left_422(shop, buyer):
    ticket = shop.ticket()
    pending = shop.buy(buyer, ticket, 1)
    free = shop.buy(buyer, shop.ticket(**FREE), 1)
    done = paid_order(shop, buyer, ticket)
    refund(shop, done)

    shop.api.post(f"/orders/{pending['id']}/cancel", token=buyer)
    cancelled = refund(shop, pending)
    assert (cancelled.status, cancelled.error_code) == (409, "order_not_refundable")
    assert cancelled.json["error"]["details"] == {"status": "cancelled"}
    for order, message in [(free, "Nothing is left to refund."), (done, "the order was refunded in full")]:
        response = refund(shop, order, {"amount": "1.00"})
        assert response.status == 422
        assert message in response.json["error"]["details"]["amount"]


def test_who_may_refund(shop, buyer, signup, api, make_event):
    order = paid_order(shop, buyer)
    coorganizer, stranger = signup(), signup()
    shop.add_member(coorganizer, "coorganizer")
    other = make_shop(api, signup, make_event)

    assert refund(shop, order, token=buyer).status == 403
    assert refund(shop, order, token=coorganizer).status == 403
    assert refund(shop, order, token=stranger).status == 403
    assert refund(other, order, token=other.organizer).status == 404
    assert shop.api.post(f"/events/{shop.event_id}/orders/{order['id']}/refunds").status == 401
    assert order_of(shop, order)["refunds"] == []


def test_the_audit_log_says_who_refunded_what(shop, buyer):
    order = paid_order(shop, buyer)
    organizer_id = shop.api.user_id(shop.organizer)

    refund(shop, order, {"amount": "5.00", "reason": "Late start"})

    entries = activity(shop)
    items = entries["items"] if isinstance(entries, dict) else entries
    record = next(item for item in items if item["action"] == "order.refund")
    assert record["actor"]["id"] == organizer_id
    assert record["target"]["order_id"] == order["id"]
    assert record["after"]["refund"] == {"amount": "5.00", "status": "succeeded", "reason": "Late start"}
    assert record["after"]["refunded_total"] == "5.00"


# --- concurrency -----------------------------------------------------------------------------


def test_ten_parallel_refunds_of_a_fifth_never_give_back_more_than_was_paid(shop, buyer, threaded_app):
    ticket = shop.ticket(price="50.00", quantity=10)
    order = paid_order(shop, buyer, ticket, 2)  # 100.00
    start = threading.Barrier(10)
    statuses: list[int] = []

    def one() -> None:
        start.wait()
        statuses.append(refund(shop, order, {"amount": "20.00"}).status)

    threads = [threading.Thread(target=one) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [201] * 5 + [422] * 5
    stored = stored_order(order["id"])
    assert stored.refunded_total == Decimal("100.00")
    assert stored.status == "refunded"
    assert len(stored.refunds) == 5
    assert shop.counters(ticket) == {"sold": 0, "reserved": 0, "held": 0}


# --- cancelling a paid order -----------------------------------------------------------------


def set_deadline(shop, when: datetime | None) -> None:
    response = shop.api.patch(
        f"/events/{shop.event_id}",
        {"refund_deadline": when.isoformat() if when else None},
        token=shop.organizer,
    )
    assert response.status == 200, response.json


def test_the_buyer_cancels_a_paid_order_before_the_refund_deadline_and_is_refunded(shop, buyer):
    ticket = shop.ticket(quantity=10)
    order = paid_order(shop, buyer, ticket, 2)
    set_deadline(shop, datetime.now(UTC) + timedelta(days=1))

    response = shop.api.post(f"/orders/{order['id']}/cancel", token=buyer)

    assert response.status == 200, response.json
    assert response.json["status"] == "refunded"
    assert response.json["refunded_total"] == "25.00"
    assert shop.available(ticket) == 10


@pytest.mark.parametrize("deadline", [None, datetime.now(UTC) - timedelta(minutes=1)])
def test_after_the_deadline_or_without_one_the_buyer_cannot_cancel_a_paid_order(shop, buyer, deadline):
    order = paid_order(shop, buyer)
    set_deadline(shop, deadline)

    response = shop.api.post(f"/orders/{order['id']}/cancel", token=buyer)

    assert (response.status, response.error_code) == (409, "order_completed")
    assert order_of(shop, order)["status"] == "completed"


def test_the_organizer_cancelling_a_paid_order_refunds_it(shop, buyer):
    ticket = shop.ticket(quantity=10)
    order = paid_order(shop, buyer, ticket, 2)
    refund(shop, order, {"amount": "5.00"})

    response = shop.api.post(f"/orders/{order['id']}/cancel", token=shop.organizer)

    assert response.status == 200, response.json
    assert (response.json["status"], response.json["refunded_total"]) == ("refunded", "25.00")
    assert [r["amount"] for r in response.json["refunds"]] == ["5.00", "20.00"]
    assert shop.counters(ticket) == {"sold": 0, "reserved": 0, "held": 0}
    again = shop.api.post(f"/orders/{order['id']}/cancel", token=shop.organizer)
    assert (again.status, again.error_code) == (409, "order_closed")


# --- mail and notifications ------------------------------------------------------------------


def test_the_buyer_is_mailed_and_the_organizers_notified(shop, buyer, sent_emails):
    order = paid_order(shop, buyer)

    refund(shop, order, {"amount": "7.50", "reason": "<script>x</script>"})

    mails = [
        m
        for m in sent_emails()
        if m.destinations["ToAddresses"] == ["buyer@example.com"] and m.subject.startswith("Refund")
    ]
    assert len(mails) == 1
    assert mails[0].subject == "Refund of 7.50 EUR for PyCon Test"
    assert "&lt;script&gt;x&lt;/script&gt;" in mails[0].body
    assert "Bea &lt;b&gt;Buyer&lt;/b&gt;" in mails[0].body
    assert "<script>" not in mails[0].body
    notes = shop.api.get("/notifications", token=shop.organizer).json
    refunded = [n for n in notes if n["action"] == "order_refunded"]
    assert len(refunded) == 1
    assert "7.50 EUR was refunded to Bea <b>Buyer</b>" in refunded[0]["message"]


# --- card orders through the Stripe stand-in -------------------------------------------------


def card_order(shop, buyer, stripe, ticket=None, quantity=2) -> tuple[dict, str]:
    """A completed card order paid at the stand-in; returns it and its payment intent."""
    from chalicelib.domain.checkout import charge_lines
    from chalicelib.domain.payments import PaymentConfirmation
    from chalicelib.payments import stripe_gateway
    from chalicelib.services.orders import mark_paid
    from chalicelib.store.orders import lines_of

    response = shop.api.patch(
        f"/events/{shop.event_id}", {"payment_provider": "stripe"}, token=shop.organizer
    )
    assert response.status == 200, response.json
    order = shop.buy(buyer, ticket or shop.ticket(), quantity)
    stored = stored_order(order["id"])
    session = stripe_gateway.create_checkout_session(
        order_id=stored.order_id,
        lines=charge_lines(lines_of(stored), stored.currency),
        currency=stored.currency,
        expires_at=int(time.time()) + 31 * 60,
        success_url="http://127.0.0.1/ok",
        cancel_url="http://127.0.0.1/cancel",
        customer_email=None,
    )
    intent = stripe.state.pay(session.session_id)["payment_intent"]
    mark_paid(stored, PaymentConfirmation("stripe", intent, "stripe"))
    return order, intent


def test_a_card_order_is_refunded_through_stripe_once(shop, buyer, stripe_sandbox):
    ticket = shop.ticket(quantity=10)
    order, intent = card_order(shop, buyer, stripe_sandbox, ticket)

    response = refund(shop, order)
    again = refund(shop, order)

    assert response.status == 201, response.json
    assert response.json["status"] == "succeeded"
    assert again.status == 422
    made = [r for r in stripe_sandbox.state.refunds.values() if r["payment_intent"] == intent]
    assert [(r["amount"], r["metadata"]["refund_id"]) for r in made] == [(2500, response.json["id"])]
    stored = stored_order(order["id"])
    assert stored.refunds[0]["provider_refund_id"] == made[0]["id"]
    assert stored.status == "refunded"
    assert shop.available(ticket) == 10


def test_a_partial_card_refund_sends_the_amount_in_cents(shop, buyer, stripe_sandbox):
    order, intent = card_order(shop, buyer, stripe_sandbox)

    response = refund(shop, order, {"amount": "3.25"})

    assert response.status == 201, response.json
    made = [r["amount"] for r in stripe_sandbox.state.refunds.values() if r["payment_intent"] == intent]
    assert made == [325]
    assert order_of(shop, order)["status"] == "partially_refunded"


def test_a_refund_stripe_refuses_is_failed_409_and_gives_the_amount_back(shop, buyer, stripe_sandbox):
    order, intent = card_order(shop, buyer, stripe_sandbox)
    # Refunded at Stripe behind the app's back: Stripe refuses the app's own refund.
    stripe_sandbox.state.create_refund({"payment_intent": intent})

    response = refund(shop, order, {"amount": "5.00"})

    assert (response.status, response.error_code) == (409, "refund_failed")
    assert "already been refunded" in response.json["error"]["message"]
    seen = order_of(shop, order)
    assert (seen["status"], seen["refunded_total"]) == ("completed", "0.00")
    assert [r["status"] for r in seen["refunds"]] == ["failed"]


def test_the_webhooks_refund_updates_apply_once(shop, buyer, stripe_sandbox):
    from chalicelib.services.refunds import apply_refund_update

    order, _intent = card_order(shop, buyer, stripe_sandbox)
    made = refund(shop, order, {"amount": "10.00"})
    provider_id = stored_order(order["id"]).refunds[0]["provider_refund_id"]

    assert apply_refund_update(order["id"], "re_unknown", "failed") is False
    assert apply_refund_update(order["id"], provider_id, "failed") is True
    assert apply_refund_update(order["id"], provider_id, "failed") is True
    assert apply_refund_update(order["id"], provider_id, "succeeded") is True

    seen = order_of(shop, order)
    assert made.status == 201
    assert (seen["status"], seen["refunded_total"]) == ("completed", "0.00")
    assert [r["status"] for r in seen["refunds"]] == ["failed"]
    # The 10.00 counts no more: 20.00 passes the order's limit and goes to Stripe (which, knowing
    # nothing of a failure, has 15.00 left and refuses).
    again = refund(shop, order, {"amount": "20.00"})
    assert (again.status, again.error_code) == (409, "refund_failed")


def test_a_pending_card_refund_completes_when_stripe_says_it_succeeded(
    shop,
    buyer,
    stripe_sandbox,
    monkeypatch,
    sent_emails,
):
    from chalicelib.payments import stripe_gateway
    from chalicelib.services.refunds import apply_refund_update

    ticket = shop.ticket(quantity=10)
    order, _intent = card_order(shop, buyer, stripe_sandbox, ticket)
    monkeypatch.setattr(
        stripe_gateway,
        "refund",
        lambda **_: stripe_gateway.Refund(refund_id="re_test_pending", amount=2500, status="pending"),
    )

    response = refund(shop, order)

    assert (response.status, response.json["status"]) == (201, "pending")
    seen = order_of(shop, order)
    assert (seen["status"], seen["refunded_total"]) == ("completed", "25.00")
    assert shop.available(ticket) == 8
    assert refund(shop, order, {"amount": "1.00"}).status == 422

    assert apply_refund_update(order["id"], "re_test_pending", "succeeded") is True
    assert apply_refund_update(order["id"], "re_test_pending", "succeeded") is True

    seen = order_of(shop, order)
    assert (seen["status"], [r["status"] for r in seen["refunds"]]) == ("refunded", ["succeeded"])
    assert shop.available(ticket) == 10
    notices = [m for m in sent_emails() if m.subject.startswith("Refund of 25.00 EUR")]
    assert len(notices) == 1


def test_the_buyer_cancels_a_card_order_before_the_deadline_through_stripe(
    shop,
    buyer,
    stripe_sandbox,
):
    order, intent = card_order(shop, buyer, stripe_sandbox)
    set_deadline(shop, datetime.now(UTC) + timedelta(days=1))

    response = shop.api.post(f"/orders/{order['id']}/cancel", token=buyer)

    assert response.status == 200, response.json
    assert response.json["status"] == "refunded"
    made = [r["amount"] for r in stripe_sandbox.state.refunds.values() if r["payment_intent"] == intent]
    assert made == [2500]


def test_a_cancel_stripe_refuses_is_409_and_the_order_stays_paid(shop, buyer, stripe_sandbox):
    ticket = shop.ticket(quantity=10)
    order, intent = card_order(shop, buyer, stripe_sandbox, ticket)
    stripe_sandbox.state.create_refund({"payment_intent": intent})

    response = shop.api.post(f"/orders/{order['id']}/cancel", token=shop.organizer)

    assert (response.status, response.error_code) == (409, "refund_failed")
    seen = order_of(shop, order)
    assert (seen["status"], seen["refunded_total"]) == ("completed", "0.00")
    assert shop.available(ticket) == 8


def test_a_full_refund_stripe_fails_after_it_succeeded_keeps_the_seats_released_once(
    shop,
    buyer,
    stripe_sandbox,
):
    from chalicelib.services.refunds import apply_refund_update

    ticket = shop.ticket(quantity=4)
    order, _intent = card_order(shop, buyer, stripe_sandbox, ticket)
    assert refund(shop, order).status == 201
    provider_id = stored_order(order["id"]).refunds[0]["provider_refund_id"]

    apply_refund_update(order["id"], provider_id, "failed")

    seen = order_of(shop, order)
    assert seen["status"] == "refunded" and seen["payment"]["issue"] == "refund_failed"
    assert shop.counters(ticket) == {"sold": 0, "reserved": 0, "held": 0}
    assert refund(shop, order).status == 422  # nothing left: the seats are not released twice
    assert shop.counters(ticket) == {"sold": 0, "reserved": 0, "held": 0}
    notes = shop.api.get("/notifications", token=shop.organizer).json
    assert any(
        n["action"] == "payment_issue" and "failed after it had succeeded" in n["message"] for n in notes
    )


def test_a_refund_whose_stripe_answer_never_came_stays_pending_and_its_webhook_settles_it(
    shop,
    buyer,
    stripe_sandbox,
    monkeypatch,
):
    from chalicelib.payments import stripe_gateway
    from chalicelib.services.refunds import apply_refund_update

    order, _intent = card_order(shop, buyer, stripe_sandbox)
    real = stripe_gateway.refund
    made: list = []

    def made_then_timed_out(**kwargs):
        made.append(real(**kwargs))
        raise TimeoutError("read timed out")

    monkeypatch.setattr(stripe_gateway, "refund", made_then_timed_out)
    response = refund(shop, order, {"amount": "5.00"})

    assert (response.status, response.error_code) == (409, "refund_pending")
    pending = order_of(shop, order)
    assert [r["status"] for r in pending["refunds"]] == ["pending"] and pending["refunded_total"] == "5.00"
    ours = pending["refunds"][0]["id"]
    assert apply_refund_update(order["id"], made[0].refund_id, "succeeded", ours) is True
    settled = order_of(shop, order)
    assert [r["status"] for r in settled["refunds"]] == ["succeeded"]
    assert settled["status"] == "partially_refunded"
