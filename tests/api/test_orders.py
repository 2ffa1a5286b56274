"""Placing orders: every rule, money, idempotency, and a transaction that rejects atomically."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests.api.orders_helpers import DONATION, FREE, PAID, make_shop, stored_orders


def at(days: float) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat(timespec="seconds")


@pytest.fixture
def frozen():
    """The clock stands still (tokens issued by the fixtures stay valid: it stops at the real now)."""
    with time_machine.travel(datetime.now(UTC).replace(microsecond=0), tick=False) as traveller:
        yield traveller


# --- free, paid, donation -------------------------------------------------------------------


def test_free_order_completes_at_once_and_sells(shop, buyer):
    ticket = shop.ticket(**FREE)
    before = shop.versions()["tickets_ver"]

    response = shop.order(buyer, [{"ticket_id": ticket["id"], "quantity": 3}])

    assert response.status == 201
    order = response.json
    assert order["status"] == "completed"
    assert order["total"] == "0.00"
    assert order["expires_at"] is None
    assert order["items"] == [
        {
            "ticket_id": ticket["id"],
            "name": "Community",
            "type": "free",
            "quantity": 3,
            "unit_price": "0.00",
            "subtotal": "0.00",
        }
    ]
    assert shop.counters(ticket) == {"sold": 3, "reserved": 0, "held": 3}
    assert shop.available(ticket) == 47
    assert shop.versions()["tickets_ver"] == before + 1


def test_paid_order_is_pending_and_holds_its_tickets_for_15_minutes(shop, buyer, frozen):
    ticket = shop.ticket(**PAID)

    order = shop.buy(buyer, ticket, 3)

    assert order["status"] == "pending"
    assert order["total"] == "37.50"
    assert order["currency"] == "EUR"
    assert datetime.fromisoformat(order["expires_at"]) == datetime.now(UTC) + timedelta(minutes=15)
    assert order["payment"]["provider"] == "manual"
    assert "organizer" in order["payment"]["instructions"]
    assert shop.counters(ticket) == {"sold": 0, "reserved": 3, "held": 3}
    assert shop.available(ticket) == 47


def test_the_hold_time_is_configurable_per_event(shop, buyer, frozen):
    ticket = shop.ticket(**PAID)
    shop.set_hold_minutes(45)

    order = shop.buy(buyer, ticket)

    assert datetime.fromisoformat(order["expires_at"]) == datetime.now(UTC) + timedelta(minutes=45)


def test_donation_at_or_above_the_minimum_is_pending_with_its_amount(shop, buyer):
    ticket = shop.ticket(**DONATION)

    order = shop.buy(buyer, ticket, 2, amount="25.5")

    assert order["status"] == "pending"
    assert order["items"][0]["unit_price"] == "25.50"
    assert order["total"] == "51.00"
    assert shop.buy(buyer, ticket, 1, amount="5.00")["total"] == "5.00"


def test_the_public_page_gives_a_donations_minimum_and_suggested_amount(shop):
    shop.ticket(**DONATION, suggested_price="20")

    listed = shop.api.get(f"/public/events/{shop.event_id}").json["tickets"]

    assert [(t["type"], t["price"], t["suggested_price"]) for t in listed] == [("donation", "5.00", "20.00")]


@pytest.mark.parametrize("raw_amount", [b"10.10", b"10", b"1e1"])
def test_a_json_number_is_no_amount(shop, buyer, raw_amount):
    ticket = shop.ticket(**DONATION)
    raw = b'{"items": [{"ticket_id": "%s", "quantity": 3, "amount": %s}]}' % (
        ticket["id"].encode(),
        raw_amount,
    )

    response = shop.api.post(
        f"/events/{shop.event_id}/orders", token=buyer, headers={"Idempotency-Key": "k-number"}, raw=raw
    )

    assert response.status == 422
    assert "decimal string" in response.json["error"]["details"]["items[0].amount"]
    assert shop.counters(ticket)["held"] == 0
    placed = shop.order(buyer, [{"ticket_id": ticket["id"], "quantity": 3, "amount": "10.10"}])
    assert placed.status == 201 and placed.json["total"] == "30.30"


@pytest.mark.parametrize(
    ("item", "field", "fragment"),
    [
        (
            {"quantity": 1, "amount": "4.99"},
            "items[0].amount",
            "minimum donation for this ticket is 5.00 EUR",
        ),
        ({"quantity": 1, "amount": "0.00"}, "items[0].amount", "minimum donation"),
        ({"quantity": 1}, "items[0].amount", "at least 5.00"),
        ({"quantity": 1, "amount": "-5"}, "items[0].amount", "decimal string"),
        ({"quantity": 1, "amount": "5.001"}, "items[0].amount", "decimal string"),
        ({"quantity": 1, "amount": True}, "items[0].amount", "decimal string"),
    ],
)
def test_donation_amount_rules(shop, buyer, item, field, fragment):
    ticket = shop.ticket(**DONATION)

    response = shop.order(buyer, [{"ticket_id": ticket["id"], **item}])

    assert response.status == 422
    assert fragment in response.json["error"]["details"][field]
    assert shop.counters(ticket)["held"] == 0


def test_an_amount_on_a_fixed_price_ticket_is_refused(shop, buyer):
    ticket = shop.ticket(**PAID)

    response = shop.order(buyer, [{"ticket_id": ticket["id"], "quantity": 1, "amount": "100.00"}])

    assert response.status == 422
    assert "Only donation tickets" in response.json["error"]["details"]["items[0].amount"]


def test_a_mixed_order_totals_every_line(shop, buyer):
    paid, free = shop.ticket(**PAID), shop.ticket(**FREE)

    response = shop.order(
        buyer, [{"ticket_id": paid["id"], "quantity": 2}, {"ticket_id": free["id"], "quantity": 1}]
    )

    assert response.status == 201
    assert response.json["status"] == "pending"
    assert response.json["total"] == "25.00"
    assert shop.counters(free) == {"sold": 0, "reserved": 1, "held": 1}


# --- limits, hidden, window, stock ----------------------------------------------------------


@pytest.mark.parametrize("quantity", [1, 5])
def test_outside_min_or_max_order_is_422(shop, buyer, quantity):
    ticket = shop.ticket(min_order=2, max_order=4)

    response = shop.order(buyer, [{"ticket_id": ticket["id"], "quantity": quantity}])

    assert response.status == 422
    assert response.json["error"]["details"] == {"items[0].quantity": "Order from 2 to 4 of this ticket."}
    assert stored_orders(shop.event_id) == []


@pytest.mark.parametrize("quantity", [2, 4])
def test_within_min_and_max_order_is_fine(shop, buyer, quantity):
    ticket = shop.ticket(min_order=2, max_order=4)

    assert shop.order(buyer, [{"ticket_id": ticket["id"], "quantity": quantity}]).status == 201


def test_hidden_and_unknown_tickets_cannot_be_ordered(shop, buyer):
    hidden = shop.ticket(hidden=True)
    other_shop_ticket = "0" * 32

    response = shop.order(
        buyer, [{"ticket_id": hidden["id"], "quantity": 1}, {"ticket_id": other_shop_ticket, "quantity": 1}]
    )

    assert response.status == 422
    assert set(response.json["error"]["details"]) == {"items[0].ticket_id", "items[1].ticket_id"}
    assert shop.counters(hidden)["held"] == 0


@pytest.mark.parametrize(("starts", "ends"), [(1, 20), (-20, -1)], ids=["not-started", "ended"])
def test_outside_the_sales_window_is_409_sales_closed(shop, buyer, starts, ends):
    ticket = shop.ticket(sales_starts_at=at(starts), sales_ends_at=at(ends))

    response = shop.order(buyer, [{"ticket_id": ticket["id"], "quantity": 1}])

    assert response.status == 409
    assert response.error_code == "sales_closed"
    assert response.json["error"]["details"] == {"tickets": [ticket["id"]]}
    assert shop.counters(ticket)["held"] == 0


def test_inside_the_sales_window_is_fine(shop, buyer):
    ticket = shop.ticket(sales_starts_at=at(-1), sales_ends_at=at(1))

    assert shop.order(buyer, [{"ticket_id": ticket["id"], "quantity": 1}]).status == 201


def test_not_enough_left_is_409_sold_out_with_what_remains(shop, buyer, signup):
    ticket = shop.ticket(quantity=5, max_order=5)
    shop.buy(signup(), ticket, 3)

    response = shop.order(buyer, [{"ticket_id": ticket["id"], "quantity": 3}])

    assert response.status == 409
    assert response.error_code == "sold_out"
    assert response.json["error"]["details"] == {"remaining": {ticket["id"]: 2}}
    assert shop.counters(ticket) == {"sold": 0, "reserved": 3, "held": 3}
    assert shop.buy(buyer, ticket, 2)["status"] == "pending"
    assert shop.order(buyer, [{"ticket_id": ticket["id"], "quantity": 1}]).error_code == "sold_out"
    assert shop.available(ticket) == 0


def test_two_items_one_sold_out_under_a_race_rejects_the_whole_transaction(
    shop, buyer, signup, dynamodb_calls, meanwhile
):
    """The read says both tickets are available; a competitor takes the last of one before the
    write: the transaction's condition fails and NOTHING of the order is written."""
    plenty, scarce = shop.ticket(name="Plenty"), shop.ticket(name="Scarce", quantity=2, max_order=2)
    competitor = signup()
    before = shop.versions()["tickets_ver"]
    raced = meanwhile("TransactWriteItems", lambda: shop.buy(competitor, scarce, 2))

    with dynamodb_calls:
        response = shop.order(
            buyer,
            [{"ticket_id": plenty["id"], "quantity": 4}, {"ticket_id": scarce["id"], "quantity": 1}],
            key="race",
        )

    # The competitor's transaction, then ours, which DynamoDB refused as a whole.
    assert raced, "the competitor did not buy in between"
    assert dynamodb_calls.calls.count("TransactWriteItems") == 2

    assert response.status == 409
    assert response.error_code == "sold_out"
    assert response.json["error"]["details"] == {"remaining": {scarce["id"]: 0}}
    assert shop.counters(plenty) == {"sold": 0, "reserved": 0, "held": 0}
    assert shop.counters(scarce) == {"sold": 0, "reserved": 2, "held": 2}
    assert [o.buyer_email for o in stored_orders(shop.event_id)] == [
        shop.api.get("/me", token=competitor).json["email"]
    ]
    assert shop.versions()["tickets_ver"] == before + 1  # the competitor's order only
    assert shop.api.get("/me/orders", token=buyer).json == []


