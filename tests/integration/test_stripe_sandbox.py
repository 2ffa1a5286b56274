"""The local stand-in for Stripe, driven by the official ``stripe`` library as the app drives it: what
it answers, what the buyer's page shows and does, and the webhooks it signs and retries."""

import time
from typing import Any

import pytest
import requests
import stripe

from devstack.stripe_sandbox import StripeSandbox
from tests.integration.stripe_support import SECRET_KEY, WEBHOOK_SECRET, Receiver

pytestmark = pytest.mark.integration


def _client(sandbox: StripeSandbox, key: str = SECRET_KEY) -> stripe.StripeClient:
    return stripe.StripeClient(key, base_addresses={"api": sandbox.url}, max_network_retries=0)


def _session_params(**changes: Any) -> dict[str, Any]:
    params = {
        "mode": "payment",
        "success_url": "http://127.0.0.1:8000/orders/o1/paid?session={CHECKOUT_SESSION_ID}",
        "cancel_url": "http://127.0.0.1:8000/orders/o1",
        "client_reference_id": "o1",
        "metadata": {"order_id": "o1"},
        "expires_at": int(time.time()) + 31 * 60,
        "line_items": [
            {
                "quantity": 2,
                "price_data": {"currency": "eur", "unit_amount": 1250, "product_data": {"name": "Day"}},
            },
            {
                "quantity": 1,
                "price_data": {"currency": "eur", "unit_amount": 500, "product_data": {"name": "Gift"}},
            },
        ],
    }
    return {**params, **changes}


def test_a_session_totals_its_lines_and_one_idempotency_key_makes_it_once(sandbox):
    client = _client(sandbox)
    first = client.v1.checkout.sessions.create(
        params=_session_params(), options={"idempotency_key": "order-o1"}
    )
    again = client.v1.checkout.sessions.create(
        params=_session_params(), options={"idempotency_key": "order-o1"}
    )

    assert (first.id, first.amount_total, first.currency, first.status) == (again.id, 3000, "eur", "open")
    assert first.url == f"{sandbox.url}/checkout/{first.id}"
    assert client.v1.checkout.sessions.retrieve(first.id).metadata["order_id"] == "o1"
    with pytest.raises(stripe.IdempotencyError):
        client.v1.checkout.sessions.create(
            params=_session_params(client_reference_id="o2"), options={"idempotency_key": "order-o1"}
        )


@pytest.mark.parametrize(
    "changes",
    [
        {"expires_at": int(time.time()) + 10 * 60},  # Stripe's minimum is 30 minutes
        {"line_items": []},
        {"success_url": None},
        {"mode": "subscription"},
    ],
)
def test_a_session_stripe_would_refuse_is_refused(sandbox, changes):
    params = {key: value for key, value in _session_params(**changes).items() if value is not None}
    with pytest.raises(stripe.InvalidRequestError):
        _client(sandbox).v1.checkout.sessions.create(params=params)


def test_a_wrong_secret_key_is_refused(sandbox):
    with pytest.raises(stripe.AuthenticationError):
        _client(sandbox, key="sk_test_wrong").v1.checkout.sessions.create(params=_session_params())


def test_paying_on_the_page_redirects_to_success_and_sends_a_signed_completed_event(sandbox, receiver):
    session = _client(sandbox).v1.checkout.sessions.create(params=_session_params())
    page = requests.get(session.url, timeout=10)
    paid = requests.post(f"{session.url}/pay", allow_redirects=False, timeout=10)

    assert "Pay 30.00 EUR by card" in page.text
    assert paid.status_code == 303
    assert paid.headers["Location"] == f"http://127.0.0.1:8000/orders/o1/paid?session={session.id}"
    [event] = receiver.events(1)
    assert event.type == "checkout.session.completed"
    paid_session = event.data.object
    assert (paid_session.id, paid_session.payment_status, paid_session.amount_total) == (
        session.id,
        "paid",
        3000,
    )
    body, header = receiver.deliveries[0]
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body, header, "whsec_someone_else")
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body.replace(b"3000", b"1"), header, WEBHOOK_SECRET)


def test_item_names_are_shown_as_text(sandbox):
    hostile = _session_params()
    hostile["line_items"][0]["price_data"]["product_data"]["name"] = "<script>alert(1)</script>"
    session = _client(sandbox).v1.checkout.sessions.create(params=hostile)

    page = requests.get(session.url, timeout=10)

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text and "<script>" not in page.text
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]


