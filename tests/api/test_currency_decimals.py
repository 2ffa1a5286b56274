"""Amounts have the decimals their currency has: a yen price has none, so neither a ticket, a
donation nor a change of the event's currency can leave an amount that cannot be charged."""

import uuid
from decimal import Decimal

from tests.api.orders_helpers import DONATION, PAID

YEN_RULE = "JPY amounts are whole numbers (no decimals)."


def yen_event(api, signup, make_event):
    organizer = signup()
    event = make_event(organizer, currency="JPY")
    api.patch(f"/events/{event['id']}", {"state": "published"}, token=organizer)
    return organizer, event


def test_a_yen_ticket_price_with_decimals_is_refused_and_a_whole_one_kept(api, signup, make_event):
    organizer, event = yen_event(api, signup, make_event)

    cents = api.post(f"/events/{event['id']}/tickets", {**PAID, "price": "1500.50"}, token=organizer)
    whole = api.post(f"/events/{event['id']}/tickets", {**PAID, "price": "1500"}, token=organizer)
    table = api.put(
        f"/events/{event['id']}/tickets",
        {"tickets": [{**PAID, "name": "Row", "price": "99.9"}]},
        token=organizer,
    )

    assert cents.status == 422
    assert cents.json["error"]["details"] == {"price": YEN_RULE}
    assert whole.status == 201 and Decimal(whole.json["price"]) == 1500
    assert table.status == 422 and "tickets[0].price" in table.json["error"]["details"]
    assert [t["name"] for t in api.get(f"/events/{event['id']}/tickets", token=organizer).json] == [
        PAID["name"]
    ]


def test_a_donation_in_yen_with_decimals_is_refused(api, signup, make_event):
    organizer, event = yen_event(api, signup, make_event)
    ticket = api.post(f"/events/{event['id']}/tickets", {**DONATION, "price": "500"}, token=organizer).json
    buyer = signup()

    response = api.post(
        f"/events/{event['id']}/orders",
        {"items": [{"ticket_id": ticket["id"], "quantity": 1, "amount": "750.25"}]},
        token=buyer,
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )

    assert response.status == 422
    assert response.json["error"]["details"] == {
        "items[0].amount": "JPY amounts are whole numbers (no decimals)."
    }
    assert api.get("/me/orders", token=buyer).json == []


def test_an_event_cannot_switch_to_a_currency_its_prices_do_not_fit(api, signup, make_event):
    organizer = signup()
    event = make_event(organizer, currency="EUR")
    api.post(f"/events/{event['id']}/tickets", {**PAID, "price": "12.50"}, token=organizer)

    refused = api.patch(f"/events/{event['id']}", {"currency": "JPY"}, token=organizer)
    allowed = api.patch(f"/events/{event['id']}", {"currency": "USD"}, token=organizer)

    assert refused.status == 422
    assert refused.json["error"]["details"]["currency"].endswith(
        f"Change these prices first: {PAID['name']}."
    )
    assert allowed.status == 200 and allowed.json["currency"] == "USD"