# --- idempotency ----------------------------------------------------------------------------


def test_the_same_key_returns_the_same_order_and_never_sells_twice(shop, buyer):
    ticket = shop.ticket(**PAID)
    items = [{"ticket_id": ticket["id"], "quantity": 2}]

    first = shop.order(buyer, items, key="retry-1")
    second = shop.order(buyer, items, key="retry-1")

    assert first.status == second.status == 201
    assert second.json["id"] == first.json["id"]
    assert first.headers["idempotent-replayed"] == "false"
    assert second.headers["idempotent-replayed"] == "true"
    assert shop.counters(ticket)["held"] == 2
    assert len(stored_orders(shop.event_id)) == 1


def test_a_replay_still_answers_201_after_the_tickets_sold_out(shop, buyer, signup):
    ticket = shop.ticket(quantity=2, max_order=2)
    items = [{"ticket_id": ticket["id"], "quantity": 2}]
    first = shop.order(buyer, items, key="k")
    assert shop.order(signup(), [{"ticket_id": ticket["id"], "quantity": 1}]).error_code == "sold_out"

    again = shop.order(buyer, items, key="k")

    assert (again.status, again.json["id"]) == (201, first.json["id"])


def test_the_same_key_with_a_different_body_is_422(shop, buyer):
    ticket = shop.ticket(**PAID)
    shop.order(buyer, [{"ticket_id": ticket["id"], "quantity": 1}], key="k")

    response = shop.order(buyer, [{"ticket_id": ticket["id"], "quantity": 2}], key="k")

    assert response.status == 422
    assert response.error_code == "idempotency_key_reused"
    assert shop.counters(ticket)["held"] == 1