def test_zero_decimal_currencies_are_shown_without_cents(sandbox):
    yen = _session_params(
        line_items=[
            {
                "quantity": 1,
                "price_data": {"currency": "jpy", "unit_amount": 1500, "product_data": {"name": "Day"}},
            }
        ]
    )
    session = _client(sandbox).v1.checkout.sessions.create(params=yen)

    assert "Pay 1500 JPY by card" in requests.get(session.url, timeout=10).text


def test_a_webhook_the_app_fails_is_retried_until_answered(tmp_path):
    receiver = Receiver(fail_first=2)
    sandbox = StripeSandbox(tmp_path, SECRET_KEY, receiver.url, WEBHOOK_SECRET).start()
    try:
        session = _client(sandbox).v1.checkout.sessions.create(params=_session_params())
        requests.post(f"{session.url}/pay", allow_redirects=False, timeout=10)
        events = receiver.events(3)
        deadline = time.monotonic() + 5
        while sandbox.state.undelivered():  # marked once the third answer (200) is read
            assert time.monotonic() < deadline, "the answered event is still waiting for delivery"
            time.sleep(0.05)
    finally:
        sandbox.stop()
        receiver.server.shutdown()

    assert [event.id for event in events] == [events[0].id] * 3  # one event, delivered three times


def test_cancel_leaves_the_session_open_and_bank_transfers_settle_later(sandbox, receiver):
    client = _client(sandbox)
    cancelled = client.v1.checkout.sessions.create(params=_session_params())
    by_transfer = client.v1.checkout.sessions.create(params=_session_params())

    back = requests.post(f"{cancelled.url}/cancel", allow_redirects=False, timeout=10)
    requests.post(f"{by_transfer.url}/pay-by-transfer", allow_redirects=False, timeout=10)
    requests.post(f"{by_transfer.url}/transfer-fails", allow_redirects=False, timeout=10)

    assert back.headers["Location"] == "http://127.0.0.1:8000/orders/o1"
    events = receiver.events(2)
    assert [(event.type, event.data.object.id) for event in events] == [
        ("checkout.session.completed", by_transfer.id),
        ("checkout.session.async_payment_failed", by_transfer.id),
    ]
    assert events[0].data.object.payment_status == "unpaid"
    assert client.v1.checkout.sessions.retrieve(cancelled.id).status == "open"


def test_an_open_session_past_its_expiry_expires_by_itself(sandbox, receiver):
    session = _client(sandbox).v1.checkout.sessions.create(params=_session_params())

    sandbox.state.expire_due(session.expires_at)

    [event] = receiver.events(1)
    assert (event.type, event.data.object.id) == ("checkout.session.expired", session.id)
    assert requests.post(f"{session.url}/pay", allow_redirects=False, timeout=10).headers["Location"] == (
        f"/checkout/{session.id}"
    )


def test_refunds_never_exceed_what_was_paid_and_one_key_refunds_once(sandbox, receiver):
    client = _client(sandbox)
    session = client.v1.checkout.sessions.create(params=_session_params())
    requests.post(f"{session.url}/pay", allow_redirects=False, timeout=10)
    intent = client.v1.checkout.sessions.retrieve(session.id).payment_intent

    first = client.v1.refunds.create(
        params={"payment_intent": intent, "amount": 1000}, options={"idempotency_key": "r1"}
    )
    again = client.v1.refunds.create(
        params={"payment_intent": intent, "amount": 1000}, options={"idempotency_key": "r1"}
    )
    with pytest.raises(stripe.InvalidRequestError) as too_much:
        client.v1.refunds.create(params={"payment_intent": intent, "amount": 2001})
    rest = client.v1.refunds.create(params={"payment_intent": intent})

    assert (first.id, first.status, first.amount) == (again.id, "succeeded", 1000)
    assert too_much.value.code == "amount_too_large"
    assert rest.amount == 2000
    assert [event.type for event in receiver.events(3)] == [
        "checkout.session.completed",
        "refund.created",
        "refund.created",
    ]


def test_the_state_survives_a_restart(tmp_path, receiver):
    first = StripeSandbox(tmp_path, SECRET_KEY, receiver.url, WEBHOOK_SECRET).start()
    session = _client(first).v1.checkout.sessions.create(params=_session_params())
    first.stop()

    second = StripeSandbox(tmp_path, SECRET_KEY, receiver.url, WEBHOOK_SECRET).start()
    try:
        assert _client(second).v1.checkout.sessions.retrieve(session.id).status == "open"
    finally:
        second.stop()
