"""Card payments end to end against the Stripe stand-in: the event's provider, the buyer's checkout,
and the signed webhooks that complete, release, flag or refund an order, each exactly once."""

import json
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from devstack.stripe_webhooks import signature_header
from tests.api.orders_helpers import PAID, make_shop
from tests.api.stripe_helpers import WEBHOOK_PATH
from tests.integration.stripe_support import WEBHOOK_SECRET


@pytest.fixture
def shop(api, signup, make_event, stripe_sandbox):
    shop = make_shop(api, signup, make_event)
    response = api.patch(f"/events/{shop.event_id}", {"payment_provider": "stripe"}, token=shop.organizer)
    assert response.status == 200, response.json
    return shop


@pytest.fixture
def buyer(signup):
    return signup("card.buyer@example.com", name="Cara Buyer")


def checkout(shop, order, token):
    return shop.api.post(f"/orders/{order['id']}/checkout", token=token)


def order_of(shop, order, token):
    return shop.api.get(f"/orders/{order['id']}", token=token).json


def signed(payload: dict, secret: str = WEBHOOK_SECRET, at: int | None = None) -> tuple[bytes, str]:
    body = json.dumps(payload).encode()
    return body, signature_header(body, secret, at if at is not None else int(time.time()))


def lapse(order: dict) -> None:
    """The order's hold runs out and the sweep releases it (its Stripe page is still open)."""
    from chalicelib.services.orders import sweep_expired_orders

    assert sweep_expired_orders(datetime.now(UTC) + timedelta(hours=2)) == 1


def post_webhook(api, body: bytes, signature: str | None):
    headers = {"Stripe-Signature": signature} if signature is not None else {}
    return api.request("POST", WEBHOOK_PATH, raw=body, headers=headers)


def session_event(event_id: str, order_id: str, amount: int, currency: str = "eur", **subject) -> dict:
    return {
        "id": event_id,
        "object": "event",
        "type": "checkout.session.completed",
        "data": {
            "object": {
                "id": "cs_test_forged",
                "object": "checkout.session",
                "payment_status": "paid",
                "amount_total": amount,
                "currency": currency,
                "payment_intent": "pi_test_forged",
                "client_reference_id": order_id,
                "metadata": {"order_id": order_id},
                **subject,
            }
        },
    }


def test_stripe_is_refused_while_the_platform_has_no_key(api, signup, make_event):
    shop = make_shop(api, signup, make_event)

    response = api.patch(f"/events/{shop.event_id}", {"payment_provider": "stripe"}, token=shop.organizer)

    assert response.status == 422
    assert "payment_provider" in response.json["error"]["details"]
    assert api.get(f"/events/{shop.event_id}", token=shop.organizer).json["payment_provider"] == "manual"


def test_a_card_order_is_held_as_long_as_a_checkout_session_lives(shop, buyer):
    ticket = shop.ticket()
    before = datetime.now(UTC)

    order = shop.buy(buyer, ticket, 2)

    assert order["payment"]["provider"] == "stripe"
    assert datetime.fromisoformat(order["expires_at"]) >= before + timedelta(minutes=31)


def test_checkout_charges_the_order_in_minor_units_and_is_the_same_session_when_asked_again(
    shop,
    buyer,
    stripe_sandbox,
):
    ticket = shop.ticket(price="12.50")
    order = shop.buy(buyer, ticket, 3)

    first, again = checkout(shop, order, buyer), checkout(shop, order, buyer)

    assert first.status == 200, first.json
    assert first.json["provider"] == "stripe" and first.json["url"].startswith("http://127.0.0.1:")
    assert again.json == first.json
    session = stripe_sandbox.state.session(first.json["session_id"])
    assert session["amount_total"] == 3750 and session["currency"] == "eur"
    assert session["metadata"]["order_id"] == order["id"] == session["client_reference_id"]
    assert session["expires_at"] == int(datetime.fromisoformat(first.json["expires_at"]).timestamp())
    assert first.json["expires_at"] == order_of(shop, order, buyer)["expires_at"]


def test_six_checkouts_asked_at_once_are_one_session(shop, buyer, stripe_sandbox, threaded_app):
    order = shop.buy(buyer, shop.ticket(), 1)
    start = threading.Barrier(6)
    answers: list = []

    def ask() -> None:
        start.wait()
        answers.append(checkout(shop, order, buyer))

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [a.status for a in answers] == [200] * 6, [a.json for a in answers]
    assert len({a.json["session_id"] for a in answers}) == 1
    made = [s for s in stripe_sandbox.state.sessions.values() if s["metadata"]["order_id"] == order["id"]]
    assert len(made) == 1


