"""Organizer messages, the request: only the event's organizer (or staff) writes one, bad input is
a clear 4xx that stores nothing, an event sends a few per hour (429 with Retry-After), the audit
log records each, and the compose dialog's count comes from the tickets' counters."""

import pytest

from tests.api.orders_helpers import FREE, make_shop

MESSAGE = {"subject": "Doors open at 9", "body": "See you **tomorrow**."}


@pytest.fixture
def shop(api, signup, make_event):
    return make_shop(api, signup, make_event)


def post(shop, body, token=None):
    return shop.api.post(f"/events/{shop.event_id}/messages", body, token=token or shop.organizer)


def stored_messages(shop) -> list:
    from chalicelib.store.organizer_messages import list_messages

    return list_messages(shop.event_id)


def test_the_organizer_writes_a_message_and_it_is_listed_and_audited(shop):
    ticket = shop.ticket(**FREE)
    sent = post(shop, {**MESSAGE, "ticket_ids": [ticket["id"]]})

    assert sent.status == 202, sent.json
    assert sent.json["subject"] == "Doors open at 9" and sent.json["ticket_ids"] == [ticket["id"]]
    assert sent.json["html"] == "<p>See you <strong>tomorrow</strong>.</p>\n"
    listed = shop.api.get(f"/events/{shop.event_id}/messages", token=shop.organizer).json
    assert [m["id"] for m in listed] == [sent.json["id"]]
    activity = shop.api.get(f"/events/{shop.event_id}/activity", token=shop.organizer).json
    [record] = [r for r in activity if r["action"] == "organizer_message"]
    assert record["target"] == {"type": "message", "id": sent.json["id"]}
    assert record["after"]["subject"] == "Doors open at 9"


@pytest.mark.parametrize("role", ["coorganizer", "track_organizer", "checkin"])
def test_other_roles_may_not_write_list_or_count(shop, signup, role):
    member = signup(f"{role}@example.com")
    shop.add_member(member, role)
    base = f"/events/{shop.event_id}/messages"
    assert post(shop, MESSAGE, token=member).status == 403
    assert shop.api.get(base, token=member).status == 403
    assert shop.api.get(f"{base}/recipients", token=member).status == 403
    assert stored_messages(shop) == []


def test_a_stranger_gets_403_and_no_one_signed_out_gets_in(shop, signup):
    assert post(shop, MESSAGE, token=signup("stranger@example.com")).status == 403
    assert shop.api.post(f"/events/{shop.event_id}/messages", MESSAGE).status == 401
    assert stored_messages(shop) == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"body": "Hi"}, "subject"),
        ({"subject": "   ", "body": "Hi"}, "subject"),
        ({"subject": "Line one\r\nBcc: x@example.com", "body": "Hi"}, "subject"),
        ({"subject": "x" * 151, "body": "Hi"}, "subject"),
        ({"subject": "Hi"}, "body"),
        ({"subject": "Hi", "body": "x" * 20_001}, "body"),
        ({**MESSAGE, "ticket_ids": []}, "ticket_ids"),
        ({**MESSAGE, "ticket_ids": "all"}, "ticket_ids"),
        ({**MESSAGE, "ticket_ids": [7]}, "ticket_ids[0]"),
        ({**MESSAGE, "html": "<b>x</b>"}, "html"),
    ],
)
def test_bad_input_is_422_naming_the_field_and_stores_nothing(shop, body, field):
    answer = post(shop, body)
    assert answer.status == 422, answer.json
    assert field in answer.json["error"]["details"]
    assert stored_messages(shop) == []


def test_a_ticket_of_another_event_is_422_at_its_place(shop, api, signup, make_event):
    ours = shop.ticket(**FREE)
    theirs = make_shop(api, signup, make_event).ticket(**FREE)
    answer = post(shop, {**MESSAGE, "ticket_ids": [ours["id"], theirs["id"]]})
    assert answer.status == 422
    assert list(answer.json["error"]["details"]) == ["ticket_ids[1]"]
    assert stored_messages(shop) == []


def test_malformed_json_is_400(shop):
    answer = shop.api.request(
        "POST", f"/events/{shop.event_id}/messages", raw=b'{"subject": ', token=shop.organizer
    )
    assert answer.status == 400 and answer.error_code == "malformed_json"


def test_an_event_sends_five_messages_an_hour_then_429_with_retry_after(shop, signup, make_event):
    for number in range(5):
        assert post(shop, {**MESSAGE, "subject": f"Update {number}"}).status == 202
    refused = post(shop, {**MESSAGE, "subject": "One too many"})
    assert refused.status == 429 and refused.error_code == "too_many_requests"
    assert 1 <= int(refused.headers["retry-after"]) <= 3600
    assert [m.subject for m in stored_messages(shop)] == [f"Update {n}" for n in reversed(range(5))]
    # A refused request does not use the count up: a bad one neither.
    other = make_shop(shop.api, signup, make_event)
    assert post(other, {"subject": "Hi"}).status == 422
    assert all(post(other, MESSAGE).status == 202 for _ in range(5))


def test_bad_input_does_not_count_against_the_limit(shop):
    for _ in range(6):
        assert post(shop, {"subject": "Hi"}).status == 422
    assert post(shop, MESSAGE).status == 202


def test_the_recipient_count_is_of_valid_tickets_of_the_chosen_types(shop, buyer, signup):
    from tests.api.test_refunds import paid_order, refund

    free, paid = shop.ticket(**FREE), shop.ticket()
    shop.buy(buyer, free, 2)
    order = paid_order(shop, signup("second@example.com"), paid, 3)
    base = f"/events/{shop.event_id}/messages/recipients"

    def count(query=""):
        answer = shop.api.get(f"{base}{query}", token=shop.organizer)
        assert answer.status == 200, answer.json
        return answer.json["count"]

    assert count() == 5
    assert count(f"?ticket_ids={free['id']}") == 2
    assert count(f"?ticket_ids={free['id']},{paid['id']}") == 5
    attendee = shop.api.get(f"/orders/{order['id']}/attendees", token=shop.organizer).json[0]
    assert refund(shop, order, {"attendee_ids": [attendee["id"]]}).status == 201
    assert count(f"?ticket_ids={paid['id']}") == 2
    unknown = shop.api.get(f"{base}?ticket_ids={free['id']},nope", token=shop.organizer)
    assert unknown.status == 422 and list(unknown.json["error"]["details"]) == ["ticket_ids[1]"]
    assert shop.api.get(f"{base}?ticket_ids=,,", token=shop.organizer).status == 422


def test_the_preview_renders_like_the_mail_and_sends_nothing(shop, signup):
    body = {
        "subject": "Hi",
        "body": "# Title\n<b>raw</b> [x](javascript:alert(1)) [ok](mailto:a@example.com)",
    }
    answer = shop.api.post(f"/events/{shop.event_id}/messages/preview", body, token=shop.organizer)
    assert answer.status == 200, answer.json
    html = answer.json["html"]
    assert "<h1>Title</h1>" in html and "&lt;b&gt;raw&lt;/b&gt;" in html
    assert 'href="javascript' not in html and '<a href="mailto:a@example.com">ok</a>' in html
    assert stored_messages(shop) == []
    member = signup("co@example.com")
    shop.add_member(member, "coorganizer")
    assert shop.api.post(f"/events/{shop.event_id}/messages/preview", body, token=member).status == 403
    assert (
        shop.api.post(f"/events/{shop.event_id}/messages/preview", {"body": "x"}, token=shop.organizer).status
        == 422
    )
