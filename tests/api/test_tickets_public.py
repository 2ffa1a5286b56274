"""The public event page lists its non-hidden tickets with what is left and whether sales are open."""

import time_machine

from tests.api.tickets_helpers import PAID, create, hold


def publish(api, token, event):
    response = api.patch(f"/events/{event['id']}", {"state": "published"}, token=token)
    assert response.status == 200, response.json


def test_public_page_shows_non_hidden_tickets_in_order(api, signup, make_event):
    owner = signup()
    event = make_event(owner)
    path = f"/events/{event['id']}/tickets"
    api.put(
        path,
        {
            "tickets": [
                {**PAID, "name": "Early bird", "price": "9.90", "quantity": 50},
                {**PAID, "name": "Secret", "hidden": True},
                {"name": "Community", "type": "free", "quantity": 20, "description": "For locals"},
            ]
        },
        token=owner,
    )
    early = api.get(path, token=owner).json[0]
    hold(event, early["id"], sold=10, reserved=5)
    assert api.get(f"/public/events/{event['id']}").status == 404
    publish(api, owner, event)

    page = api.get(f"/public/events/{event['id']}")

    assert page.status == 200
    assert page.json["currency"] == "EUR"
    assert page.json["tickets"] == [
        {
            "id": early["id"],
            "name": "Early bird",
            "type": "paid",
            "price": "9.90",
            "suggested_price": None,
            "currency": "EUR",
            "description": "",
            "sales_starts_at": None,
            "sales_ends_at": None,
            "min_order": 1,
            "max_order": 10,
            "available": 35,
            "sales_open": True,
        },
        {
            "id": page.json["tickets"][1]["id"],
            "name": "Community",
            "type": "free",
            "price": "0.00",
            "suggested_price": None,
            "currency": "EUR",
            "description": "For locals",
            "sales_starts_at": None,
            "sales_ends_at": None,
            "min_order": 1,
            "max_order": 10,
            "available": 20,
            "sales_open": True,
        },
    ]


def test_available_is_never_negative(api, signup, make_event):
    owner = signup()
    event = make_event(owner)
    ticket = create(api, f"/events/{event['id']}/tickets", owner, quantity=5, max_order=5)
    hold(event, ticket["id"], sold=5, reserved=3)
    publish(api, owner, event)
    assert api.get(f"/public/events/{event['id']}").json["tickets"][0]["available"] == 0


def test_sales_open_follows_the_window(api, signup, make_event):
    owner = signup()
    event = make_event(owner)
    window = {"sales_starts_at": "2027-01-01T00:00:00+00:00", "sales_ends_at": "2027-02-01T00:00:00+00:00"}
    create(api, f"/events/{event['id']}/tickets", owner, **window)
    publish(api, owner, event)
    page = f"/public/events/{event['id']}"

    with time_machine.travel("2026-12-31T23:59:00+00:00", tick=False):
        assert api.get(page).json["tickets"][0]["sales_open"] is False
    with time_machine.travel("2027-01-15T00:00:00+00:00", tick=False):
        assert api.get(page).json["tickets"][0]["sales_open"] is True
    with time_machine.travel("2027-02-01T00:00:00+00:00", tick=False):
        assert api.get(page).json["tickets"][0]["sales_open"] is False


def test_sales_close_when_the_event_ends_without_a_window(api, signup, make_event):
    owner = signup()
    event = make_event(owner)
    create(api, f"/events/{event['id']}/tickets", owner)
    publish(api, owner, event)
    with time_machine.travel("2027-05-03T16:00:00+00:00", tick=False):
        assert api.get(f"/public/events/{event['id']}").json["tickets"][0]["sales_open"] is False


def test_public_etag_moves_with_ticket_writes(api, signup, make_event):
    owner = signup()
    event = make_event(owner)
    publish(api, owner, event)
    page = f"/public/events/{event['id']}"
    etag = api.get(page).headers["etag"]
    assert api.get(page, headers={"If-None-Match": etag}).status == 304

    create(api, f"/events/{event['id']}/tickets", owner, name="New")
    fresh = api.get(page, headers={"If-None-Match": etag})
    assert fresh.status == 200 and [t["name"] for t in fresh.json["tickets"]] == ["New"]
