"""The reminder a day before an event (the scheduled job): every valid attendee of a published
event starting in about 24 hours gets one, with the time in the event's zone, the place and their
ticket's link; exactly once however often, or however concurrently, the job runs; events outside
the window, whatever their UTC offset, are left for later, and the job reads no table whole."""

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.api.orders_helpers import FREE, Shop
from tests.api.test_organizer_message_delivery import ses_refuses  # noqa: F401 - a fixture


def starting_in(hours: float, zone: str) -> tuple[str, str]:
    moment = (datetime.now(UTC) + timedelta(hours=hours)).replace(second=0, microsecond=0)
    local = moment.astimezone(ZoneInfo(zone))
    ends = local + timedelta(hours=3)
    return local.isoformat(), ends.isoformat()


@pytest.fixture
def event_in(api, signup, make_event):
    """A published event starting in ``hours`` (written with ``zone``'s offset), with a free ticket."""

    def make(hours: float, zone: str = "Europe/Berlin", name: str = "Tomorrow Fest") -> tuple[Shop, dict]:
        organizer = signup()
        starts, ends = starting_in(hours, zone)
        event = make_event(
            organizer, name=name, starts_at=starts, ends_at=ends, timezone=zone, location_name="Hall 7"
        )
        assert api.patch(f"/events/{event['id']}", {"state": "published"}, token=organizer).status == 200
        shop = Shop(api, organizer, event)
        return shop, shop.ticket(**FREE)

    return make


def buy_for(shop, token, ticket, *emails):
    people = [{"name": email.split("@")[0].title(), "email": email} for email in emails]
    response = shop.order(token, [{"ticket_id": ticket["id"], "quantity": len(emails), "attendees": people}])
    assert response.status == 201, response.json
    return response.json


def reminders(sent_emails, name="Tomorrow Fest"):
    return sorted(address for m in sent_emails() if m.subject == f"Tomorrow: {name}" for address in m.to)


def send_reminders():
    from chalicelib.services.reminders import send_reminders as job

    return job()


def test_each_valid_attendee_is_reminded_once_whatever_the_runs(event_in, signup, sent_emails):
    shop, ticket = event_in(23.5)
    order = buy_for(shop, signup("buyer@example.com"), ticket, "ann@example.com", "ann@example.com")
    assert send_reminders() == 2
    assert send_reminders() == 0
    # One per attendee: ann holds two seats, so two tickets to show.
    assert reminders(sent_emails) == ["ann@example.com", "ann@example.com"]
    mail = next(m for m in sent_emails() if m.subject == "Tomorrow: Tomorrow Fest")
    local = datetime.fromisoformat(shop.event["starts_at"]).astimezone(ZoneInfo("Europe/Berlin"))
    assert f"{local:%H:%M} {local.tzname()} (Europe/Berlin)" in mail.text
    assert "Hall 7" in mail.text
    assert f"http://127.0.0.1:8000/#/orders/{order['id']}/tickets/{order['id']}-" in mail.text


def test_two_runs_at_once_remind_each_attendee_once(event_in, signup, sent_emails, threaded_app):
    shop, ticket = event_in(23.2)
    buy_for(shop, signup("buyer@example.com"), ticket, "a@example.com", "b@example.com", "c@example.com")
    start = threading.Barrier(2)
    counts: list[int] = []

    def run():
        start.wait()
        counts.append(send_reminders())

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(counts) == 3
    assert reminders(sent_emails) == ["a@example.com", "b@example.com", "c@example.com"]


@pytest.mark.parametrize(
    ("hours", "zone", "due"),
    [
        (23.5, "Pacific/Kiritimati", True),  # +14:00: its local text sorts far after the UTC window
        (23.5, "Pacific/Pago_Pago", True),  # -11:00
        (24.5, "Europe/Berlin", False),  # not yet: a later run reminds it
        (22.5, "Europe/Berlin", False),  # a run an hour ago did
        (24.5, "Pacific/Pago_Pago", False),
        (22.5, "Pacific/Kiritimati", False),
    ],
)
def test_only_events_starting_in_the_window_are_reminded(event_in, signup, sent_emails, hours, zone, due):
    shop, ticket = event_in(hours, zone)
    buy_for(shop, signup("buyer@example.com"), ticket, "x@example.com")
    assert send_reminders() == int(due)
    assert reminders(sent_emails) == (["x@example.com"] if due else [])


def test_refunded_and_unsubscribed_attendees(event_in, signup, sent_emails):
    from chalicelib.store.mailing import unsubscribe
    from tests.api.test_refunds import refund

    shop, _free = event_in(23.5)
    paid = shop.ticket(name="Paid", type="paid", price="10.00", quantity=10)
    order = buy_for(shop, signup("buyer@example.com"), paid, "stay@example.com", "left@example.com")
    assert (
        shop.api.post(f"/events/{shop.event_id}/orders/{order['id']}/mark-paid", token=shop.organizer).status
        == 200
    )
    left = next(
        a
        for a in shop.api.get(f"/orders/{order['id']}/attendees", token=shop.organizer).json
        if a["email"] == "left@example.com"
    )
    assert refund(shop, order, {"attendee_ids": [left["id"]]}).status == 201
    # Unsubscribing stops organizer messages, not the reminder of one's own ticket.
    unsubscribe(shop.event_id, "stay@example.com")
    assert send_reminders() == 1
    assert reminders(sent_emails) == ["stay@example.com"]


def test_a_draft_event_is_not_reminded_and_no_table_is_scanned(
    api, signup, make_event, event_in, sent_emails, dynamodb_calls
):
    shop, ticket = event_in(23.5, name="Live")
    buy_for(shop, signup("buyer@example.com"), ticket, "live@example.com")
    starts, ends = starting_in(23.5, "Europe/Berlin")
    make_event(signup(), name="Draft", starts_at=starts, ends_at=ends, timezone="Europe/Berlin")
    with dynamodb_calls:
        assert send_reminders() == 1
    assert "Scan" not in dynamodb_calls.calls
    assert reminders(sent_emails, "Live") == ["live@example.com"]


def test_the_job_is_scheduled_in_the_app():
    from app import app

    assert "remind_attendees" in {source.name for source in app.event_sources}


def test_a_reminder_ses_refused_goes_with_the_next_run(event_in, signup, sent_emails, ses_refuses):  # noqa: F811
    shop, ticket = event_in(23.5)
    buy_for(shop, signup("buyer@example.com"), ticket, "a@example.com", "b@example.com")
    ses_refuses.add("b@example.com")
    assert send_reminders() == 1
    assert send_reminders() == 1
    assert send_reminders() == 0
    assert reminders(sent_emails) == ["a@example.com", "b@example.com"]
