"""The waiting room's line rides on the event channel (#21): the availability message carries
``queue: {admitted_through, admit_per_minute}`` while the room is on (the same for every page:
each works out its own place), and the organizer's new rate is pushed at once, without a write of
any ticket; nothing per viewer is done in a request."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.api.test_waiting_room import enable, join, status


@pytest.fixture
def start() -> datetime:
    return datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=1)


def test_the_availability_push_carries_the_line_and_a_new_rate_is_pushed_at_once(
    shop, ws, stream, time_machine, start
):
    time_machine.move_to(start, tick=False)
    ticket = shop.ticket(quantity=100)
    enable(shop, 60)
    page = ws.connect(event=shop.event_id).connection_id
    stream.run_pending()
    heard = len(ws.received(page))

    # Two minutes on, at 60 a minute: numbers up to 120 are admitted; a ticket change says so.
    time_machine.move_to(start + timedelta(minutes=2), tick=False)
    shop.ticket(name="Late entry", quantity=5)
    messages = ws.received(page)[heard:]
    assert len(messages) == 1
    assert messages[0]["queue"] == {"admitted_through": 120, "admit_per_minute": 60}
    assert {"id": ticket["id"], "available": 100} in messages[0]["tickets"]
    heard += 1

    # The organizer raises the rate: no ticket changes, and the pages hear of it all the same.
    time_machine.move_to(start + timedelta(minutes=3), tick=False)
    enable(shop, 90)
    messages = ws.received(page)[heard:]
    assert len(messages) == 1
    assert messages[0]["meta"] == "availability" and messages[0]["event_id"] == shop.event_id
    assert messages[0]["queue"] == {"admitted_through": 180, "admit_per_minute": 90}
    heard += 1

    # What a page counts from the push is what its own GET says.
    time_machine.move_to(start + timedelta(minutes=4), tick=False)
    place = join(shop).json
    assert status(shop, place["queue_id"]).json["admitted_through"] == 180 + 90

    # Other edits of the event move nothing in the line: no push.
    response = shop.api.patch(f"/events/{shop.event_id}", {"name": "Renamed"}, token=shop.organizer)
    assert response.status == 200, response.json
    assert ws.received(page)[heard:] == []

    # Switched off: the message carries no line (everyone may order).
    time_machine.move_to(start + timedelta(minutes=5), tick=False)
    enable(shop, 90, enabled=False)
    messages = ws.received(page)[heard:]
    assert len(messages) == 1 and "queue" not in messages[0]


def test_without_a_waiting_room_the_availability_push_has_no_line(shop, buyer, ws, stream):
    ticket = shop.ticket(quantity=10)
    page = ws.connect(event=shop.event_id).connection_id
    stream.run_pending()

    shop.buy(buyer, ticket, 1)

    message = ws.received(page)[-1]
    assert message["tickets"] == [{"id": ticket["id"], "available": 9}]
    assert "queue" not in message
