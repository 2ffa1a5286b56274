"""Organizer messages, the delivery (the events stream's insert of the message): the chosen
tickets' valid attendees get one copy per address, rendered and sanitized, with a signed
unsubscribe link; unsubscribed and undeliverable addresses get none; the stream delivering the
insert again (or the delivery running twice at once) sends nothing twice."""

import re
import threading
from email import message_from_bytes
from urllib.parse import unquote

import pytest

from tests.api.orders_helpers import FREE, make_shop

UNSUBSCRIBE = re.compile(r"#/unsubscribe\?token=([A-Za-z0-9_\-.%]+)")


@pytest.fixture
def shop(api, signup, make_event):
    return make_shop(api, signup, make_event)


def buy_for(shop, token, ticket, *emails):
    """One order of ``ticket`` with a seat per address."""
    people = [{"name": email.split("@")[0].title(), "email": email} for email in emails]
    items = [{"ticket_id": ticket["id"], "quantity": len(emails), "attendees": people}]
    response = shop.order(token, items)
    assert response.status == 201, response.json
    return response.json


def write(shop, body):
    answer = shop.api.post(f"/events/{shop.event_id}/messages", body, token=shop.organizer)
    assert answer.status == 202, answer.json
    return answer.json


def copies(sent_emails, subject):
    return sorted(address for mail in sent_emails() if mail.subject == subject for address in mail.to)


@pytest.fixture
def audience(shop, signup):
    """Two ticket types: a free one held by ann, bob and (twice) cat; a VIP one held by dan."""
    free = shop.ticket(**FREE)
    vip = shop.ticket(**{**FREE, "name": "VIP"})
    buyer = signup("buyer@example.com")
    buy_for(shop, buyer, free, "ann@example.com", "bob@example.com", "cat@example.com", "Cat@example.com")
    buy_for(shop, buyer, vip, "dan@example.com")
    return free, vip


def test_every_valid_attendee_gets_one_copy_through_the_stream(shop, audience, stream, sent_emails):
    from chalicelib.store.organizer_messages import list_messages

    message = write(shop, {"subject": "Doors at 9", "body": "Bring **this** mail."})
    assert [m.status for m in list_messages(shop.event_id)] == ["queued"]  # the request only stored it
    stream.run_pending()
    assert copies(sent_emails, "Doors at 9") == [
        "ann@example.com",
        "bob@example.com",
        "cat@example.com",
        "dan@example.com",
    ]
    [mail] = [m for m in sent_emails() if m.subject == "Doors at 9" and m.to == ["ann@example.com"]]
    assert "<strong>this</strong>" in mail.html and "Bring **this** mail." in mail.text
    assert shop.event["name"] in mail.text
    listed = shop.api.get(f"/events/{shop.event_id}/messages", token=shop.organizer).json
    assert [(m["id"], m["status"], m["recipients"]) for m in listed] == [(message["id"], "sent", 4)]


def test_only_the_chosen_tickets_attendees_get_it(shop, audience, stream, sent_emails):
    _free, vip = audience
    write(shop, {"subject": "VIP lounge", "body": "Upstairs.", "ticket_ids": [vip["id"]]})
    stream.run_pending()
    assert copies(sent_emails, "VIP lounge") == ["dan@example.com"]


def test_refunded_attendees_are_not_written_to(shop, signup, stream, sent_emails):
    from tests.api.test_refunds import refund

    paid = shop.ticket()
    order = buy_for(shop, signup("payer@example.com"), paid, "keep@example.com", "gone@example.com")
    marked = shop.api.post(f"/events/{shop.event_id}/orders/{order['id']}/mark-paid", token=shop.organizer)
    assert marked.status == 200
    gone = next(
        a
        for a in shop.api.get(f"/orders/{order['id']}/attendees", token=shop.organizer).json
        if a["email"] == "gone@example.com"
    )
    assert refund(shop, order, {"attendee_ids": [gone["id"]]}).status == 201
    write(shop, {"subject": "Hello", "body": "Hi"})
    stream.run_pending()
    assert copies(sent_emails, "Hello") == ["keep@example.com"]


def test_the_stream_delivering_the_insert_again_sends_nothing_twice(shop, audience, stream, sent_emails):
    from chalicelib.services.organizer_messages import deliver_inserted
    from chalicelib.store.organizer_messages import list_messages

    write(shop, {"subject": "Once", "body": "Only once."})
    stream.run_pending()
    [stored] = list_messages(shop.event_id)
    assert deliver_inserted(shop.event_id, stored.sk) == 0
    assert len(copies(sent_emails, "Once")) == 4
    assert shop.api.get(f"/events/{shop.event_id}/messages", token=shop.organizer).json[0]["recipients"] == 4