def test_the_same_key_in_another_event_is_a_different_body(shop, buyer, api, signup, make_event):
    other = make_shop(api, signup, make_event)
    shop.buy(buyer, shop.ticket(), 1)
    first = shop.order(buyer, [{"ticket_id": shop.ticket(name="B")["id"], "quantity": 1}], key="k")
    assert first.status == 201

    response = other.order(buyer, [{"ticket_id": other.ticket()["id"], "quantity": 1}], key="k")

    assert response.error_code == "idempotency_key_reused"


def test_keys_are_per_user(shop, buyer, signup):
    ticket = shop.ticket(**PAID)
    items = [{"ticket_id": ticket["id"], "quantity": 1}]

    mine, theirs = shop.order(buyer, items, key="same"), shop.order(signup(), items, key="same")

    assert mine.status == theirs.status == 201
    assert mine.json["id"] != theirs.json["id"]
    assert shop.counters(ticket)["held"] == 2


def test_item_order_does_not_change_the_fingerprint(shop, buyer):
    a, b = shop.ticket(name="A"), shop.ticket(name="B")
    items = [{"ticket_id": a["id"], "quantity": 1}, {"ticket_id": b["id"], "quantity": 2}]

    first = shop.order(buyer, items, key="k")
    second = shop.order(buyer, list(reversed(items)), key="k")

    assert second.status == 201
    assert second.json["id"] == first.json["id"]


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "idempotency_key_required"),
        ({"Idempotency-Key": " "}, "idempotency_key_required"),
        ({"Idempotency-Key": "x" * 256}, "bad_idempotency_key"),
        ({"Idempotency-Key": "has space"}, "bad_idempotency_key"),
    ],
)
def test_a_missing_or_bad_key_is_400(shop, buyer, headers, code):
    ticket = shop.ticket()

    response = shop.api.post(
        f"/events/{shop.event_id}/orders",
        {"items": [{"ticket_id": ticket["id"], "quantity": 1}]},
        token=buyer,
        headers=headers,
    )

    assert response.status == 400
    assert response.error_code == code
    assert shop.counters(ticket)["held"] == 0