def test_zero_decimal_currencies_are_charged_as_whole_units(api, signup, make_event, stripe_sandbox):
    organizer = signup()
    event = make_event(organizer, currency="JPY")
    api.patch(f"/events/{event['id']}", {"state": "published", "payment_provider": "stripe"}, token=organizer)
    ticket = api.post(f"/events/{event['id']}/tickets", {**PAID, "price": "1500"}, token=organizer).json
    buyer = signup()
    order = api.post(
        f"/events/{event['id']}/orders",
        {"items": [{"ticket_id": ticket["id"], "quantity": 2}]},
        token=buyer,
        headers={"Idempotency-Key": "jpy-1"},
    ).json

    response = api.post(f"/orders/{order['id']}/checkout", token=buyer)

    assert response.status == 200, response.json
    assert stripe_sandbox.state.session(response.json["session_id"])["amount_total"] == 3000


def test_who_may_open_a_checkout_and_for_which_orders(shop, buyer, signup, api, make_event):
    ticket = shop.ticket()
    order = shop.buy(buyer, ticket, 1)
    stranger = signup()

    assert checkout(shop, order, stranger).status == 404
    assert checkout(shop, order, shop.organizer).status == 403
    assert shop.api.post(f"/orders/{order['id']}/cancel", token=buyer).status == 200
    closed = checkout(shop, order, buyer)
    assert (closed.status, closed.error_code) == (409, "order_closed")

    manual = make_shop(api, signup, make_event)
    manual_order = manual.buy(buyer, manual.ticket(), 1)
    refused = api.post(f"/orders/{manual_order['id']}/checkout", token=buyer)
    assert (refused.status, refused.error_code) == (409, "not_card_payment")


def test_paying_completes_the_order_once_and_a_redelivery_changes_nothing(
    shop,
    buyer,
    api,
    stripe_sandbox,
    sent_emails,
):
    ticket = shop.ticket(quantity=10)
    order = shop.buy(buyer, ticket, 2)
    session_id = checkout(shop, order, buyer).json["session_id"]

    stripe_sandbox.state.pay(session_id)
    (answer,) = stripe_sandbox.deliver(api)

    assert (answer.status, answer.json["result"]) == (200, "paid")
    paid = order_of(shop, order, buyer)
    assert paid["status"] == "completed" and paid["payment"]["reference"].startswith("pi_")
    assert shop.counters(ticket) == {"sold": 2, "reserved": 0, "held": 2}
    receipts = [m for m in sent_emails() if "receipt" in m.subject.lower()]
    assert len(receipts) == 1 and "Total paid: 25.00 EUR" in receipts[0].body

    body, signature = stripe_sandbox.receiver.deliveries[0]
    redelivered = post_webhook(api, body, signature)

    assert (redelivered.status, redelivered.json["result"]) == (200, "duplicate")
    assert shop.counters(ticket) == {"sold": 2, "reserved": 0, "held": 2}
    assert order_of(shop, order, buyer)["status"] == "completed"
    assert len([m for m in sent_emails() if "receipt" in m.subject.lower()]) == 1