def test_two_deliveries_at_once_send_each_copy_once(shop, audience, sent_emails, threaded_app):
    from chalicelib.services.organizer_messages import deliver_inserted
    from chalicelib.store.organizer_messages import list_messages

    write(shop, {"subject": "Race", "body": "Once each."})
    [stored] = list_messages(shop.event_id)
    start = threading.Barrier(2)
    counts: list[int] = []

    def run():
        start.wait()
        counts.append(deliver_inserted(shop.event_id, stored.sk))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(counts) == 4
    assert copies(sent_emails, "Race") == [
        "ann@example.com",
        "bob@example.com",
        "cat@example.com",
        "dan@example.com",
    ]


def test_the_unsubscribe_link_stops_later_messages_of_that_event_only(
    shop, audience, stream, sent_emails, api
):
    write(shop, {"subject": "First", "body": "One"})
    stream.run_pending()
    [mail] = [m for m in sent_emails() if m.subject == "First" and m.to == ["bob@example.com"]]
    token = unquote(UNSUBSCRIBE.search(mail.html).group(1))
    assert UNSUBSCRIBE.search(mail.text)
    answer = api.post("/unsubscribe", {"token": token})
    assert answer.status == 200 and answer.json["email"] == "bob@example.com"

    write(shop, {"subject": "Second", "body": "Two"})
    stream.run_pending()
    assert "bob@example.com" not in copies(sent_emails, "Second")
    assert len(copies(sent_emails, "Second")) == 3
    # Transactional mail still reaches bob: a new order's confirmation.
    free, _vip = audience
    buy_for(shop, api_token(api, "bob@example.com"), free, "bob@example.com")
    assert [m.subject for m in sent_emails() if m.to == ["bob@example.com"] and "tickets" in m.subject] == [
        f"Your tickets for {shop.event['name']}"
    ]


def api_token(api, email):
    signed = api.post("/auth/signup", {"email": email, "password": "correct horse", "name": "Bob"})
    assert signed.status == 201, signed.json
    return signed.json["token"]


def test_the_raw_mail_carries_a_list_unsubscribe_header(shop, audience, stream):
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    write(shop, {"subject": "Header", "body": "x"})
    stream.run_pending()
    raw = [
        message_from_bytes(m.raw_data.encode() if isinstance(m.raw_data, str) else m.raw_data)
        for m in ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages
        if hasattr(m, "raw_data")
    ]
    headers = [m["List-Unsubscribe"] for m in raw if m["Subject"] == "Header"]
    assert len(headers) == 4 and all(
        re.fullmatch(r"<http://127\.0\.0\.1:8000/#/unsubscribe\?token=.+>", h) for h in headers
    )


def test_an_undeliverable_address_gets_no_message(shop, audience, stream, sent_emails):
    from chalicelib.store.mailing import mark_undeliverable

    mark_undeliverable("ann@example.com", "bounce")
    write(shop, {"subject": "Skip ann", "body": "x"})
    stream.run_pending()
    assert copies(sent_emails, "Skip ann") == ["bob@example.com", "cat@example.com", "dan@example.com"]


def test_markup_and_unsafe_links_in_the_body_are_not_sent_as_html(shop, audience, stream, sent_emails):
    body = (
        '<script>alert(1)</script> <img src="https://t.example/p.gif"> '
        "[click](javascript:alert(1)) ![pixel](https://t.example/p.gif) [site](https://ok.example/a)"
    )
    write(shop, {"subject": "Markup", "body": body, "ticket_ids": [audience[1]["id"]]})
    stream.run_pending()
    [mail] = [m for m in sent_emails() if m.subject == "Markup"]
    assert "<script" not in mail.html and "<img" not in mail.html
    assert "&lt;script&gt;" in mail.html
    assert 'href="javascript' not in mail.html
    assert '<a href="https://ok.example/a">site</a>' in mail.html


@pytest.fixture
def ses_refuses(monkeypatch):
    """SES refuses (throttles) the next mail to each address put in the returned set."""
    from botocore.client import BaseClient
    from botocore.exceptions import ClientError

    refused: set[str] = set()
    original = BaseClient._make_api_call

    def throttling(client, operation, params):
        if operation == "SendRawEmail" and refused & set(params["Destinations"]):
            refused.difference_update(params["Destinations"])
            raise ClientError(
                {"Error": {"Code": "Throttling", "Message": "Maximum sending rate exceeded."}}, operation
            )
        return original(client, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", throttling)
    return refused


def test_a_copy_ses_refused_is_sent_by_the_retry_and_the_others_not_again(
    shop, audience, sent_emails, ses_refuses
):
    ses_refuses.add("bob@example.com")
    write(shop, {"subject": "Retry", "body": "x"})
    # The stream's first delivery fails for bob's copy; its redelivery sends that one only.
    assert copies(sent_emails, "Retry") == [
        "ann@example.com",
        "bob@example.com",
        "cat@example.com",
        "dan@example.com",
    ]
    assert ses_refuses == set()  # bob's first copy was refused
    assert shop.api.get(f"/events/{shop.event_id}/messages", token=shop.organizer).json[0]["recipients"] == 4