# --- who may order, and bad input -----------------------------------------------------------


def test_a_draft_event_cannot_be_ordered_from(api, signup, make_event, buyer):
    draft = make_shop(api, signup, make_event, publish=False)
    ticket = draft.ticket()

    response = draft.order(buyer, [{"ticket_id": ticket["id"], "quantity": 1}])

    assert response.status == 404
    assert draft.counters(ticket)["held"] == 0


def test_an_unknown_event_is_404(shop, buyer):
    response = shop.api.post(
        "/events/nope/orders", {"items": []}, token=buyer, headers={"Idempotency-Key": "k"}
    )
    assert response.status == 404


def test_ordering_needs_a_sign_in(shop):
    ticket = shop.ticket()

    response = shop.api.post(
        f"/events/{shop.event_id}/orders",
        {"items": [{"ticket_id": ticket["id"], "quantity": 1}]},
        headers={"Idempotency-Key": "k"},
    )

    assert response.status == 401


def test_the_organizer_may_order_too(shop):
    ticket = shop.ticket()
    assert shop.buy(shop.organizer, ticket)["status"] == "pending"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "items"),
        ({"items": []}, "items"),
        ({"items": "all"}, "items"),
        ({"items": [{"ticket_id": "t", "quantity": 1}] * 21}, "items"),
        ({"items": [1]}, "items[0]"),
        ({"items": [{"quantity": 1}]}, "items[0].ticket_id"),
        ({"items": [{"ticket_id": "t", "quantity": "2"}]}, "items[0].quantity"),
        ({"items": [{"ticket_id": "t", "quantity": 0}]}, "items[0].quantity"),
        ({"items": [{"ticket_id": "t", "quantity": 1.5}]}, "items[0].quantity"),
        ({"items": [{"ticket_id": "t", "quantity": True}]}, "items[0].quantity"),
        ({"items": [{"ticket_id": "t", "quantity": 1, "seat": "A1"}]}, "items[0].seat"),
        ({"items": [{"ticket_id": "t", "quantity": 1}], "coupon": "FREE"}, "coupon"),
        (
            {"items": [{"ticket_id": "t", "quantity": 1}, {"ticket_id": "t", "quantity": 1}]},
            "items[1].ticket_id",
        ),
    ],
)
def test_bad_bodies_are_422_with_the_field(shop, buyer, body, field):
    response = shop.api.post(
        f"/events/{shop.event_id}/orders", body, token=buyer, headers={"Idempotency-Key": "k"}
    )

    assert response.status == 422, response.json
    assert field in response.json["error"]["details"]


@pytest.mark.parametrize("raw", [b"", b"not json", b"[1, 2]", b'{"items": [}'])
def test_malformed_bodies_are_400(shop, buyer, raw):
    response = shop.api.post(
        f"/events/{shop.event_id}/orders", token=buyer, headers={"Idempotency-Key": "k"}, raw=raw
    )

    assert response.status == 400
    assert response.error_code == "malformed_json"