def test_the_same_event_delivered_many_times_at_once_is_applied_once(shop, buyer, api, threaded_app):
    ticket = shop.ticket(quantity=10)
    order = shop.buy(buyer, ticket, 3)
    body, signature = signed(session_event("evt_parallel", order["id"], 3750))
    answers: list = []

    def deliver():
        answers.append(post_webhook(api, body, signature))

    threads = [threading.Thread(target=deliver) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [a.status for a in answers] == [200] * 8
    assert sorted(a.json["result"] for a in answers).count("paid") == 1
    assert shop.counters(ticket) == {"sold": 3, "reserved": 0, "held": 3}


@pytest.mark.parametrize(
    "signature",
    [None, "t=1,v1=deadbeef", "garbage", "stale"],
    ids=["missing", "wrong", "malformed", "stale"],
)
def test_a_webhook_without_a_good_signature_is_400_and_changes_nothing(shop, buyer, api, signature):
    ticket = shop.ticket()
    order = shop.buy(buyer, ticket, 1)
    body, good = signed(session_event("evt_forged", order["id"], 1250))
    if signature == "stale":
        body, signature = signed(session_event("evt_forged", order["id"], 1250), at=int(time.time()) - 3600)
    elif signature == "t=1,v1=deadbeef":
        signature = f"{good.split(',')[0]},v1={'0' * 64}"

    response = post_webhook(api, body, signature)

    assert (response.status, response.error_code) == (400, "bad_signature")
    assert order_of(shop, order, buyer)["status"] == "pending"
    assert shop.counters(ticket)["sold"] == 0


def test_a_body_changed_after_signing_is_refused(shop, buyer, api):
    order = shop.buy(buyer, shop.ticket(), 1)
    body, signature = signed(session_event("evt_tampered", order["id"], 1250))

    response = post_webhook(api, body.replace(b"1250", b"1251"), signature)

    assert (response.status, response.error_code) == (400, "bad_signature")


def test_an_amount_that_differs_from_the_order_flags_it_and_tells_the_organizers(shop, buyer, api):
    ticket = shop.ticket()
    order = shop.buy(buyer, ticket, 2)

    response = post_webhook(api, *signed(session_event("evt_short", order["id"], 100)))

    assert (response.status, response.json["result"]) == (200, "amount_mismatch")
    flagged = order_of(shop, order, buyer)
    assert flagged["status"] == "pending" and flagged["payment"]["issue"] == "amount_mismatch"
    assert shop.counters(ticket)["sold"] == 0
    notes = api.get("/notifications", token=shop.organizer).json
    assert any(n["action"] == "payment_issue" and "1.00 EUR" in n["message"] for n in notes)


def test_another_currency_is_a_mismatch_too(shop, buyer, api):
    order = shop.buy(buyer, shop.ticket(), 1)

    response = post_webhook(api, *signed(session_event("evt_eur", order["id"], 1250, currency="usd")))

    assert response.json["result"] == "amount_mismatch"
    assert order_of(shop, order, buyer)["status"] == "pending"


def test_a_payment_after_the_hold_lapsed_takes_free_seats_again(shop, buyer, api, stripe_sandbox):
    ticket = shop.ticket(quantity=5)
    order = shop.buy(buyer, ticket, 2)
    session_id = checkout(shop, order, buyer).json["session_id"]
    lapse(order)
    assert shop.counters(ticket) == {"sold": 0, "reserved": 0, "held": 0}

    stripe_sandbox.state.pay(session_id)
    (answer,) = stripe_sandbox.deliver(api)

    assert answer.json["result"] == "paid_late"
    assert order_of(shop, order, buyer)["status"] == "completed"
    assert shop.counters(ticket) == {"sold": 2, "reserved": 0, "held": 2}
    assert shop.available(ticket) == 3


def test_a_payment_after_the_seats_went_to_others_is_refunded_and_the_buyer_told(
    shop,
    buyer,
    api,
    signup,
    stripe_sandbox,
    sent_emails,
):
    ticket = shop.ticket(quantity=2, max_order=2)
    order = shop.buy(buyer, ticket, 2)
    session_id = checkout(shop, order, buyer).json["session_id"]
    lapse(order)
    shop.buy(signup(), ticket, 2)

    stripe_sandbox.state.pay(session_id)
    (answer,) = stripe_sandbox.deliver(api)

    assert answer.json["result"] == "refunded_late"
    refunded = order_of(shop, order, buyer)
    assert refunded["status"] == "refunded" and refunded["payment"]["issue"] == "paid_after_release"
    assert refunded["refunded_total"] == "25.00"
    assert [(r["amount"], r["status"]) for r in refunded["refunds"]] == [("25.00", "succeeded")]
    assert shop.counters(ticket) == {"sold": 0, "reserved": 2, "held": 2}
    refunds = list(stripe_sandbox.state.refunds.values())
    assert [(r["amount"], r["payment_intent"]) for r in refunds] == [(2500, refunded["payment"]["reference"])]
    assert any("was refunded" in m.subject for m in sent_emails())

    body, signature = stripe_sandbox.receiver.deliveries[0]
    assert post_webhook(api, body, signature).json["result"] == "duplicate"
    assert len(stripe_sandbox.state.refunds) == 1


def test_an_expired_session_releases_the_hold(shop, buyer, api, stripe_sandbox):
    ticket = shop.ticket(quantity=5)
    order = shop.buy(buyer, ticket, 2)
    session_id = checkout(shop, order, buyer).json["session_id"]

    stripe_sandbox.state.expire_session(session_id)
    (answer,) = stripe_sandbox.deliver(api)

    assert answer.json["result"] == "released_expired"
    assert order_of(shop, order, buyer)["status"] == "expired"
    assert shop.counters(ticket) == {"sold": 0, "reserved": 0, "held": 0}


def test_event_types_we_do_not_handle_are_acknowledged_and_ignored(shop, buyer, api):
    order = shop.buy(buyer, shop.ticket(), 1)
    payload = {**session_event("evt_other", order["id"], 1250), "type": "customer.created"}

    response = post_webhook(api, *signed(payload))

    assert (response.status, response.json["result"]) == (200, "ignored")
    assert order_of(shop, order, buyer)["status"] == "pending"


def test_a_manual_orders_webhook_changes_nothing(api, signup, make_event, buyer, stripe_sandbox):
    manual = make_shop(api, signup, make_event)
    order = manual.buy(buyer, manual.ticket(), 1)

    response = post_webhook(api, *signed(session_event("evt_manual", order["id"], 1250)))

    assert response.json["result"] == "not_card_order"
    assert api.get(f"/orders/{order['id']}", token=buyer).json["status"] == "pending"


def test_without_stripe_configured_the_webhook_is_a_clear_400(api, configured):
    configured(MARQUEE_STRIPE_WEBHOOK_SECRET="", MARQUEE_STRIPE_WEBHOOK_SECRET_PARAMETER="")
    body, signature = signed(session_event("evt_none", "0" * 32, 100))

    response = post_webhook(api, body, signature)

    assert (response.status, response.error_code) == (400, "payments_not_configured")


def test_our_own_failure_applying_an_event_is_logged_stored_and_answered_200(shop, buyer, api, monkeypatch):
    from chalicelib.store import orders, payment_events

    order = shop.buy(buyer, shop.ticket(), 1)

    def broken(*_args):
        raise RuntimeError("a bug of ours")

    with monkeypatch.context() as patched:  # the webhook's read only: the check below reads it too
        patched.setattr(orders, "get_order", broken)
        response = post_webhook(api, *signed(session_event("evt_bug", order["id"], 1250)))

    assert (response.status, response.json["result"]) == (200, "failed")
    assert payment_events.seen("stripe", "evt_bug")
    assert order_of(shop, order, buyer)["status"] == "pending"


def test_an_organizers_refund_of_a_paid_card_order_goes_through_stripe_and_its_webhook_lands_once(
    shop, buyer, api, stripe_sandbox
):
    ticket = shop.ticket(quantity=5)
    order = shop.buy(buyer, ticket, 2)
    stripe_sandbox.state.pay(checkout(shop, order, buyer).json["session_id"])
    stripe_sandbox.deliver(api)

    refund = api.post(
        f"/events/{shop.event_id}/orders/{order['id']}/refunds",
        {"reason": "Event moved"},
        token=shop.organizer,
    )
    (update,) = stripe_sandbox.deliver(api)

    assert refund.status == 201, refund.json
    assert update.status == 200 and update.json["result"] in ("refund_updated", "refund_unchanged")
    made = list(stripe_sandbox.state.refunds.values())
    assert [(r["amount"], r["metadata"]["order_id"]) for r in made] == [(2500, order["id"])]
    refunded = order_of(shop, order, buyer)
    assert refunded["status"] == "refunded" and refunded["refunded_total"] == "25.00"
    assert shop.counters(ticket) == {"sold": 0, "reserved": 0, "held": 0}
    body, signature = stripe_sandbox.receiver.deliveries[-1]
    assert post_webhook(api, body, signature).json["result"] == "duplicate"


def test_cancelling_an_order_closes_its_checkout_so_nobody_pays_it(shop, buyer, api, stripe_sandbox):
    ticket = shop.ticket(quantity=5)
    order = shop.buy(buyer, ticket, 2)
    session_id = checkout(shop, order, buyer).json["session_id"]

    assert api.post(f"/orders/{order['id']}/cancel", token=buyer).status == 200

    assert stripe_sandbox.state.session(session_id)["status"] == "expired"
    answers = stripe_sandbox.deliver(api)
    assert [a.status for a in answers] == [200]
    assert order_of(shop, order, buyer)["status"] == "cancelled"
    assert shop.counters(ticket) == {"sold": 0, "reserved": 0, "held": 0}


def test_paying_a_cancelled_orders_page_stripe_kept_open_refunds_it_instead_of_reviving_it(
    shop, buyer, api, stripe_sandbox, monkeypatch
):
    from chalicelib.payments import stripe_gateway

    def unreachable(_session_id):
        raise stripe_gateway.StripeFailed("Stripe is unreachable")

    monkeypatch.setattr(stripe_gateway, "expire_checkout_session", unreachable)
    ticket = shop.ticket(quantity=5)
    order = shop.buy(buyer, ticket, 2)
    session_id = checkout(shop, order, buyer).json["session_id"]
    assert api.post(f"/orders/{order['id']}/cancel", token=shop.organizer).status == 200

    stripe_sandbox.state.pay(session_id)
    (answer,) = stripe_sandbox.deliver(api)

    assert answer.json["result"] == "refunded_late"
    assert order_of(shop, order, buyer)["status"] == "refunded"
    assert shop.counters(ticket) == {"sold": 0, "reserved": 0, "held": 0}
    assert [r["amount"] for r in stripe_sandbox.state.refunds.values()] == [2500]


def test_a_busy_moment_is_answered_for_stripe_to_retry_and_applied_on_the_next_delivery(
    shop, buyer, api, stripe_sandbox, monkeypatch
):
    from chalicelib.domain.errors import ConflictError
    from chalicelib.store import payments as stored

    ticket = shop.ticket(quantity=5)
    order = shop.buy(buyer, ticket, 2)
    stripe_sandbox.state.pay(checkout(shop, order, buyer).json["session_id"])
    real = stored.complete_held

    def busy(*_args):
        raise ConflictError("Many changes at once; try again in a moment.", code="busy")

    monkeypatch.setattr(stored, "complete_held", busy)
    (first,) = stripe_sandbox.deliver(api)
    monkeypatch.setattr(stored, "complete_held", real)
    body, signature = stripe_sandbox.receiver.deliveries[0]
    again = post_webhook(api, body, signature)

    assert (first.status, first.error_code) == (409, "retry_later")
    assert (again.status, again.json["result"]) == (200, "paid")
    assert order_of(shop, order, buyer)["status"] == "completed"


def test_a_cancel_racing_the_checkout_leaves_no_hold_behind(shop, buyer, api, meanwhile):
    from chalicelib.store.models.events import event_pk
    from chalicelib.store.models.orders import HOLD_PREFIX, HoldModel

    ticket = shop.ticket(quantity=3)
    order = shop.buy(buyer, ticket, 2)
    raced = meanwhile("TransactWriteItems", lambda: checkout(shop, order, buyer))

    cancelled = api.post(f"/orders/{order['id']}/cancel", token=buyer)

    assert raced and cancelled.status == 200
    holds = list(HoldModel.query(event_pk(shop.event_id), HoldModel.sk.startswith(HOLD_PREFIX)))
    assert holds == []
    assert shop.counters(ticket) == {"sold": 0, "reserved": 0, "held": 0}
    assert shop.available(ticket) == 3


@pytest.mark.parametrize("body", [b"[]", b"1", b"null", b'{"id": "evt_x", "type": ["a"]}'])
def test_a_signed_body_that_is_not_an_event_is_a_400_or_ignored(api, stripe_sandbox, body):
    response = post_webhook(api, body, signature_header(body, WEBHOOK_SECRET, int(time.time())))

    assert response.status in (200, 400)
    assert response.status == 400 or response.json["result"] == "ignored"


def test_a_card_payment_issues_the_tickets_once_whatever_the_redeliveries(shop, buyer, api, stripe_sandbox):
    order = shop.buy(buyer, shop.ticket(quantity=10), 3)
    assert api.get(f"/orders/{order['id']}/attendees", token=buyer).json == []
    stripe_sandbox.state.pay(checkout(shop, order, buyer).json["session_id"])
    stripe_sandbox.deliver(api)
    body, signature = stripe_sandbox.receiver.deliveries[-1]
    assert post_webhook(api, body, signature).json["result"] == "duplicate"

    attendees = api.get(f"/orders/{order['id']}/attendees", token=buyer).json
    assert [a["status"] for a in attendees] == ["valid"] * 3
    assert len({a["code"] for a in attendees}) == 3
