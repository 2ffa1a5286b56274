"""Mail to buyers is driven by the orders table's stream: an order request answers without
sending it, the stream sends the confirmation / receipt once the order is completed and a notice
once a refund succeeded, exactly once however often the stream delivers the change, and again on
redelivery when SES did not take it the first time."""

from typing import Any

import pytest

from devstack.streams import StreamPoller
from tests.api.orders_helpers import FREE


def _sent() -> list[Any]:
    """What SES was asked to send, without running the stream."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    return list(ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages)


def _subjects(sent_emails, address: str) -> list[str]:
    """The subjects of the order mail sent to ``address`` (signing up mails a verification link)."""
    return [m.subject for m in sent_emails() if m.to == [address] and not m.subject.startswith("Confirm")]


def test_the_order_request_sends_nothing_the_stream_sends_the_confirmation(shop, buyer, stream, sent_emails):
    ticket = shop.ticket(**{**FREE, "quantity": 5})
    before = len(_sent())

    shop.buy(buyer, ticket, 2)

    assert len(_sent()) == before
    assert _subjects(sent_emails, "buyer@example.com") == [f"Your tickets for {shop.event['name']}"]


def test_a_change_delivered_again_is_mailed_once(shop, buyer, stream, sent_emails):
    from app import app

    ticket = shop.ticket(**{**FREE, "quantity": 5})
    shop.buy(buyer, ticket, 1)
    assert len(_subjects(sent_emails, "buyer@example.com")) == 1

    # Another reader of the same stream from its start: every change handled a second time.
    assert StreamPoller(app, "us-east-1").run_pending() > 0

    assert len(_subjects(sent_emails, "buyer@example.com")) == 1


def test_a_mail_ses_did_not_take_is_sent_when_the_change_comes_again(
    shop, buyer, stream, sent_emails, monkeypatch: pytest.MonkeyPatch
):
    from chalicelib import mail

    refused: list[str] = []
    real_send = mail.send_with_images

    def refuse_once(to: str, template: str, images: Any, /, **context: Any) -> str | None:
        if not refused:
            refused.append(template)
            return None
        return real_send(to, template, images, **context)

    monkeypatch.setattr(mail, "send_with_images", refuse_once)
    ticket = shop.ticket(**{**FREE, "quantity": 5})
    shop.buy(buyer, ticket, 1)

    subjects = _subjects(sent_emails, "buyer@example.com")

    assert refused == ["order_confirmation"]
    assert subjects == [f"Your tickets for {shop.event['name']}"]


def test_each_succeeded_refund_gets_one_notice(shop, buyer, stream, sent_emails):
    from chalicelib.domain.payments import PaymentConfirmation
    from chalicelib.services.orders import mark_paid
    from chalicelib.store.orders import get_order

    ticket = shop.ticket(quantity=10)
    order = shop.buy(buyer, ticket, 2)
    mark_paid(get_order(order["id"]), PaymentConfirmation("manual", None, "organizer"))
    path = f"/events/{shop.event_id}/orders/{order['id']}/refunds"
    assert shop.api.post(path, {"amount": "5.00"}, token=shop.organizer).status == 201
    assert shop.api.post(path, {"amount": "2.50"}, token=shop.organizer).status == 201

    subjects = _subjects(sent_emails, "buyer@example.com")

    assert len(subjects) == 3
    assert subjects[0].startswith("Your receipt for")
    assert subjects[1].startswith("Refund of 5.00 ") and subjects[2].startswith("Refund of 2.50 ")
