"""The app's Stripe adapter (chalicelib/payments/stripe_gateway.py) against the local stand-in."""

import time

import pytest
import requests

from chalicelib.domain.checkout import ChargeLine
from chalicelib.payments import stripe_gateway
from chalicelib.payments.stripe_gateway import BadSignature, StripeFailed
from devstack.stripe_webhooks import signature_header
from tests.integration.stripe_support import SECRET_KEY, WEBHOOK_SECRET

pytestmark = pytest.mark.integration


@pytest.fixture
def gateway(sandbox, monkeypatch):
    monkeypatch.setenv("MARQUEE_STRIPE_SECRET_KEY", SECRET_KEY)
    monkeypatch.setenv("MARQUEE_STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)
    monkeypatch.setenv("MARQUEE_STRIPE_API_BASE", sandbox.url)
    stripe_gateway.forget_client()
    yield stripe_gateway
    stripe_gateway.forget_client()


def _checkout(gateway, order_id: str = "o1", currency: str = "EUR", expires_in: int = 31 * 60):
    return gateway.create_checkout_session(
        order_id=order_id,
        lines=[ChargeLine("Day pass", 1250, 2), ChargeLine("Donation", 500, 1)],
        currency=currency,
        expires_at=int(time.time()) + expires_in,
        success_url="http://127.0.0.1:8000/#/orders/o1?paid={CHECKOUT_SESSION_ID}",
        cancel_url="http://127.0.0.1:8000/#/orders/o1",
        customer_email="buyer@example.com",
    )


def test_one_checkout_session_per_order(gateway):
    first = _checkout(gateway)
    again = _checkout(gateway)
    other = _checkout(gateway, order_id="o2")

    assert (first.amount_total, first.currency) == (3000, "EUR")
    assert again.session_id == first.session_id and other.session_id != first.session_id
    assert first.url.endswith(f"/checkout/{first.session_id}")


def test_stripe_refusing_a_session_is_a_failure_with_a_message(gateway):
    with pytest.raises(StripeFailed):
        _checkout(gateway, expires_in=5 * 60)


def test_a_webhook_is_accepted_only_with_a_fresh_signature_of_this_body(gateway, sandbox, receiver):
    session = _checkout(gateway)
    requests.post(f"{session.url}/pay", allow_redirects=False, timeout=10)
    receiver.events(1)
    body, header = receiver.deliveries[0]

    event = gateway.verified_event(body, header)
    stale = signature_header(body, WEBHOOK_SECRET, int(time.time()) - 600)

    assert (event["type"], event["data"]["object"]["metadata"]["order_id"]) == (
        "checkout.session.completed",
        "o1",
    )
    for signature in (None, "", stale, signature_header(body, "whsec_other", int(time.time()))):
        with pytest.raises(BadSignature):
            gateway.verified_event(body, signature)
    with pytest.raises(BadSignature):
        gateway.verified_event(body + b" ", header)


def test_refunds_are_idempotent_and_capped(gateway, receiver):
    session = _checkout(gateway)
    requests.post(f"{session.url}/pay", allow_redirects=False, timeout=10)
    paid = receiver.events(1)[0]
    intent = paid.data.object.payment_intent

    first = gateway.refund(
        payment_intent=intent, amount=1000, idempotency_key="refund-1", metadata={"order_id": "o1"}
    )
    again = gateway.refund(
        payment_intent=intent, amount=1000, idempotency_key="refund-1", metadata={"order_id": "o1"}
    )

    assert (first.refund_id, first.amount, first.status) == (again.refund_id, 1000, "succeeded")
    with pytest.raises(StripeFailed):
        gateway.refund(payment_intent=intent, amount=2001, idempotency_key="refund-2", metadata={})
